#include "kube/backoff.h"

#include <algorithm>

namespace imps::kube {

Millis Backoff::next_delay() {
  const Millis now = clock_.steady_ms();
  if (failed_before_ && now - last_failure_ms_ > params_.reset_after_ms) next_ms_ = params_.initial_ms;
  failed_before_ = true;
  last_failure_ms_ = now;

  const Millis delay = next_ms_;
  next_ms_ = std::min(params_.cap_ms, Millis(double(next_ms_) * params_.factor));
  return delay + Millis(random_.uniform() * params_.jitter * double(delay));
}

}  // namespace imps::kube
