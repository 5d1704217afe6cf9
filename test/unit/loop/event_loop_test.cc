#include "loop/event_loop.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

namespace imps::loop {
namespace {

constexpr Millis kTestDeadlineMs = 5'000;  // generous: CI machines are shared and slow

struct SocketPair {
  UniqueFd a, b;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
};

// Runs the loop until `done()` or the deadline; returns done().
template <class Pred>
bool run_until(EventLoop& loop, Pred done) {
  const Millis deadline = loop.now() + kTestDeadlineMs;
  while (!done() && loop.now() < deadline) REQUIRE(loop.run_once(50).ok());
  return done();
}

void write_byte(int fd) { REQUIRE(::write(fd, "x", 1) == 1); }

TEST_CASE("readable and writable readiness reach the handler") {
  EventLoop loop;
  SocketPair pair;
  uint8_t seen = 0;
  REQUIRE(loop.add_fd(pair.a.get(), kWritable, [&](uint8_t ready) { seen |= ready; }).ok());
  CHECK(run_until(loop, [&] { return seen == kWritable; }));

  seen = 0;
  loop.set_mask(pair.a.get(), kReadable);
  write_byte(pair.b.get());
  CHECK(run_until(loop, [&] { return seen == kReadable; }));
}

TEST_CASE("a handler that removes itself is not called again") {
  EventLoop loop;
  SocketPair pair;
  int calls = 0;
  REQUIRE(loop.add_fd(pair.a.get(), kWritable, [&](uint8_t) {
    ++calls;
    loop.remove_fd(pair.a.get());
  }).ok());
  CHECK(run_until(loop, [&] { return calls == 1; }));
  REQUIRE(loop.run_once(0).ok());
  CHECK(calls == 1);
}

TEST_CASE("a handler removed by an earlier handler in the same iteration is not called") {
  EventLoop loop;
  SocketPair one, two;
  int calls_one = 0, calls_two = 0;
  // Both are writable at once; whichever runs first removes the other.
  REQUIRE(loop.add_fd(one.a.get(), kWritable, [&](uint8_t) {
    ++calls_one;
    loop.remove_fd(two.a.get());
  }).ok());
  REQUIRE(loop.add_fd(two.a.get(), kWritable, [&](uint8_t) {
    ++calls_two;
    loop.remove_fd(one.a.get());
  }).ok());
  REQUIRE(loop.run_once(kTestDeadlineMs).ok());
  CHECK(calls_one + calls_two == 1);
}

TEST_CASE("a handler re-registered for the same fd during dispatch does not get stale readiness") {
  EventLoop loop;
  SocketPair one, two;
  int stale_calls = 0, fresh_calls = 0;
  REQUIRE(loop.add_fd(one.a.get(), kWritable, [&](uint8_t) {
    loop.remove_fd(two.a.get());
    REQUIRE(loop.add_fd(two.a.get(), kWritable, [&](uint8_t) { ++fresh_calls; }).ok());
  }).ok());
  REQUIRE(loop.add_fd(two.a.get(), kWritable, [&](uint8_t) {
    ++stale_calls;
    loop.remove_fd(one.a.get());
  }).ok());
  REQUIRE(loop.run_once(kTestDeadlineMs).ok());
  // Either two's original handler ran first (and removed one), or one replaced two's handler,
  // in which case neither two handler may run in this iteration.
  CHECK(stale_calls + fresh_calls <= 1);
  CHECK(fresh_calls == 0);
}

TEST_CASE("fds at or above FD_SETSIZE are refused") {
  EventLoop loop;
  constexpr int kHighFd = FD_SETSIZE + 76;  // well past select()'s fd_set
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  if (limit.rlim_cur <= rlim_t(kHighFd)) {
    rlimit raised = limit;
    raised.rlim_cur = std::min<rlim_t>(limit.rlim_max, kHighFd + 1);
    ::setrlimit(RLIMIT_NOFILE, &raised);
  }
  SocketPair pair;
  if (::dup2(pair.a.get(), kHighFd) != kHighFd) {
    MESSAGE("cannot dup2 to fd " << kHighFd << " (RLIMIT_NOFILE too low); skipping the high-fd check");
  } else {
    UniqueFd high(kHighFd);
    Status status = loop.add_fd(high.get(), kReadable, [](uint8_t) {});
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().kind == ErrorKind::Invalid);
    CHECK(status.error().message.find("select()") != std::string::npos);
  }
  CHECK(loop.add_fd(-1, kReadable, [](uint8_t) {}).error().kind == ErrorKind::Invalid);
}

TEST_CASE("timers fire in due order, cancelled ones never, repeating ones until kStop") {
  // A manual clock makes "due" exact; run_once(0) never sleeps, so nothing depends on real time.
  ManualClock clock;
  EventLoop loop(clock);
  std::vector<std::string> order;
  loop.add_timer(20, [&] { order.push_back("b"); return kStop; });
  loop.add_timer(0, [&] { order.push_back("a"); return kStop; });
  loop.add_timer(20, [&] { order.push_back("c"); return kStop; });  // same due time: added order
  const TimerId cancelled = loop.add_timer(10, [&] { order.push_back("x"); return kStop; });
  loop.cancel_timer(cancelled);
  int repeats = 0;
  loop.add_timer(5, [&]() -> Millis { return ++repeats < 3 ? 5 : kStop; });

  REQUIRE(loop.run_once(0).ok());
  CHECK(order == std::vector<std::string>{"a"});
  CHECK(repeats == 0);
  clock.advance(19);
  REQUIRE(loop.run_once(0).ok());
  CHECK(order == std::vector<std::string>{"a"});
  CHECK(repeats == 1);
  clock.advance(1);
  REQUIRE(loop.run_once(0).ok());
  CHECK(order == std::vector<std::string>{"a", "b", "c"});
  for (int i = 0; i < 5; ++i) {
    clock.advance(5);
    REQUIRE(loop.run_once(0).ok());
  }
  CHECK(repeats == 3);
}

TEST_CASE("real-time timers fire through run() without busy-waiting the caller") {
  EventLoop loop;
  int fired = 0;
  loop.add_timer(1, [&] { ++fired; loop.stop(); return kStop; });
  REQUIRE(loop.run().ok());
  CHECK(fired == 1);
}

TEST_CASE("a timer callback may cancel another due timer and itself") {
  EventLoop loop;
  int calls = 0;
  TimerId second = 0;
  TimerId first = loop.add_timer(0, [&]() -> Millis {
    ++calls;
    loop.cancel_timer(second);
    loop.cancel_timer(first);
    return 1;  // ignored: the timer is cancelled
  });
  second = loop.add_timer(0, [&] { ++calls; return kStop; });
  REQUIRE(loop.run_once(kTestDeadlineMs).ok());
  REQUIRE(loop.run_once(0).ok());
  CHECK(calls == 1);
  CHECK_FALSE(loop.timer_pending(first));
}

TEST_CASE("Timer handles cancel on destruction and re-arm") {
  EventLoop loop;
  int fired = 0;
  {
    Timer timer(loop);
    timer.start(0, [&] { fired += 100; });
  }
  Timer timer(loop);
  timer.start(10'000, [&] { fired += 10; });
  timer.start(0, [&] { fired += 1; });
  CHECK(timer.pending());
  CHECK(run_until(loop, [&] { return fired != 0; }));
  CHECK(fired == 1);
  CHECK_FALSE(timer.pending());

  Timer moved = std::move(timer);
  moved.start_repeating(0, [&]() -> Millis { return ++fired < 3 ? 0 : kStop; });
  CHECK(run_until(loop, [&] { return fired == 3; }));
}

TEST_CASE("deferred calls run before sleeping, and ones deferred meanwhile run next iteration") {
  EventLoop loop;
  std::vector<int> order;
  loop.defer([&] {
    order.push_back(1);
    loop.defer([&] { order.push_back(2); });
  });
  // No fds and a long wait: the loop must not sleep with a deferred call queued.
  const Millis before = loop.now();
  REQUIRE(loop.run_once(kTestDeadlineMs).ok());
  CHECK(order == std::vector<int>{1});
  REQUIRE(loop.run_once(kTestDeadlineMs).ok());
  CHECK(order == std::vector<int>{1, 2});
  CHECK(loop.now() - before < kTestDeadlineMs);
}

TEST_CASE("stop() ends run() after the current dispatch") {
  EventLoop loop;
  int ticks = 0;
  loop.add_timer(0, [&]() -> Millis {
    if (++ticks == 3) loop.stop();
    return 0;
  });
  REQUIRE(loop.run().ok());
  CHECK(ticks == 3);
}

TEST_CASE("signals arrive on the loop through the self-pipe") {
  EventLoop loop;
  std::vector<int> seen;
  REQUIRE(loop.handle_signals({SIGUSR1}, [&](int signo) { seen.push_back(signo); }).ok());
  REQUIRE(::raise(SIGUSR1) == 0);
  CHECK(run_until(loop, [&] { return !seen.empty(); }));
  CHECK(seen == std::vector<int>{SIGUSR1});
}

TEST_CASE("FdWatch unregisters when destroyed or moved over") {
  EventLoop loop;
  SocketPair pair;
  int calls = 0;
  {
    auto watch = FdWatch::create(loop, pair.a.get(), kWritable, [&](uint8_t) { ++calls; });
    REQUIRE(watch.ok());
    FdWatch moved = std::move(watch.value());
    CHECK(moved.active());
    CHECK_FALSE(watch.value().active());
  }
  REQUIRE(loop.run_once(0).ok());
  CHECK(calls == 0);
}

}  // namespace
}  // namespace imps::loop
