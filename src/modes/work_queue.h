// A queue of keys to reconcile (ImagePullSecret names, or "<name>/<namespace>" for one of its
// namespaces: see controller.h), with client-go workqueue semantics:
//  - adding a key that is already waiting does nothing, so a burst of events collapses into one
//    reconcile;
//  - a key being worked on is never handed out again until done(); adding it meanwhile marks it
//    to be queued again once done() is called;
//  - failures are counted per key and turned into an exponential delay (failed()); forget()
//    clears the count after a success.
// Pure bookkeeping: no clock and no timers (the controller schedules delayed re-adds). It counts
// what client-go's workqueue metrics count: adds that were not collapsed into a waiting key, and
// failures (each one a rate-limited re-add).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace imps::modes {

struct RetryParams {
  Millis initial_ms = 500;   // a failed write is usually a brief API hiccup: try again soon
  Millis cap_ms = 300'000;   // never wait longer than the default periodic resync
};

class WorkQueue {
 public:
  explicit WorkQueue(RetryParams params = {}) : params_(params) {}

  void add(std::string_view key);
  // The next key to work on (FIFO), now marked as in progress; nullopt when none is waiting.
  std::optional<std::string> pop();
  // Work on `key` ended; a key added meanwhile is queued again.
  void done(const std::string& key);
  // Records a failure of `key` and returns how long to wait before adding it again:
  // initial × 2^(failures-1), capped.
  Millis failed(const std::string& key);
  void forget(const std::string& key) { failures_.erase(key); }

  size_t waiting() const { return order_.size(); }
  uint64_t adds() const { return adds_; }
  uint64_t retries() const { return retries_; }
  size_t in_progress() const { return active_.size(); }
  bool is_active(std::string_view key) const { return active_.count(key) != 0; }
  bool is_waiting(std::string_view key) const { return waiting_.count(key) != 0; }
  // Whether some key starting with `prefix` is in progress.
  bool any_active_with_prefix(std::string_view prefix) const;

 private:
  using KeySet = std::set<std::string, std::less<>>;
  RetryParams params_;
  std::deque<std::string> order_;
  KeySet waiting_;  // exactly the keys in order_
  KeySet active_;
  KeySet again_;    // added while active
  std::map<std::string, int, std::less<>> failures_;
  uint64_t adds_ = 0;
  uint64_t retries_ = 0;
};

}  // namespace imps::modes
