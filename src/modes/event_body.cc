#include "modes/event_body.h"

#include <cstdio>
#include <string>

namespace imps::modes {

Json core_event_body(const InvolvedObject& involved, std::string_view event_namespace, const CoreEvent& event,
                     uint64_t unix_nanos, std::string_view now_rfc3339) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(unix_nanos));
  Json body = Json::object();
  cJSON* root = body.get();
  json_set_string(root, "apiVersion", "v1");
  json_set_string(root, "kind", "Event");
  cJSON* meta = json_add_object(root, "metadata");
  json_set_string(meta, "name", std::string(involved.name) + suffix);
  json_set_string(meta, "namespace", event_namespace);
  cJSON* object = json_add_object(root, "involvedObject");
  json_set_string(object, "apiVersion", involved.api_version);
  json_set_string(object, "kind", involved.kind);
  if (!involved.namespace_name.empty()) json_set_string(object, "namespace", involved.namespace_name);
  json_set_string(object, "name", involved.name);
  if (!involved.uid.empty()) json_set_string(object, "uid", involved.uid);
  json_set_string(root, "reason", event.reason);
  json_set_string(root, "message", event.message);
  json_set_string(root, "type", event.warning ? "Warning" : "Normal");
  json_set_string(root, "firstTimestamp", now_rfc3339);
  json_set_string(root, "lastTimestamp", now_rfc3339);
  cJSON_AddNumberToObject(root, "count", 1);
  json_set_string(json_add_object(root, "source"), "component", event.component);
  json_set_string(root, "reportingComponent", event.component);
  return body;
}

}  // namespace imps::modes
