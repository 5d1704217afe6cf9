#include <doctest/doctest.h>

#include "base/bytes.h"
#include "modes/refresher_secret.h"

using namespace imps;
using namespace imps::modes;

namespace {

ObservedSecret observed(std::string_view type, std::string data, bool immutable = false) {
  ObservedSecret s;
  s.namespace_name = "default";
  s.name = "pull";
  s.uid = "u1";
  s.resource_version = "42";
  s.type = secret_type(type);
  s.has_data = !data.empty();
  s.data_hash = content_hash(data);
  s.immutable = immutable;
  return s;
}

}  // namespace

TEST_CASE("the refresher's Secret carries no owner label or ownerReference") {
  Json body = refresher_create_body("default", "pull", "ZGF0YQ==");
  const cJSON* meta = json_member(body.get(), "metadata");
  CHECK(json_string_or(meta, "name") == "pull");
  CHECK(json_string_or(meta, "namespace") == "default");
  CHECK(json_member(meta, "labels") == nullptr);
  CHECK(json_member(meta, "ownerReferences") == nullptr);
  CHECK(json_string_or(body.get(), "type") == "kubernetes.io/dockerconfigjson");
  CHECK(json_string_or(json_member(body.get(), "data"), ".dockerconfigjson") == "ZGF0YQ==");
}

TEST_CASE("the refresher writes only when the data differs, and recreates for a wrong type or immutability") {
  CHECK(refresher_change(observed("kubernetes.io/dockerconfigjson", "abc"), "abc") == SecretChange::None);
  CHECK(refresher_change(observed("kubernetes.io/dockerconfigjson", "abc"), "xyz") == SecretChange::Update);
  CHECK(refresher_change(observed("kubernetes.io/dockerconfigjson", ""), "xyz") == SecretChange::Update);
  CHECK(refresher_change(observed("Opaque", "abc"), "abc") == SecretChange::Recreate);
  CHECK(refresher_change(observed("kubernetes.io/dockerconfigjson", "abc", true), "xyz") == SecretChange::Recreate);
  CHECK(refresher_change(observed("kubernetes.io/dockerconfigjson", "abc", true), "abc") == SecretChange::None);
  ObservedSecret extra = observed("kubernetes.io/dockerconfigjson", "abc");
  extra.other_data_keys = {"stray"};
  CHECK(refresher_change(extra, "abc") == SecretChange::Update);
}

TEST_CASE("the refresher replaces only pull Secrets") {
  CHECK(refresher_may_replace(observed("kubernetes.io/dockerconfigjson", "abc", true)));
  CHECK(refresher_may_replace(observed("kubernetes.io/dockercfg", "abc")));
  CHECK_FALSE(refresher_may_replace(observed("Opaque", "abc")));
  CHECK_FALSE(refresher_may_replace(observed("kubernetes.io/tls", "abc")));
  CHECK_FALSE(refresher_may_replace(observed("kubernetes.io/service-account-token", "")));
}

TEST_CASE("the refresher's patch is conditional on the observed version and removes stray keys") {
  ObservedSecret s = observed("kubernetes.io/dockerconfigjson", "abc");
  s.other_data_keys = {"stray"};
  Json patch = refresher_update_patch(s, "xyz");
  CHECK(json_string_or(json_member(patch.get(), "metadata"), "resourceVersion") == "42");
  const cJSON* data = json_member(patch.get(), "data");
  CHECK(json_string_or(data, ".dockerconfigjson") == "xyz");
  CHECK(cJSON_IsNull(json_member(data, "stray")));
  CHECK(json_member(json_member(patch.get(), "metadata"), "labels") == nullptr);
}

TEST_CASE("the refresher drops the original's last-applied copy, alone or with new data") {
  ObservedSecret s = observed("kubernetes.io/dockerconfigjson", "abc");
  s.annotations = StringMap{{"banzaicloud.com/last-applied", "UEsDBBQACAAIAAAAAAAA"}, {"keep", "me"}};
  CHECK(refresher_change(s, "abc") == SecretChange::Update);
  Json patch = refresher_update_patch(s, "abc");
  const cJSON* annotations = json_member(json_member(patch.get(), "metadata"), "annotations");
  CHECK(cJSON_IsNull(json_member(annotations, "banzaicloud.com/last-applied")));
  CHECK(json_member(annotations, "keep") == nullptr);
  // Without the annotation the patch names no annotations at all.
  s.annotations = StringMap{{"keep", "me"}};
  CHECK(json_member(json_member(refresher_update_patch(s, "xyz").get(), "metadata"), "annotations") == nullptr);
}

TEST_CASE("refresher Lease names: one per target, always a valid object name") {
  CHECK(refresher_lease_name("ecr-image-pull-secrets") == "imps-refresher-ecr-image-pull-secrets");
  CHECK(refresher_lease_name("pull.v1") == "imps-refresher-pull.v1");
  const std::string fits(253 - 15, 'a');
  CHECK(refresher_lease_name(fits) == "imps-refresher-" + fits);
  // Too long: cut, no '.' or '-' before the hash, and two names sharing the kept prefix differ.
  const std::string long_a = std::string(230, 'a') + "." + std::string(22, 'x');
  const std::string long_b = std::string(230, 'a') + "." + std::string(22, 'y');
  const std::string a = refresher_lease_name(long_a);
  const std::string b = refresher_lease_name(long_b);
  CHECK(a.size() <= 253);
  CHECK(b.size() <= 253);
  CHECK(a != b);
  CHECK(a.rfind("imps-refresher-aaaa", 0) == 0);
  const size_t dash = a.rfind('-');
  REQUIRE(dash != std::string::npos);
  CHECK(a.size() - dash == 17);  // "-" and 16 hex digits
  CHECK(a[dash - 1] != '.');
  CHECK(a[dash - 1] != '-');
  // The cut lands right after a '.': it goes, the hash follows the letters.
  const std::string cut_at_dot = refresher_lease_name(std::string(220, 'a') + "." + std::string(40, 'b'));
  CHECK(cut_at_dot.find(".-") == std::string::npos);
  CHECK(cut_at_dot.size() == 15 + 220 + 17);
}

TEST_CASE("events about the target Secret are namespaced and name the Secret") {
  SecretEvent event{"default", "pull", "u1", true, "SourceCredentialsError", "default.ecr: failed"};
  Json body = secret_event_body(event, 0x10, "2026-01-01T00:00:00Z");
  CHECK(json_string_or(json_member(body.get(), "metadata"), "name") == "pull.10");
  CHECK(json_string_or(json_member(body.get(), "metadata"), "namespace") == "default");
  const cJSON* involved = json_member(body.get(), "involvedObject");
  CHECK(json_string_or(involved, "kind") == "Secret");
  CHECK(json_string_or(involved, "uid") == "u1");
  CHECK(json_string_or(body.get(), "type") == "Warning");
  SecretEvent no_uid{"default", "pull", "", false, "R", "m"};
  CHECK(json_member(json_member(secret_event_body(no_uid, 1, "t").get(), "involvedObject"), "uid") == nullptr);
}
