#include "modes/refresher_secret.h"

#include <cstdio>

#include "imps/source_secret.h"

namespace imps::modes {
namespace {

constexpr std::string_view kComponent = "imps-refresher";  // Event source, tells the modes apart

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
  const bool data_differs =
      !observed.has_data || observed.data_hash != content_hash(data) || !observed.other_data_keys.empty();
  if (observed.type != kTypeDockerConfigJson || (observed.immutable && data_differs)) return SecretChange::Recreate;
  return data_differs ? SecretChange::Update : SecretChange::None;
}

Json refresher_update_patch(const ObservedSecret& observed, std::string_view data) {
  Json body = Json::object();
  json_set_string(json_add_object(body.get(), "metadata"), "resourceVersion", observed.resource_version);
  cJSON* out = json_add_object(body.get(), "data");
  json_set_string(out, std::string(kDockerConfigJsonKey).c_str(), data);
  for (const std::string& key : observed.other_data_keys) cJSON_AddNullToObject(out, key.c_str());
  return body;
}

Json secret_event_body(const SecretEvent& event, uint64_t unix_nanos, std::string_view now_rfc3339) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(unix_nanos));
  Json body = Json::object();
  cJSON* root = body.get();
  json_set_string(root, "apiVersion", "v1");
  json_set_string(root, "kind", "Event");
  cJSON* meta = json_add_object(root, "metadata");
  json_set_string(meta, "name", event.name + suffix);
  json_set_string(meta, "namespace", event.ns);
  cJSON* object = json_add_object(root, "involvedObject");
  json_set_string(object, "apiVersion", "v1");
  json_set_string(object, "kind", "Secret");
  json_set_string(object, "namespace", event.ns);
  json_set_string(object, "name", event.name);
  if (!event.uid.empty()) json_set_string(object, "uid", event.uid);
  json_set_string(root, "reason", event.reason);
  json_set_string(root, "message", event.message);
  json_set_string(root, "type", event.warning ? "Warning" : "Normal");
  json_set_string(root, "firstTimestamp", now_rfc3339);
  json_set_string(root, "lastTimestamp", now_rfc3339);
  cJSON_AddNumberToObject(root, "count", 1);
  json_set_string(json_add_object(root, "source"), "component", kComponent);
  json_set_string(root, "reportingComponent", kComponent);
  return body;
}

}  // namespace imps::modes
