#include "modes/event_recorder.h"

#include <cstdio>

#include "kube/resource.h"
#include "obs/log.h"

namespace imps::modes {
namespace {

constexpr std::string_view kEventNamespace = "default";  // where client-go puts events of cluster-scoped objects
constexpr std::string_view kComponent = "imps";

}  // namespace

Json event_body(const ImagePullSecret& involved, const EventSpec& event, uint64_t unix_nanos,
                std::string_view now_rfc3339) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(unix_nanos));
  Json body = Json::object();
  cJSON* root = body.get();
  json_set_string(root, "apiVersion", "v1");
  json_set_string(root, "kind", "Event");
  cJSON* meta = json_add_object(root, "metadata");
  json_set_string(meta, "name", involved.name + suffix);
  json_set_string(meta, "namespace", kEventNamespace);
  cJSON* object = json_add_object(root, "involvedObject");
  json_set_string(object, "apiVersion", kApiVersion);
  json_set_string(object, "kind", kKind);
  json_set_string(object, "name", involved.name);
  json_set_string(object, "uid", involved.uid);
  json_set_string(root, "reason", event.reason);
  json_set_string(root, "message", event.message);
  json_set_string(root, "type", event.type == EventType::Normal ? "Normal" : "Warning");
  json_set_string(root, "firstTimestamp", now_rfc3339);
  json_set_string(root, "lastTimestamp", now_rfc3339);
  cJSON_AddNumberToObject(root, "count", 1);
  json_set_string(json_add_object(root, "source"), "component", kComponent);
  json_set_string(root, "reportingComponent", kComponent);
  return body;
}

void EventRecorder::record(const ImagePullSecret& involved, const EventSpec& event) {
  std::string key = involved.uid + '\n' + (event.type == EventType::Normal ? "N" : "W") + '\n' + event.reason +
                    '\n' + event.message;
  if (sent_.count(key)) return;
  if (sent_.size() >= kMaxRememberedEvents) sent_.clear();
  sent_.insert(std::move(key));
  int64_t now_ms = clock_.wall_unix_ms();
  uint64_t nanos = static_cast<uint64_t>(now_ms) * 1'000'000;
  if (nanos <= last_nanos_) nanos = last_nanos_ + 1;
  last_nanos_ = nanos;
  Json body = event_body(involved, event, nanos, format_rfc3339(now_ms / 1000));
  std::string name = involved.name;
  std::string reason = event.reason;
  client_.create(kube::kEvents, kEventNamespace, body, [name, reason](Result<Json> result) {
    if (!result.ok())
      obs::warn("event not recorded", {{"imagepullsecret", name}, {"reason", reason}, {"error", result.error().message}});
  });
}

}  // namespace imps::modes
