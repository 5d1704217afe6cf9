#include <doctest/doctest.h>

#include <functional>
#include <map>

#include "imps/planner.h"

using namespace imps;

namespace {

ImagePullSecret make_resource(std::string name, std::string uid, std::string created) {
  ImagePullSecret r;
  r.name = std::move(name);
  r.uid = std::move(uid);
  r.creation_timestamp = std::move(created);
  r.spec.credentials = {{"src", "docker"}};
  r.spec.target.secret.name = "pull";
  return r;
}

struct World {
  ImagePullSecret self = make_resource("imps", "r1", "2024-01-02T00:00:00Z");
  std::map<std::string, ImagePullSecret, std::less<>> others;
  MergedSources sources;
  std::vector<ObservedSecret> secrets;
  std::vector<std::string> selected;
  std::set<std::string, std::less<>> terminating;

  World() {
    auto entry = Json::parse(R"({"auth":"x"})");
    sources.config.set("a.io", entry->get());
    sources.status = {{"docker.src", "Ok"}};
  }

  // A Secret exactly as this world's resource wants it in `ns`, after `edit` (of the object).
  ObservedSecret ours(std::string ns, std::string name = "pull", const std::function<void(cJSON*)>& edit = {}) {
    DesiredSecret d = desired_secret(self, sources.config.render());
    d.name = name;
    Json body = create_body(d, ns);
    if (edit) edit(body.get());
    auto o = observe_secret(body.get());
    REQUIRE(o.ok());
    o->uid = "s-" + ns + "-" + name;
    o->resource_version = "rv-" + ns + "-" + name;
    return std::move(o).value();
  }
  ObservedSecret owned_by(std::string ns, std::string uid) {
    return ours(std::move(ns), "pull", [&](cJSON* secret) {
      json_set_string(cJSON_GetObjectItem(cJSON_GetObjectItem(secret, "metadata"), "labels"),
                      "images.banzaicloud.io/owner-uid", uid);
    });
  }
  ObservedSecret foreign(std::string ns) {
    return ours(std::move(ns), "pull", [](cJSON* secret) {
      cJSON_DeleteItemFromObject(cJSON_GetObjectItem(secret, "metadata"), "labels");
      cJSON_DeleteItemFromObject(cJSON_GetObjectItem(secret, "metadata"), "ownerReferences");
    });
  }

  Plan run(int64_t now = 100) {
    PlanInput in;
    in.resource = &self;
    in.selected_namespaces = selected;
    in.terminating_namespaces = terminating;
    in.sources = &sources;
    for (const ObservedSecret& s : secrets) in.observed.push_back(&s);
    in.find_resource = [this](std::string_view uid) -> const ImagePullSecret* {
      auto it = others.find(uid);
      return it == others.end() ? nullptr : &it->second;
    };
    in.now = now;
    in.now_rfc3339 = "2024-02-01T00:00:00Z";
    return plan(in);
  }
};

std::vector<std::string> summary(const Plan& p) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) out.push_back(std::string(to_string(a.kind)) + " " + a.namespace_name + "/" + a.name);
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("create in every selected namespace; status Ready with sorted namespaces") {
  World w;
  w.selected = {"b", "a"};
  Plan p = w.run();
  CHECK(summary(p) == Lines{"create a/pull", "create b/pull"});
  CHECK(p.conflicts.empty());
  CHECK(p.status.status == "Ready");
  CHECK(p.status.reason.empty());
  CHECK(p.status.managed_namespaces == Lines{"a", "b"});
  CHECK(p.status.source_secret_status == StringMap{{"docker.src", "Ok"}});
  CHECK(p.status.validity_seconds == 0);
  CHECK(p.status.last_successful_reconciliation == "2024-02-01T00:00:00Z");
  CHECK(p.write_status);
  CHECK(create_body(*p.actions[0].secret, p.actions[0].namespace_name).dump().find(R"("namespace":"a")") !=
        std::string::npos);
}

TEST_CASE("every write of a plan shares the one rendering of the Secret, and no create carries a copy") {
  World w;
  w.selected = {"a", "b", "c", "d"};
  w.secrets = {w.ours("d")};
  auto entry = Json::parse(R"({"auth":"y"})");
  w.sources.config.set("b.io", entry->get());
  Plan p = w.run();
  REQUIRE(summary(p) == Lines{"create a/pull", "create b/pull", "create c/pull", "update d/pull"});
  const DesiredSecret* shared = p.actions[0].secret.get();
  REQUIRE(shared != nullptr);
  for (const Action& a : p.actions) {
    CHECK(a.secret.get() == shared);
    if (a.kind == ActionKind::Create) CHECK_FALSE(a.body);
  }
  // The update's patch and each create's body refer to the shared data instead of copying it.
  const cJSON* patch_data = json_member(json_member(p.actions[3].body.get(), "data"), ".dockerconfigjson");
  CHECK(patch_data->valuestring == shared->data.c_str());
  Json created = create_body(*shared, "b");
  const cJSON* created_data = json_member(json_member(created.get(), "data"), ".dockerconfigjson");
  CHECK(created_data->valuestring == shared->data.c_str());
  CHECK(created.dump().find(R"("namespace":"b")") != std::string::npos);
}

TEST_CASE("no-op when the cluster already matches, and no status write when unchanged") {
  World w;
  w.selected = {"a"};
  w.secrets = {w.ours("a")};
  Plan first = w.run();
  CHECK(first.actions.empty());
  w.self.status = first.status;
  w.self.status.last_successful_reconciliation = "2024-01-01T00:00:00Z";
  Plan again = w.run();
  CHECK(again.actions.empty());
  CHECK_FALSE(again.write_status);
}

TEST_CASE("update when the credentials changed") {
  World w;
  w.selected = {"a"};
  w.secrets = {w.ours("a")};
  auto entry = Json::parse(R"({"auth":"y"})");
  w.sources.config.set("b.io", entry->get());
  Plan p = w.run();
  REQUIRE(summary(p) == Lines{"update a/pull"});
  CHECK(p.actions[0].body.dump().find(R"("resourceVersion")") != std::string::npos);
}

TEST_CASE("delete where no longer selected and under an old name (rename)") {
  World w;
  w.selected = {"a"};
  w.secrets = {w.ours("a", "old-name"), w.ours("gone")};
  Plan p = w.run();
  CHECK(summary(p) == Lines{"create a/pull", "delete a/old-name", "delete gone/pull"});
  CHECK(p.actions[1].uid == "s-a-old-name");
  CHECK(p.actions[1].resource_version == "rv-a-old-name");  // a delete precondition, with the uid
  CHECK(p.status.managed_namespaces == Lines{"a"});
}

TEST_CASE("terminating namespaces get nothing written and nothing deleted") {
  World w;
  w.selected = {"a"};
  w.terminating = {"dying"};
  w.secrets = {w.ours("dying")};
  Plan p = w.run();
  CHECK(summary(p) == Lines{"create a/pull"});
}

TEST_CASE("a same-named Secret without our label is never touched and is reported") {
  World w;
  w.selected = {"a", "b"};
  w.secrets = {w.foreign("a")};
  Plan p = w.run();
  CHECK(summary(p) == Lines{"create b/pull"});
  REQUIRE(p.conflicts.size() == 1);
  CHECK(p.conflicts[0].namespace_name == "a");
  CHECK(p.status.status == "Failed");
  CHECK(p.status.reason == "Secret a/pull exists and is not managed by imps");
  CHECK(p.status.managed_namespaces == Lines{"b"});
  CHECK(p.status.last_successful_reconciliation.empty());
}

TEST_CASE("two resources claiming one Secret: the older keeps it") {
  World w;
  w.selected = {"a"};
  SUBCASE("held by an older resource: conflict") {
    w.others.emplace("old", make_resource("older", "old", "2024-01-01T00:00:00Z"));
    w.secrets = {w.owned_by("a", "old")};
    Plan p = w.run();
    CHECK(p.actions.empty());
    CHECK(p.status.reason == R"(Secret a/pull is managed by the older ImagePullSecret "older")");
    CHECK(p.status.managed_namespaces.empty());
  }
  SUBCASE("same creation time: the name decides") {
    w.others.emplace("x", make_resource("aaa", "x", "2024-01-02T00:00:00Z"));
    w.secrets = {w.owned_by("a", "x")};
    CHECK(w.run().conflicts.size() == 1);
  }
  SUBCASE("held by a newer resource: taken over") {
    w.others.emplace("new", make_resource("newer", "new", "2024-03-01T00:00:00Z"));
    w.secrets = {w.owned_by("a", "new")};
    Plan p = w.run();
    REQUIRE(summary(p) == Lines{"update a/pull"});
    CHECK(p.actions[0].body.dump().find(R"("images.banzaicloud.io/owner-uid":"r1")") != std::string::npos);
    CHECK(p.status.status == "Ready");
  }
  SUBCASE("held by a resource that no longer exists: taken over") {
    w.secrets = {w.owned_by("a", "vanished")};
    CHECK(summary(w.run()) == Lines{"update a/pull"});
  }
  SUBCASE("Secrets of the older resource elsewhere are not ours to delete") {
    w.others.emplace("old", make_resource("older", "old", "2024-01-01T00:00:00Z"));
    w.secrets = {w.owned_by("a", "old"), w.owned_by("z", "old")};
    CHECK(w.run().actions.empty());
  }
}

TEST_CASE("a managed Secret of the wrong type is recreated") {
  World w;
  w.selected = {"a"};
  ObservedSecret s = w.ours("a");
  s.type = SecretType::Other;
  w.secrets = {s};
  Plan p = w.run();
  REQUIRE(summary(p) == Lines{"recreate a/pull"});
  CHECK(p.actions[0].uid == "s-a-pull");
  CHECK(p.actions[0].resource_version == "rv-a-pull");
}

TEST_CASE("a failing source makes the resource Failed but the Secret is still written") {
  World w;
  w.selected = {"a"};
  w.sources.status["ns.ecr"] = "ECR: throttled";
  w.sources.all_ok = false;
  w.sources.earliest_expiry = 1000;
  Plan p = w.run(400);
  CHECK(summary(p) == Lines{"create a/pull"});
  CHECK(p.status.status == "Failed");
  CHECK(p.status.reason == "source ns.ecr: ECR: throttled");
  CHECK(p.status.validity_seconds == 600);
  CHECK(w.run(2000).status.validity_seconds == 0);
}

TEST_CASE("an invalid spec changes nothing in the cluster") {
  World w;
  w.selected = {"a"};
  w.self.spec_errors = {"target.secret.name: required"};
  w.secrets = {w.ours("gone")};
  Plan p = w.run();
  CHECK(p.actions.empty());
  CHECK(p.status.status == "Failed");
  CHECK(p.status.reason == "target.secret.name: required");
  CHECK(p.status.managed_namespaces == Lines{"gone"});
  CHECK(p.write_status);
}

TEST_CASE("a resource being deleted plans nothing") {
  World w;
  w.selected = {"a"};
  w.self.deleting = true;
  w.secrets = {w.ours("gone")};
  Plan p = w.run();
  CHECK(p.actions.empty());
  CHECK_FALSE(p.write_status);
}
