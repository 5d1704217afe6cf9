#include <doctest/doctest.h>

#include <string>

#include "imps/service_account_plan.h"

using namespace imps;

namespace {

ObservedServiceAccount observed(std::string_view json) {
  auto doc = Json::parse(json);
  REQUIRE(doc.ok());
  auto account = observe_service_account(doc->get());
  REQUIRE(account.ok());
  return std::move(account).value();
}

ObservedServiceAccount account(std::vector<std::string> secrets, std::vector<std::string> added = {}) {
  ObservedServiceAccount out;
  out.namespace_name = "ns";
  out.name = "default";
  out.resource_version = "42";
  out.pull_secrets = std::move(secrets);
  out.added = std::move(added);
  return out;
}

}  // namespace

TEST_CASE("a ServiceAccount is read into its projection") {
  auto sa = observed(R"({"metadata":{"name":"default","namespace":"ns","uid":"u","resourceVersion":"7",
    "annotations":{"images.banzaicloud.io/added-pull-secrets":"b, a,,a"}},
    "imagePullSecrets":[{"name":"mine"},{"name":"a"},{}]})");
  CHECK(sa.namespace_name == "ns");
  CHECK(sa.resource_version == "7");
  CHECK(sa.pull_secrets == std::vector<std::string>{"mine", "a", ""});
  CHECK(sa.added == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(sa.deleting);
  CHECK(observed(R"({"metadata":{"name":"x","namespace":"n","deletionTimestamp":"t"}})").deleting);
}

TEST_CASE("malformed ServiceAccounts are rejected") {
  for (const char* text : {R"([])", R"({"metadata":{"name":"x"}})", R"({"metadata":{"namespace":"n"}})",
                           R"({"metadata":{"name":"x","namespace":"n"},"imagePullSecrets":{"name":"a"}})"}) {
    auto doc = Json::parse(text);
    REQUIRE(doc.ok());
    CHECK_FALSE(observe_service_account(doc->get()).ok());
  }
  // Entries and annotations of the wrong shape read as absent, never as a crash.
  auto sa = observed(R"({"metadata":{"name":"x","namespace":"n","annotations":{"images.banzaicloud.io/added-pull-secrets":7}},
    "imagePullSecrets":[1,"a",{"name":3}]})");
  CHECK(sa.added.empty());
  CHECK(sa.pull_secrets == std::vector<std::string>{"", "", ""});
}

TEST_CASE("a wanted Secret is appended once, others kept in order, and recorded") {
  auto patch = plan_service_account(account({"mine", "theirs"}), {"pull"}, true);
  REQUIRE(patch);
  CHECK(patch->added == std::vector<std::string>{"pull"});
  CHECK(patch->removed.empty());
  CHECK(patch->body.dump() ==
        R"({"metadata":{"resourceVersion":"42","annotations":{"images.banzaicloud.io/added-pull-secrets":"pull"}},)"
        R"("imagePullSecrets":[{"name":"mine"},{"name":"theirs"},{"name":"pull"}]})");
  CHECK_FALSE(plan_service_account(account({"mine", "theirs", "pull"}, {"pull"}), {"pull"}, true));
}

TEST_CASE("an entry somebody else listed is neither recorded nor ever removed") {
  CHECK_FALSE(plan_service_account(account({"pull"}), {"pull"}, true));
  CHECK_FALSE(plan_service_account(account({"pull"}), {}, true));
}

TEST_CASE("only recorded entries that are no longer wanted are removed") {
  auto patch = plan_service_account(account({"a", "mine", "b"}, {"a", "b"}), {"b"}, true);
  REQUIRE(patch);
  CHECK(patch->removed == std::vector<std::string>{"a"});
  CHECK(patch->body.dump() ==
        R"({"metadata":{"resourceVersion":"42","annotations":{"images.banzaicloud.io/added-pull-secrets":"b"}},)"
        R"("imagePullSecrets":[{"name":"mine"},{"name":"b"}]})");
  auto last = plan_service_account(account({"a"}, {"a"}), {}, true);
  REQUIRE(last);
  CHECK(last->body.dump() ==
        R"({"metadata":{"resourceVersion":"42","annotations":{"images.banzaicloud.io/added-pull-secrets":null}},)"
        R"("imagePullSecrets":null})");
}

TEST_CASE("two resources' entries live side by side") {
  auto patch = plan_service_account(account({"x"}, {"x"}), {"x", "y"}, true);
  REQUIRE(patch);
  CHECK(patch->added == std::vector<std::string>{"y"});
  CHECK(patch->body.dump().find(R"("x,y")") != std::string::npos);
}

TEST_CASE("removals on hold keep recorded entries; a recorded entry gone from the list is forgotten") {
  CHECK_FALSE(plan_service_account(account({"a"}, {"a"}), {}, false));
  auto forgotten = plan_service_account(account({"mine"}, {"a"}), {}, false);
  REQUIRE(forgotten);
  CHECK(forgotten->removed.empty());
  CHECK(forgotten->body.dump().find(R"("imagePullSecrets":[{"name":"mine"}])") != std::string::npos);
  // Wanted again after a user took it out: appended again.
  auto readded = plan_service_account(account({"mine"}, {"a"}), {"a"}, true);
  REQUIRE(readded);
  CHECK(readded->added == std::vector<std::string>{"a"});
}
