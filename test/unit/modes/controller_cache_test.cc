#include <doctest/doctest.h>

#include "modes/controller_cache.h"

using namespace imps;
using namespace imps::modes;

namespace {

ObservedSecret secret(std::string ns, std::string name, std::string uid, std::string rv, std::string owner = "r1") {
  ObservedSecret s;
  s.namespace_name = std::move(ns);
  s.name = std::move(name);
  s.uid = std::move(uid);
  s.resource_version = std::move(rv);
  s.owner_uid = std::move(owner);
  return s;
}

ImagePullSecret resource(std::string name, std::string uid, std::vector<std::string> names) {
  ImagePullSecret r;
  r.name = std::move(name);
  r.uid = std::move(uid);
  r.spec.target.secret.name = "pull";
  r.spec.target.namespace_names = std::move(names);
  return r;
}

}  // namespace

TEST_CASE("older_version orders decimal revisions and treats anything else as not older") {
  CHECK(older_version("9", "10"));
  CHECK(older_version("100", "101"));
  CHECK_FALSE(older_version("10", "9"));
  CHECK_FALSE(older_version("7", "7"));
  CHECK_FALSE(older_version("", "7"));
  CHECK_FALSE(older_version("abc", "7"));
  CHECK_FALSE(older_version("7", "x1"));
  CHECK_FALSE(older_version("99999999999999999999999", "1"));
}

TEST_CASE("store_managed keeps the newer version of the same Secret") {
  ControllerCache cache;
  cache.store_managed(secret("a", "pull", "u1", "20"));
  cache.store_managed(secret("a", "pull", "u1", "15"));
  CHECK(cache.managed.at("a/pull").resource_version == "20");
  cache.store_managed(secret("a", "pull", "u1", "21"));
  CHECK(cache.managed.at("a/pull").resource_version == "21");
  cache.store_managed(secret("a", "pull", "u2", "3"));  // recreated: a new object
  CHECK(cache.managed.at("a/pull").uid == "u2");
}

TEST_CASE("selection and observed Secrets for a resource") {
  ControllerCache cache;
  cache.resources.emplace("r", resource("r", "r1", {"a", "b", "gone"}));
  cache.namespaces.set("a", {});
  cache.namespaces.set("b", {});
  NamespaceInfo terminating;
  terminating.terminating = true;
  cache.namespaces.set("t", terminating);
  const ImagePullSecret& r = cache.resources.at("r");
  auto selected = cache.selected_namespaces(r);
  CHECK(selected == std::vector<std::string>{"a", "b"});
  CHECK(cache.terminating_namespaces().count("t") == 1);

  cache.store_managed(secret("a", "pull", "s1", "1"));
  cache.store_managed(secret("old", "pull", "s2", "1"));           // ours, no longer selected
  cache.store_managed(secret("b", "pull", "s3", "1", "other"));    // another resource's
  cache.store_managed(secret("c", "pull", "s4", "1", "other"));    // unrelated
  cache.foreign.emplace("b/x", secret("b", "x", "s5", "1", ""));   // not our target name
  auto observed = cache.observed_for(r, selected);
  std::vector<std::string> uids;
  for (const ObservedSecret* s : observed) uids.push_back(s->uid);
  std::sort(uids.begin(), uids.end());
  CHECK(uids == std::vector<std::string>{"s1", "s2", "s3"});
  CHECK(cache.find_by_uid("r1") == &r);
  CHECK(cache.find_by_uid("nope") == nullptr);
}
