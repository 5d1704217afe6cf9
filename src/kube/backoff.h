// client-go's exponential backoff for reflectors (NewExponentialBackoffManager): the first
// failure waits ~initial, each further one doubles up to the cap, every delay gets up to
// `jitter` × itself added at random, and the sequence restarts once reset_after has passed
// since the previous failure. Time and randomness are injected. Knows nothing about what failed.
#pragma once

#include "base/clock.h"
#include "base/random.h"

namespace imps::kube {

struct BackoffParams {
  Millis initial_ms = 800;      // client-go's reflector value
  double factor = 2.0;
  double jitter = 1.0;          // delay is d + uniform[0, jitter) × d, as in client-go
  Millis cap_ms = 30'000;       // the un-jittered delay never exceeds this
  Millis reset_after_ms = 120'000;  // a quiet spell this long means the trouble is over
};

class Backoff {
 public:
  Backoff(const Clock& clock, Random& random, BackoffParams params = {})
      : clock_(clock), random_(random), params_(params), next_ms_(params.initial_ms) {}

  // Call on each failure: how long to wait before trying again.
  Millis next_delay();

 private:
  const Clock& clock_;
  Random& random_;
  BackoffParams params_;
  Millis next_ms_;
  Millis last_failure_ms_ = 0;
  bool failed_before_ = false;
};

}  // namespace imps::kube
