// The descriptor budget. The loop is select()-based (docs/architecture.md): a descriptor at or
// above FD_SETSIZE cannot be watched, so once the process holds that many, every new connection
// fails, whatever it is for. The budget makes the ceiling explicit: the usable descriptors
// (min(FD_SETSIZE, RLIMIT_NOFILE) minus a reserve for listeners, health and metrics clients,
// resolver eventfds, the signal pipe, files read at runtime and stdio) are shared out between
// parts, so that watches, which are one connection each and exempt from the per-origin cap,
// can never take the connections that writes, lease renewals or AWS calls need:
//   Kubernetes requests  10 %, at least 16 (http::Client caps a client at 8; the lease has its own)
//   AWS requests         10 %, at least 8  (one client per endpoint, 8 each)
//   anything else        10 %, at least 4
//   Kubernetes watches   the rest: 70 % of 1024 (one per resource kind + one per source namespace)
// A connection that would pass its part's share is refused with a Transient error (its caller
// retries with backoff), counted, and logged at most once a minute per part; the counts are
// exported as imps_connections{part} and imps_connection_budget_refusals_total{part}.
// Process-wide and loop-thread only (like everything but the resolver's helper).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace imps::http {

enum class Part : uint8_t { KubeWatches, KubeRequests, Aws, Other };  // KubeWatches first: gets the rest
constexpr size_t kParts = 4;
std::string_view part_name(Part part);  // "kubernetes_watches", "kubernetes", "aws", "other"

// A reserve of an eighth of the descriptors, at least 16: listeners, accepted probe and metrics
// connections (capped by http::Server), eventfds, pipes, files and stdio.
constexpr size_t kMinReservedFds = 16;
constexpr Millis kBudgetLogIntervalMs = 60'000;  // a refusal storm logs once a minute per part

struct PartUsage {
  size_t open = 0;
  size_t limit = 0;
  uint64_t refusals = 0;
};

class ConnectionBudget {
 public:
  // Shares out `descriptors` (min(FD_SETSIZE, RLIMIT_NOFILE) for the process).
  explicit ConnectionBudget(size_t descriptors, Clock& clock = system_clock());
  static ConnectionBudget& process();

  // One connection's hold on its part's share; move-only, released on destruction.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept : budget_(other.budget_), part_(other.part_) { other.budget_ = nullptr; }
    Slot& operator=(Slot&& other) noexcept;
    ~Slot() { release(); }

   private:
    friend class ConnectionBudget;
    Slot(ConnectionBudget* budget, Part part) : budget_(budget), part_(part) {}
    void release();
    ConnectionBudget* budget_ = nullptr;
    Part part_ = Part::Other;
  };

  // A slot, or a Transient error naming the part and its share (counted, logged now and then).
  Result<Slot> acquire(Part part);
  const PartUsage& usage(Part part) const { return usage_[static_cast<size_t>(part)]; }
  size_t usable() const { return usable_; }

 private:
  size_t usable_;
  Clock& clock_;
  std::array<PartUsage, kParts> usage_{};
  std::array<Millis, kParts> last_log_{};
  std::array<bool, kParts> logged_{};
};

}  // namespace imps::http
