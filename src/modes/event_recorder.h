// core/v1 Events about ImagePullSecrets, as client-go's recorder writes them: in namespace
// `default` (the resource is cluster-scoped), involvedObject = apiVersion/kind/name/uid, named
// `<name>.<unix nanos in hex>`, source.component "imps".
// Spam control is simpler than client-go's correlator: an identical event (same resource, type,
// reason, message) is sent once per period; the controller starts a new period at each resync.
// Sending is fire-and-forget: a failed POST is logged, never retried (events are best-effort).
// Messages are built by the caller from names and error texts, never from Secret data.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"
#include "imps/resource.h"
#include "kube/client.h"

namespace imps::modes {

// client-go's correlator keeps 4096 keys; beyond that a period simply starts over early.
inline constexpr size_t kMaxRememberedEvents = 4096;

enum class EventType { Normal, Warning };

struct EventSpec {
  EventType type = EventType::Normal;
  std::string reason;   // UpperCamelCase, e.g. ReconciliationFailed
  std::string message;
};

// The POST body (pure, for tests); `unix_nanos` names the event and `now_rfc3339` stamps it.
Json event_body(const ImagePullSecret& involved, const EventSpec& event, uint64_t unix_nanos,
                std::string_view now_rfc3339);

class EventRecorder {
 public:
  EventRecorder(kube::Client& client, const Clock& clock) : client_(client), clock_(clock) {}
  void record(const ImagePullSecret& involved, const EventSpec& event);
  void new_period() { sent_.clear(); }

 private:
  kube::Client& client_;
  const Clock& clock_;
  std::set<std::string> sent_;  // uid, type, reason and message of events sent this period
  uint64_t last_nanos_ = 0;     // names stay unique when two events share a millisecond
};

}  // namespace imps::modes
