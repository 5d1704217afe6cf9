// The reactor: one thread, one select() call, file-descriptor interest masks and timers.
// In the spirit of Redis' ae: it knows nothing of sockets' meaning, HTTP or TLS.
//
// Invariants:
//  - Handlers may add or remove any registration, their own included, while the loop dispatches;
//    a removed handler is never called afterwards, not even later in the same iteration.
//  - File descriptors >= FD_SETSIZE are refused with an Invalid error (select() cannot hold them
//    and FD_SET would write out of bounds).
//  - Deferred calls run before the loop next sleeps: a TLS session with already-decrypted bytes
//    defers its read handler instead of waiting for the socket, which may never become readable.
//  - Timer callbacks return the delay until they should run again, or kStop.
//  - stop() makes run() return after the current dispatch.
//  - The loop outlives every FdWatch and Timer registered on it.
// Not thread-safe by design: everything runs on the loop's thread (signals arrive via a pipe).
#pragma once

#include <sys/select.h>

#include <csignal>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <vector>

#include "base/clock.h"
#include "base/fd.h"
#include "base/result.h"

namespace imps::loop {

enum Ready : uint8_t { kReadable = 1, kWritable = 2 };

using FdHandler = std::function<void(uint8_t ready)>;
using TimerHandler = std::function<Millis()>;  // returns the next delay, or kStop
using TimerId = uint64_t;
constexpr Millis kStop = -1;

class EventLoop {
 public:
  explicit EventLoop(Clock& clock = system_clock());
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  Clock& clock() const { return clock_; }
  Millis now() const { return clock_.steady_ms(); }

  // Registers `fd` with an interest mask (kReadable | kWritable, possibly 0).
  Status add_fd(int fd, uint8_t mask, FdHandler handler);
  void set_mask(int fd, uint8_t mask);
  void remove_fd(int fd);

  TimerId add_timer(Millis delay, TimerHandler handler);
  void cancel_timer(TimerId id);
  bool timer_pending(TimerId id) const { return timers_.count(id) != 0; }

  // Runs `fn` once, before the loop next sleeps.
  void defer(std::function<void()> fn);

  // Delivers the given signals to `handler` on the loop (self-pipe). Call once.
  Status handle_signals(std::initializer_list<int> signals, std::function<void(int)> handler);

  // Runs until stop(). Returns an error only if select() itself fails.
  Status run();
  // Runs one iteration, sleeping at most `max_wait` ms (for tests).
  Status run_once(Millis max_wait);
  void stop() { stopping_ = true; }

 private:
  struct FdEntry;
  struct TimerEntry {
    Millis due;
    TimerHandler handler;
  };

  Millis next_timeout(Millis max_wait) const;
  void dispatch_fds(const fd_set& readable, const fd_set& writable);
  void fire_timers();
  void run_deferred();
  void drain_signals();

  Clock& clock_;
  std::map<int, std::shared_ptr<FdEntry>> fds_;
  std::map<TimerId, TimerEntry> timers_;
  TimerId next_timer_id_ = 1;
  std::vector<std::function<void()>> deferred_;
  UniqueFd signal_read_, signal_write_;
  std::function<void(int)> signal_handler_;
  std::vector<int> signals_;
  bool stopping_ = false;
};

// RAII registration of a file descriptor (does not own the fd itself).
class FdWatch {
 public:
  FdWatch() = default;
  FdWatch(FdWatch&& other) noexcept;
  FdWatch& operator=(FdWatch&& other) noexcept;
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;
  ~FdWatch() { reset(); }

  static Result<FdWatch> create(EventLoop& loop, int fd, uint8_t mask, FdHandler handler);
  void set_mask(uint8_t mask);
  void reset();
  bool active() const { return loop_ != nullptr; }

 private:
  EventLoop* loop_ = nullptr;
  int fd_ = -1;
};

// RAII timer: cancelled when destroyed or re-armed.
class Timer {
 public:
  Timer() = default;
  explicit Timer(EventLoop& loop) : loop_(&loop) {}
  Timer(Timer&& other) noexcept;
  Timer& operator=(Timer&& other) noexcept;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  void bind(EventLoop& loop) { cancel(); loop_ = &loop; }
  // One-shot: runs `fn` after `delay` ms, replacing any pending shot.
  void start(Millis delay, std::function<void()> fn);
  // Periodic: `handler` returns the next delay or kStop.
  void start_repeating(Millis delay, TimerHandler handler);
  void cancel();
  bool pending() const { return loop_ != nullptr && loop_->timer_pending(id_); }

 private:
  EventLoop* loop_ = nullptr;
  TimerId id_ = 0;
};

}  // namespace imps::loop
