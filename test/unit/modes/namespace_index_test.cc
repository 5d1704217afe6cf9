#include <doctest/doctest.h>

#include "base/json.h"
#include "modes/namespace_index.h"

using namespace imps;
using namespace imps::modes;

namespace {

ImagePullSecret resource(const char* target_json) {
  std::string text = std::string(R"({"metadata":{"name":"r","uid":"u"},"spec":{"registry":{"credentials":[{"name":"s","namespace":"n"}]},"target":)") +
                     target_json + "}}";
  auto r = parse_image_pull_secret(std::string_view(text));
  REQUIRE(r.ok());
  return std::move(r).value();
}

NamespaceInfo labelled(std::string key, std::string value) {
  NamespaceInfo info;
  info.labels = StringMap{{std::move(key), std::move(value)}};
  return info;
}

MapDigest map_of(std::string key, std::string value) { return StringMap{{std::move(key), std::move(value)}}; }

}  // namespace

TEST_CASE("observe_namespace reads labels, annotations and termination") {
  auto json = Json::parse(R"({"metadata":{"name":"a","labels":{"x":"1"},"annotations":{"y":"free text"}}})");
  auto ns = observe_namespace(json->get());
  REQUIRE(ns.ok());
  CHECK(ns->first == "a");
  CHECK(ns->second.labels == map_of("x", "1"));
  CHECK(ns->second.annotations == map_of("y", "free text"));
  CHECK_FALSE(ns->second.terminating);

  auto deleting = Json::parse(R"({"metadata":{"name":"a","deletionTimestamp":"2024-01-01T00:00:00Z"}})");
  CHECK(observe_namespace(deleting->get())->second.terminating);
  auto phase = Json::parse(R"({"metadata":{"name":"a"},"status":{"phase":"Terminating"}})");
  CHECK(observe_namespace(phase->get())->second.terminating);
  auto null_deletion = Json::parse(R"({"metadata":{"name":"a","deletionTimestamp":null}})");
  CHECK_FALSE(observe_namespace(null_deletion->get())->second.terminating);
}

TEST_CASE("observe_namespace rejects malformed namespaces") {
  for (const char* bad : {R"({})", R"({"metadata":{}})", R"("x")", R"({"metadata":{"name":"a","labels":[1]}})",
                          R"({"metadata":{"name":"a","annotations":{"k":{}}}})"}) {
    auto json = Json::parse(bad);
    REQUIRE(json.ok());
    CHECK_FALSE(observe_namespace(json->get()).ok());
  }
}

TEST_CASE("the index returns what it held before each change") {
  NamespaceIndex index;
  CHECK_FALSE(index.set("a", labelled("x", "1")).has_value());
  auto before = index.set("a", labelled("x", "2"));
  REQUIRE(before.has_value());
  CHECK(before->labels == map_of("x", "1"));
  CHECK(index.find("a")->labels == map_of("x", "2"));
  CHECK(index.size() == 1);
  CHECK(index.remove("a")->labels == map_of("x", "2"));
  CHECK_FALSE(index.remove("a").has_value());
  CHECK(index.find("a") == nullptr);
}

TEST_CASE("selects: names, labels, pods, missing and terminating namespaces, invalid specs") {
  ImagePullSecret r = resource(R"({"secret":{"name":"pull"},"namespaces":{"names":["a"],"labels":[{"matchLabels":{"x":"1"}}]},
      "namespacesWithPods":{"labels":[{"matchLabels":{"app":"y"}}]}})");
  NamespaceInfo plain;
  CHECK(selects(r, "a", &plain, false));
  CHECK_FALSE(selects(r, "a", nullptr, false));
  CHECK_FALSE(selects(r, "b", &plain, false));
  NamespaceInfo x1 = labelled("x", "1");
  CHECK(selects(r, "b", &x1, false));
  CHECK(selects(r, "b", &plain, true));
  NamespaceInfo terminating = x1;
  terminating.terminating = true;
  CHECK_FALSE(selects(r, "a", &terminating, true));

  ImagePullSecret invalid = resource(R"({"secret":{"name":"pull"},"namespaces":{"names":["a"],
      "labels":[{"matchExpressions":[{"key":"x","operator":"Bogus"}]}]}})");
  REQUIRE_FALSE(invalid.spec_errors.empty());
  CHECK_FALSE(selects(invalid, "a", &plain, false));
}
