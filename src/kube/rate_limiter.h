// Client-side rate limit for API requests (--qps, --burst): a token bucket that starts full,
// holds at most `burst` tokens and refills at `qps` per second. reserve() takes a token and says
// how long the caller must wait before sending; reservations queue up like golang.org/x/time/rate
// (the bucket may go negative), so callers just wait the returned delay. Watches that are
// already running are not rate-limited (the client does not call this for stream bytes).
// Low-priority requests (status writes) do not reserve: they take a token only when one is spare,
// i.e. when no reserved request is still waiting, so they never delay the writes that matter.
#pragma once

#include "base/clock.h"

namespace imps::kube {

class RateLimiter {
 public:
  // qps <= 0 disables limiting; burst < 1 is treated as 1.
  RateLimiter(const Clock& clock, double qps, int burst);

  // Takes one token; 0 = send now, else the delay in ms until the request may go.
  Millis reserve();
  // For a low-priority request: 0 = a spare token was taken, send now; else nothing was taken and
  // this is the delay until one may be spare (ask again then: reservations may come in between).
  Millis take_spare();

 private:
  void refill();

  const Clock& clock_;
  double qps_;
  double burst_;
  double tokens_;
  Millis updated_ms_;
};

}  // namespace imps::kube
