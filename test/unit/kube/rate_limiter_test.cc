#include <doctest/doctest.h>

#include "kube/rate_limiter.h"

using namespace imps;
using namespace imps::kube;

TEST_CASE("rate limiter lets a full burst through, then spaces requests at 1/qps") {
  ManualClock clock;
  RateLimiter limiter(clock, 20, 40);
  for (int i = 0; i < 40; ++i) CHECK(limiter.reserve() == 0);
  CHECK(limiter.reserve() == 50);
  CHECK(limiter.reserve() == 100);  // reservations queue behind each other
  clock.advance(100);
  CHECK(limiter.reserve() == 50);
}

TEST_CASE("rate limiter refills up to the burst only") {
  ManualClock clock;
  RateLimiter limiter(clock, 10, 2);
  CHECK(limiter.reserve() == 0);
  CHECK(limiter.reserve() == 0);
  CHECK(limiter.reserve() == 100);
  clock.advance(10'000);  // long idle: back to a full bucket of 2, not 100
  CHECK(limiter.reserve() == 0);
  CHECK(limiter.reserve() == 0);
  CHECK(limiter.reserve() == 100);
}

TEST_CASE("rate limiter with fractional qps rounds delays up") {
  ManualClock clock;
  RateLimiter limiter(clock, 3, 1);
  CHECK(limiter.reserve() == 0);
  CHECK(limiter.reserve() == 334);
}

TEST_CASE("rate limiter disabled by qps <= 0; burst < 1 acts as 1") {
  ManualClock clock;
  RateLimiter off(clock, 0, 0);
  for (int i = 0; i < 1000; ++i) CHECK(off.reserve() == 0);
  RateLimiter one(clock, 1, 0);
  CHECK(one.reserve() == 0);
  CHECK(one.reserve() == 1000);
}

TEST_CASE("rate limiter gives low-priority requests only spare tokens, after every reservation") {
  ManualClock clock;
  RateLimiter limiter(clock, 10, 2);
  CHECK(limiter.take_spare() == 0);  // a spare token: no reservation waits
  CHECK(limiter.reserve() == 0);
  CHECK(limiter.reserve() == 100);  // one reservation waits for the next token
  CHECK(limiter.take_spare() == 200);  // after it, and a whole token more
  clock.advance(150);
  CHECK(limiter.reserve() == 50);  // a later reservation still goes first
  CHECK(limiter.take_spare() == 150);
  clock.advance(150);
  CHECK(limiter.take_spare() == 0);
  CHECK(limiter.reserve() == 100);  // the spare token was really taken
}

TEST_CASE("rate limiter disabled: low-priority requests go at once too") {
  ManualClock clock;
  RateLimiter off(clock, 0, 0);
  for (int i = 0; i < 10; ++i) CHECK(off.take_spare() == 0);
}
