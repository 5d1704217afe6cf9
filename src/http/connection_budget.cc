#include "http/connection_budget.h"

#include <sys/resource.h>
#include <sys/select.h>

#include <algorithm>
#include <utility>

#include "obs/log.h"

namespace imps::http {
namespace {

// Requests, AWS and the rest get 10 % each, but at least their floor; watches get what is left.
constexpr size_t kSharePercent = 10;
// Two Kubernetes clients (the main one and the lease's) of 8 connections; one AWS endpoint's 8.
constexpr std::array<size_t, kParts> kFloor = {0, 16, 8, 4};

size_t process_descriptors() {
  rlimit limit{};
  size_t descriptors = FD_SETSIZE;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    descriptors = std::min(descriptors, static_cast<size_t>(limit.rlim_cur));
  }
  return descriptors;
}

}  // namespace

std::string_view part_name(Part part) {
  switch (part) {
    case Part::KubeWatches: return "kubernetes_watches";
    case Part::KubeRequests: return "kubernetes";
    case Part::Aws: return "aws";
    case Part::Other: break;
  }
  return "other";
}

ConnectionBudget::ConnectionBudget(size_t descriptors, Clock& clock)
    : usable_(descriptors - std::min(descriptors, std::max(kMinReservedFds, descriptors / 8))), clock_(clock) {
  size_t others = 0;
  for (size_t i = 1; i < kParts; ++i) {
    usage_[i].limit = std::max(kFloor[i], usable_ * kSharePercent / 100);
    others += usage_[i].limit;
  }
  usage_[static_cast<size_t>(Part::KubeWatches)].limit = std::max<size_t>(1, usable_ - std::min(usable_, others));
}

ConnectionBudget& ConnectionBudget::process() {
  static ConnectionBudget budget(process_descriptors());
  return budget;
}

ConnectionBudget::Slot& ConnectionBudget::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = std::exchange(other.budget_, nullptr);
    part_ = other.part_;
  }
  return *this;
}

void ConnectionBudget::Slot::release() {
  if (budget_ == nullptr) return;
  --budget_->usage_[static_cast<size_t>(part_)].open;
  budget_ = nullptr;
}

Result<ConnectionBudget::Slot> ConnectionBudget::acquire(Part part) {
  const size_t index = static_cast<size_t>(part);
  PartUsage& usage = usage_[index];
  if (usage.open < usage.limit) {
    ++usage.open;
    return Slot(this, part);
  }
  ++usage.refusals;
  const std::string text = "connection budget of " + std::string(part_name(part)) + " exhausted: " +
                           std::to_string(usage.limit) + " connections of " + std::to_string(usable_) +
                           " usable descriptors (select() watches fewer than FD_SETSIZE=" + std::to_string(FD_SETSIZE) + ")";
  const Millis now = clock_.steady_ms();
  if (!logged_[index] || now - last_log_[index] >= kBudgetLogIntervalMs) {
    logged_[index] = true;
    last_log_[index] = now;
    obs::warn("connection budget exhausted; new connections of this part wait",
              {{"part", part_name(part)}, {"limit", static_cast<long long>(usage.limit)},
               {"refusals", static_cast<long long>(usage.refusals)}});
  }
  return make_error(ErrorKind::Transient, text);
}

}  // namespace imps::http
