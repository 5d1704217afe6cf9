#include "kube/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace imps::kube {

RateLimiter::RateLimiter(const Clock& clock, double qps, int burst)
    : clock_(clock),
      qps_(qps),
      burst_(std::max(burst, 1)),
      tokens_(burst_),
      updated_ms_(clock.steady_ms()) {}

void RateLimiter::refill() {
  const Millis now = clock_.steady_ms();
  if (now <= updated_ms_) return;
  tokens_ = std::min(burst_, tokens_ + double(now - updated_ms_) * qps_ / 1000.0);
  updated_ms_ = now;
}

Millis RateLimiter::reserve() {
  if (qps_ <= 0) return 0;
  refill();
  tokens_ -= 1;
  if (tokens_ >= 0) return 0;
  return Millis(std::ceil(-tokens_ * 1000.0 / qps_));
}

Millis RateLimiter::take_spare() {
  if (qps_ <= 0) return 0;
  refill();
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return 0;
  }
  return std::max<Millis>(1, Millis(std::ceil((1 - tokens_) * 1000.0 / qps_)));
}

}  // namespace imps::kube
