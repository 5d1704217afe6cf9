#include <doctest/doctest.h>

#include "kube/backoff.h"

using namespace imps;
using namespace imps::kube;

namespace {

BackoffParams without_jitter() {
  BackoffParams params;
  params.jitter = 0;
  return params;
}

}  // namespace

TEST_CASE("backoff doubles from 800 ms to the 30 s cap without jitter") {
  ManualClock clock;
  Random random(1);
  Backoff backoff(clock, random, without_jitter());
  const Millis expected[] = {800, 1600, 3200, 6400, 12800, 25600, 30000, 30000};
  for (Millis e : expected) {
    CHECK(backoff.next_delay() == e);
    clock.advance(1000);
  }
}

TEST_CASE("backoff jitter adds between 0 and 1x the delay") {
  ManualClock clock;
  Random random(42);
  Backoff backoff(clock, random);
  Millis base = 800;
  for (int i = 0; i < 10; ++i) {
    const Millis d = backoff.next_delay();
    CHECK(d >= base);
    CHECK(d < 2 * base);
    base = std::min<Millis>(base * 2, 30'000);
  }
}

TEST_CASE("backoff restarts after two quiet minutes, not before") {
  ManualClock clock;
  Random random(1);
  Backoff backoff(clock, random, without_jitter());
  CHECK(backoff.next_delay() == 800);
  CHECK(backoff.next_delay() == 1600);
  clock.advance(120'000);
  CHECK(backoff.next_delay() == 3200);  // exactly 2 min is not "more than" 2 min
  clock.advance(120'001);
  CHECK(backoff.next_delay() == 800);
}

TEST_CASE("backoff is reproducible for a fixed seed") {
  ManualClock clock;
  Random a(7), b(7);
  Backoff x(clock, a), y(clock, b);
  for (int i = 0; i < 5; ++i) CHECK(x.next_delay() == y.next_delay());
}
