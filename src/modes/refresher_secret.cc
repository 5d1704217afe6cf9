#include "modes/refresher_secret.h"

#include <cstdio>

#include "base/bytes.h"
#include "imps/source_secret.h"
#include "modes/event_body.h"

namespace imps::modes {
namespace {

constexpr std::string_view kComponent = "imps-refresher";  // Event source, tells the modes apart
constexpr std::string_view kLeasePrefix = "imps-refresher-";
constexpr size_t kMaxObjectName = 253;  // DNS subdomain, the limit of Secret and Lease names

}  // namespace

Json refresher_create_body(std::string_view ns, std::string_view name, std::string_view data) {
  Json body = Json::object();
  cJSON* root = body.get();
  json_set_string(root, "apiVersion", "v1");
  json_set_string(root, "kind", "Secret");
  cJSON* meta = json_add_object(root, "metadata");
  json_set_string(meta, "name", name);
  json_set_string(meta, "namespace", ns);
  json_set_string(root, "type", kTypeDockerConfigJson);
  json_set_string(json_add_object(root, "data"), std::string(kDockerConfigJsonKey).c_str(), data);
  return body;
}

SecretChange refresher_change(const ObservedSecret& observed, std::string_view data) {
  const SecretChange change = data_change(observed, content_hash(data));
  if (change != SecretChange::None) return change;
  return dropped_annotations(observed).empty() ? SecretChange::None : SecretChange::Update;
}

bool refresher_may_replace(const ObservedSecret& observed) {
  return observed.type == SecretType::DockerConfigJson || observed.type == SecretType::DockerCfg;
}

Json refresher_update_patch(const ObservedSecret& observed, std::string_view data) {
  Json body = Json::object();
  cJSON* meta = json_add_object(body.get(), "metadata");
  json_set_string(meta, "resourceVersion", observed.resource_version);
  const std::vector<std::string> dropped = dropped_annotations(observed);
  if (!dropped.empty()) {
    cJSON* annotations = json_add_object(meta, "annotations");
    for (const std::string& key : dropped) cJSON_AddNullToObject(annotations, key.c_str());
  }
  cJSON* out = json_add_object(body.get(), "data");
  json_set_string(out, std::string(kDockerConfigJsonKey).c_str(), data);
  for (const std::string& key : observed.other_data_keys) cJSON_AddNullToObject(out, key.c_str());
  return body;
}

std::string refresher_lease_name(std::string_view target_name) {
  std::string name = std::string(kLeasePrefix) + std::string(target_name);
  if (name.size() <= kMaxObjectName) return name;
  char hash[18];
  std::snprintf(hash, sizeof hash, "-%016llx", static_cast<unsigned long long>(content_hash(target_name)));
  name.resize(kMaxObjectName - (sizeof hash - 1));
  // A cut may end on '.' or '-', which the hash's '-' follows: keep the name a valid subdomain.
  while (!name.empty() && (name.back() == '.' || name.back() == '-')) name.pop_back();
  return name + hash;
}

Json secret_event_body(const SecretEvent& event, uint64_t unix_nanos, std::string_view now_rfc3339) {
  return core_event_body({"v1", "Secret", event.ns, event.name, event.uid}, event.ns,
                         {event.warning, event.reason, event.message, kComponent}, unix_nanos, now_rfc3339);
}

}  // namespace imps::modes
