#include "modes/event_recorder.h"

#include "kube/resource.h"
#include "modes/event_body.h"
#include "obs/log.h"

namespace imps::modes {
namespace {

constexpr std::string_view kEventNamespace = "default";  // where client-go puts events of cluster-scoped objects
constexpr std::string_view kComponent = "imps";

}  // namespace

Json event_body(const ImagePullSecret& involved, const EventSpec& event, uint64_t unix_nanos,
                std::string_view now_rfc3339) {
  return core_event_body({kApiVersion, kKind, {}, involved.name, involved.uid}, kEventNamespace,
                         {event.type == EventType::Warning, event.reason, event.message, kComponent},
                         unix_nanos, now_rfc3339);
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
