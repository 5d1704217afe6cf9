#include <doctest/doctest.h>

#include <cerrno>

#include "kube/reflector_state.h"

using namespace imps;
using namespace imps::kube;

namespace {

struct Fixture {
  ManualClock clock;
  Random random{42};
  ReflectorState state{clock, random};

  // Start, list at `rv`, open the watch: the common prefix of most scripts.
  ReflectorStep listed_and_watching(const std::string& rv) {
    ReflectorStep first = state.start();
    REQUIRE(first.op == ReflectorOp::List);
    ReflectorStep watch = state.list_succeeded(rv);
    state.watch_opened();
    return watch;
  }
};

Error gone() { return make_error(ErrorKind::Gone, "too old resource version: 1 (2)", 410); }
Error internal() { return make_error(ErrorKind::Transient, "InternalError", 500); }

}  // namespace

TEST_CASE("reflector: first list is a most-recent read, then watch from the list's RV") {
  Fixture f;
  ReflectorStep list = f.state.start();
  CHECK(list.op == ReflectorOp::List);
  CHECK(list.resource_version.empty());
  CHECK(list.delay_ms == 0);

  ReflectorStep watch = f.state.list_succeeded("48210");
  CHECK(watch.op == ReflectorOp::Watch);
  CHECK(watch.resource_version == "48210");
  CHECK(watch.delay_ms == 0);
  CHECK(watch.timeout_seconds >= 300);
  CHECK(watch.timeout_seconds < 600);
  CHECK(f.state.counters().relists == 0);
  CHECK(f.state.counters().watch_restarts == 0);
}

TEST_CASE("reflector: watch timeouts are spread over 300 to 600 s") {
  Fixture f;
  f.listed_and_watching("1");
  int lowest = 600, highest = 0;
  for (int i = 0; i < 200; ++i) {
    f.state.watch_event("2");
    ReflectorStep next = f.state.watch_ended();
    REQUIRE(next.op == ReflectorOp::Watch);
    f.state.watch_opened();
    lowest = std::min(lowest, next.timeout_seconds);
    highest = std::max(highest, next.timeout_seconds);
  }
  CHECK(lowest >= 300);
  CHECK(highest < 600);
  CHECK(highest - lowest > 100);  // not a constant
}

TEST_CASE("reflector: events and bookmarks advance the RV; a clean end re-watches from it") {
  Fixture f;
  f.listed_and_watching("100");
  f.state.watch_event("105");
  f.state.watch_event("230");  // BOOKMARK: only the RV moves
  CHECK(f.state.resource_version() == "230");
  f.clock.advance(300'000);

  ReflectorStep next = f.state.watch_ended();
  CHECK(next.op == ReflectorOp::Watch);
  CHECK(next.resource_version == "230");
  CHECK(next.delay_ms == 0);
  CHECK(f.state.counters().watch_restarts == 1);
  CHECK(f.state.counters().relists == 0);
}

TEST_CASE("reflector: a long idle watch that ends cleanly is not an error") {
  Fixture f;
  f.listed_and_watching("100");
  f.clock.advance(5'000);
  ReflectorStep next = f.state.watch_ended();
  CHECK(next.op == ReflectorOp::Watch);
  CHECK(next.resource_version == "100");
  CHECK(next.delay_ms == 0);
}

TEST_CASE("reflector: a watch that ends within 1 s with no events counts as an error") {
  Fixture f;
  f.listed_and_watching("100");
  f.clock.advance(999);
  ReflectorStep next = f.state.watch_ended();
  CHECK(next.op == ReflectorOp::List);
  CHECK(next.resource_version == "100");
  CHECK(next.delay_ms >= 800);
  CHECK(f.state.counters().relists == 1);

  SUBCASE("but a quick one with events is fine") {
    f.state.list_succeeded("100");
    f.state.watch_opened();
    f.state.watch_event("101");
    ReflectorStep again = f.state.watch_ended();
    CHECK(again.op == ReflectorOp::Watch);
    CHECK(again.delay_ms == 0);
  }
}

TEST_CASE("reflector: a stream that breaks before its head counts as short and empty") {
  Fixture f;
  f.state.start();
  f.state.list_succeeded("7");
  f.clock.advance(10'000);  // no watch_opened(): the head never came
  ReflectorStep next = f.state.watch_ended();
  CHECK(next.op == ReflectorOp::List);
  CHECK(next.delay_ms > 0);
}

TEST_CASE("reflector: ERROR 410 relists from the last RV at once, then without RV if that 410s") {
  Fixture f;
  f.listed_and_watching("100");
  f.state.watch_event("150");

  ReflectorStep relist = f.state.watch_failed(gone());
  CHECK(relist.op == ReflectorOp::List);
  CHECK(relist.resource_version == "150");
  CHECK(relist.delay_ms == 0);
  CHECK(f.state.counters().relists == 1);

  ReflectorStep fresh = f.state.list_failed(gone());
  CHECK(fresh.op == ReflectorOp::List);
  CHECK(fresh.resource_version.empty());
  CHECK(fresh.delay_ms == 0);
  CHECK(f.state.counters().relists == 2);

  ReflectorStep watch = f.state.list_succeeded("900");
  CHECK(watch.op == ReflectorOp::Watch);
  CHECK(watch.resource_version == "900");
  CHECK(f.state.counters().watch_restarts == 1);
}

TEST_CASE("reflector: a relist from an RV the server has not seen yet falls back to most recent") {
  Fixture f;
  f.listed_and_watching("100");
  f.state.watch_failed(gone());
  ReflectorStep next = f.state.list_failed(
      make_error(ErrorKind::Transient, "Too large resource version: 100, current: 40 (504 Timeout)", 504));
  CHECK(next.op == ReflectorOp::List);
  CHECK(next.resource_version.empty());
  CHECK(next.delay_ms == 0);
}

TEST_CASE("reflector: a 410 on a most-recent list is an ordinary error (backoff, same list)") {
  Fixture f;
  f.state.start();
  ReflectorStep next = f.state.list_failed(gone());
  CHECK(next.op == ReflectorOp::List);
  CHECK(next.resource_version.empty());
  CHECK(next.delay_ms >= 800);
}

TEST_CASE("reflector: connection refused and 429 re-watch after backoff; others relist") {
  Fixture f;
  f.listed_and_watching("100");
  f.state.watch_event("120");

  ReflectorStep refused = f.state.watch_failed(make_error(ErrorKind::Transient, "refused", ECONNREFUSED));
  CHECK(refused.op == ReflectorOp::Watch);
  CHECK(refused.resource_version == "120");
  CHECK(refused.delay_ms >= 800);

  ReflectorStep throttled = f.state.watch_failed(make_error(ErrorKind::Transient, "TooManyRequests", 429));
  CHECK(throttled.op == ReflectorOp::Watch);
  CHECK(throttled.resource_version == "120");

  ReflectorStep other = f.state.watch_failed(internal());
  CHECK(other.op == ReflectorOp::List);
  CHECK(other.resource_version == "120");
  CHECK(other.delay_ms > 0);

  ReflectorStep forbidden = f.state.list_failed(make_error(ErrorKind::Forbidden, "forbidden", 403));
  CHECK(forbidden.op == ReflectorOp::List);
  CHECK(forbidden.resource_version == "120");  // the same list again
  CHECK(f.state.counters().watch_restarts == 2);
  CHECK(f.state.counters().relists == 2);
}

TEST_CASE("reflector: backoff delays double with jitter up to 30 s, and reset after 2 min") {
  Fixture f;
  f.state.start();
  Millis base = 800;
  for (int i = 0; i < 10; ++i) {
    ReflectorStep next = f.state.list_failed(internal());
    CAPTURE(i);
    CHECK(next.delay_ms >= base);
    CHECK(next.delay_ms <= 2 * base);  // jitter 1.0 adds at most the delay itself
    f.clock.advance(next.delay_ms);
    base = std::min<Millis>(base * 2, 30'000);
  }
  CHECK(base == 30'000);

  f.state.list_succeeded("5");
  f.state.watch_opened();
  f.clock.advance(121'000);  // healthy for more than 2 min
  ReflectorStep after_quiet = f.state.watch_failed(internal());
  CHECK(after_quiet.delay_ms >= 800);
  CHECK(after_quiet.delay_ms <= 1'600);
}
