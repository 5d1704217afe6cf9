// Coalesced /status writes of ImagePullSecrets. Reconciles hand in the status they planned; the
// writer sends at most one write per resource per `interval`, timed from the previous write's
// answer: the first change after a quiet interval goes out at once, later ones wait for the
// interval to end and are merged, so the write at its end carries the final state of the burst.
// Writes go at low priority (kube::Priority::Low): Secret writes waiting for the rate limiter
// go first.
//
// Each write is conditional on the resourceVersion its status was planned against, so a spec
// edit in between makes it fail (409) rather than report on a spec it did not see; only our own
// last write in between moves that version on (a reconcile may plan before it and submit after). A failed write drops what was waiting and reports the
// resource through `failed`, whose re-reconcile plans and submits afresh. A successful answer
// updates the cached resource, as the watch event would.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "imps/resource.h"
#include "kube/client.h"
#include "loop/event_loop.h"
#include "modes/controller_cache.h"

namespace imps::modes {

// At most one status write per resource per second (spec section 10); not a flag.
inline constexpr Millis kStatusWriteInterval = 1'000;

class StatusWriter {
 public:
  using Failed = std::function<void(const std::string& name, const Error& error)>;

  StatusWriter(loop::EventLoop& loop, kube::Client& client, ControllerCache& cache, Millis interval)
      : loop_(loop), client_(client), cache_(cache), interval_(interval) {}

  void on_failed(Failed failed) { failed_ = std::move(failed); }
  // What the resource's status will be once the submitted writes are done: the last status
  // submitted and not yet answered, else the cached one. Plans compare against this.
  const ResourceStatus& latest(const ImagePullSecret& resource) const;
  // `resource` as it was planned against (name, uid, resourceVersion).
  void submit(const ImagePullSecret& resource, ResourceStatus status);
  // True when `resource` (from a watch event) is what our write in flight will make it: the
  // same spec generation and the status we sent. Its watch event may beat the write's answer.
  bool is_own_write(const ImagePullSecret& resource) const;
    // The resource is gone: drop its waiting write and ignore the answer of one in flight.
  void forget(const std::string& name);

 private:
  struct Entry {
    uint64_t generation = 0;  // tells an answer for a forgotten resource from one for its successor
    std::string uid;
    std::string resource_version;  // what the waiting status was planned against
    std::optional<ResourceStatus> submitted;  // latest submitted, until a write of it answers
    bool waiting = false;    // `submitted` not sent yet
    bool in_flight = false;
    ResourceStatus sent;  // the status of the write in flight
    std::string sent_version;  // the resourceVersion the write in flight carries
    // The previous write moved the resource from `own_from` to `own_to`: a status planned
    // against `own_from` saw everything but that write, so it is sent with `own_to`.
    std::string own_from, own_to;
    std::optional<Millis> answered_ms;  // of the previous write
    loop::Timer timer;
  };

  void schedule(const std::string& name, Entry& entry);
  void send(const std::string& name);
  void answered(const std::string& name, uint64_t generation, Result<Json> answer);

  loop::EventLoop& loop_;
  kube::Client& client_;
  ControllerCache& cache_;
  Millis interval_;
  Failed failed_;
  uint64_t generations_ = 0;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace imps::modes
