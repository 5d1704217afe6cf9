// The reflector's decisions without I/O (client-go tools/cache reflector semantics): given what
// the last LIST or WATCH produced, what to request next, from which resourceVersion and after how
// long a wait. The Reflector executes these steps on the event loop; tests drive this class with
// scripted outcomes and a ManualClock.
//
// Invariants:
//  - One request is in flight at a time: every input answers the step last returned.
//  - resource_version() is the last RV the consumer has seen (list snapshot, then every event
//    including bookmarks); a watch always resumes from it.
//  - A relist after history loss (410) first asks for "not older than" the last RV, and only if
//    that is gone too (or too new for this server) for the most recent state; the consumer
//    always receives the full new list.
//  - Failures other than 410 wait a backoff delay (0.8 s doubling to 30 s, jittered, reset after
//    2 min without failures); connection refused and 429 then re-watch, anything else relists.
// Does not: parse anything, log, hold objects or touch timers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "kube/backoff.h"

namespace imps::kube {

enum class ReflectorOp { List, Watch };

struct ReflectorStep {
  ReflectorOp op = ReflectorOp::List;
  std::string resource_version;  // List: "" = most recent (quorum read); Watch: resume point
  Millis delay_ms = 0;           // wait this long first (backoff); 0 = now
  int timeout_seconds = 0;       // Watch only: when the server should end the stream
};

struct ReflectorCounters {
  uint64_t relists = 0;         // lists after the first one
  uint64_t watch_restarts = 0;  // watches after the first one
};

class ReflectorState {
 public:
  ReflectorState(const Clock& clock, Random& random, BackoffParams backoff = {});

  ReflectorStep start();

  // The paginated LIST finished; `resource_version` is the snapshot's RV.
  ReflectorStep list_succeeded(std::string resource_version);
  ReflectorStep list_failed(const Error& error);

  // The WATCH request got its 200 head: the stream is open.
  void watch_opened();
  // An ADDED/MODIFIED/DELETED/BOOKMARK event carried `resource_version`.
  void watch_event(std::string_view resource_version);
  // An ERROR event (the stream is then abandoned), a non-2xx answer or a failure before the head.
  ReflectorStep watch_failed(const Error& error);
  // The stream ended, cleanly or by a broken connection: both resume from the last RV, as
  // client-go treats an unexpected EOF as closure (everything delivered so far was applied).
  ReflectorStep watch_ended();

  const std::string& resource_version() const { return resource_version_; }
  const ReflectorCounters& counters() const { return counters_; }

 private:
  ReflectorStep list(std::string resource_version, Millis delay_ms);
  ReflectorStep watch(Millis delay_ms);

  const Clock& clock_;
  Random& random_;
  Backoff backoff_;
  std::string resource_version_;
  std::string listing_from_;  // the RV the LIST in flight asked for
  bool listed_once_ = false;
  bool watched_once_ = false;
  Millis watch_opened_at_ = -1;  // -1 until the stream's head arrived
  uint64_t watch_events_ = 0;
  ReflectorCounters counters_;
};

}  // namespace imps::kube
