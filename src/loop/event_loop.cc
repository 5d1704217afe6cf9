#include "loop/event_loop.h"

#include <fcntl.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace imps::loop {

struct EventLoop::FdEntry {
  int fd;
  uint8_t mask;
  FdHandler handler;
};

namespace {

// Write end of the self-pipe for the async-signal handler; one loop per process handles signals.
volatile sig_atomic_t g_signal_pipe = -1;

void on_signal(int signo) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(signo);
  // A full pipe drops the byte: the loop is already behind, and one pending wake-up suffices
  // for the signals we handle (termination requests).
  [[maybe_unused]] ssize_t n = ::write(g_signal_pipe, &byte, 1);
  errno = saved;
}

constexpr Millis kForever = -1;  // run(): sleep until an fd or a timer wakes us

}  // namespace

EventLoop::EventLoop(Clock& clock) : clock_(clock) {}

EventLoop::~EventLoop() {
  for (int signo : signals_) ::signal(signo, SIG_DFL);
  if (!signals_.empty()) g_signal_pipe = -1;
}

Status EventLoop::add_fd(int fd, uint8_t mask, FdHandler handler) {
  if (fd < 0 || fd >= FD_SETSIZE) {
    return make_error(ErrorKind::Invalid,
                      "file descriptor " + std::to_string(fd) + " is outside select()'s range 0.." +
                          std::to_string(FD_SETSIZE - 1) + " (too many open files?)");
  }
  // A fresh entry, even for a re-added fd: readiness observed for the old registration must not
  // reach the new handler.
  fds_[fd] = std::make_shared<FdEntry>(FdEntry{fd, mask, std::move(handler)});
  return {};
}

void EventLoop::set_mask(int fd, uint8_t mask) {
  auto it = fds_.find(fd);
  if (it != fds_.end()) it->second->mask = mask;
}

void EventLoop::remove_fd(int fd) { fds_.erase(fd); }

TimerId EventLoop::add_timer(Millis delay, TimerHandler handler) {
  const TimerId id = next_timer_id_++;
  timers_.emplace(id, TimerEntry{now() + std::max<Millis>(delay, 0), std::move(handler)});
  return id;
}

void EventLoop::cancel_timer(TimerId id) { timers_.erase(id); }

void EventLoop::defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }

Status EventLoop::handle_signals(std::initializer_list<int> signals, std::function<void(int)> handler) {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    return make_error(ErrorKind::Fatal, std::string("signal pipe: ") + std::strerror(errno), errno);
  }
  signal_read_.reset(fds[0]);
  signal_write_.reset(fds[1]);
  signal_handler_ = std::move(handler);
  TRY(add_fd(signal_read_.get(), kReadable, [this](uint8_t) { drain_signals(); }));
  g_signal_pipe = signal_write_.get();
  for (int signo : signals) {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // other syscalls go on; select() still returns EINTR
    if (::sigaction(signo, &action, nullptr) != 0) {
      return make_error(ErrorKind::Fatal, "sigaction(" + std::to_string(signo) + "): " + std::strerror(errno), errno);
    }
    signals_.push_back(signo);
  }
  return {};
}

void EventLoop::drain_signals() {
  unsigned char buf[64];
  for (;;) {
    const ssize_t n = ::read(signal_read_.get(), buf, sizeof buf);
    if (n <= 0) return;  // EAGAIN: drained
    for (ssize_t i = 0; i < n; ++i) {
      if (signal_handler_) signal_handler_(buf[i]);
    }
  }
}

Millis EventLoop::next_timeout(Millis max_wait) const {
  if (!deferred_.empty()) return 0;
  Millis timeout = max_wait;
  const Millis current = now();
  for (const auto& [id, timer] : timers_) {
    const Millis until = std::max<Millis>(timer.due - current, 0);
    if (timeout == kForever || until < timeout) timeout = until;
  }
  return timeout;
}

Status EventLoop::run() {
  stopping_ = false;
  while (!stopping_) TRY(run_once(kForever));
  return {};
}

Status EventLoop::run_once(Millis max_wait) {
  fd_set readable, writable;
  FD_ZERO(&readable);
  FD_ZERO(&writable);
  int max_fd = -1;
  for (const auto& [fd, entry] : fds_) {
    if (entry->mask & kReadable) FD_SET(fd, &readable);
    if (entry->mask & kWritable) FD_SET(fd, &writable);
    if (entry->mask) max_fd = std::max(max_fd, fd);
  }
  const Millis timeout = next_timeout(max_wait);
  timeval tv{};
  timeval* tvp = nullptr;
  if (timeout != kForever) {
    tv.tv_sec = timeout / 1000;
    tv.tv_usec = (timeout % 1000) * 1000;
    tvp = &tv;
  }
  const int n = ::select(max_fd + 1, &readable, &writable, nullptr, tvp);
  if (n < 0) {
    if (errno != EINTR) {
      return make_error(ErrorKind::Fatal, std::string("select: ") + std::strerror(errno), errno);
    }
    FD_ZERO(&readable);
    FD_ZERO(&writable);
  }
  if (n > 0) dispatch_fds(readable, writable);
  fire_timers();
  run_deferred();
  return {};
}

void EventLoop::dispatch_fds(const fd_set& readable, const fd_set& writable) {
  // Snapshot first: handlers may change fds_ while we iterate. Holding the shared_ptr keeps a
  // running handler alive even if it removes itself.
  std::vector<std::shared_ptr<FdEntry>> ready;
  for (const auto& [fd, entry] : fds_) {
    if (FD_ISSET(fd, &readable) || FD_ISSET(fd, &writable)) ready.push_back(entry);
  }
  for (const auto& entry : ready) {
    auto it = fds_.find(entry->fd);
    if (it == fds_.end() || it->second != entry) continue;  // removed (or replaced) meanwhile
    uint8_t events = 0;
    if (FD_ISSET(entry->fd, &readable)) events |= kReadable;
    if (FD_ISSET(entry->fd, &writable)) events |= kWritable;
    events &= entry->mask;  // an earlier handler may have narrowed the interest
    if (events) entry->handler(events);
  }
}

void EventLoop::fire_timers() {
  const Millis current = now();
  std::vector<std::pair<Millis, TimerId>> due;
  for (const auto& [id, timer] : timers_) {
    if (timer.due <= current) due.emplace_back(timer.due, id);
  }
  std::sort(due.begin(), due.end());
  for (const auto& [when, id] : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled by an earlier callback
    // Moved out while running: the callback may cancel its own timer (destroying the entry).
    TimerHandler handler = std::move(it->second.handler);
    const Millis next = handler();
    it = timers_.find(id);
    if (it == timers_.end()) continue;
    if (next == kStop) {
      timers_.erase(it);
    } else {
      it->second.due = now() + std::max<Millis>(next, 0);
      it->second.handler = std::move(handler);
    }
  }
}

void EventLoop::run_deferred() {
  // Calls deferred while these run wait for the next iteration (which will not sleep), so a
  // handler that keeps deferring cannot starve the fds and timers.
  std::vector<std::function<void()>> batch;
  batch.swap(deferred_);
  for (auto& fn : batch) fn();
}

FdWatch::FdWatch(FdWatch&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)), fd_(std::exchange(other.fd_, -1)) {}

FdWatch& FdWatch::operator=(FdWatch&& other) noexcept {
  if (this != &other) {
    reset();
    loop_ = std::exchange(other.loop_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Result<FdWatch> FdWatch::create(EventLoop& loop, int fd, uint8_t mask, FdHandler handler) {
  TRY(loop.add_fd(fd, mask, std::move(handler)));
  FdWatch watch;
  watch.loop_ = &loop;
  watch.fd_ = fd;
  return watch;
}

void FdWatch::set_mask(uint8_t mask) {
  if (loop_) loop_->set_mask(fd_, mask);
}

void FdWatch::reset() {
  if (loop_) loop_->remove_fd(fd_);
  loop_ = nullptr;
  fd_ = -1;
}

Timer::Timer(Timer&& other) noexcept
    : loop_(other.loop_), id_(std::exchange(other.id_, 0)) {}

Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    cancel();
    loop_ = other.loop_;
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Timer::start(Millis delay, std::function<void()> fn) {
  start_repeating(delay, [fn = std::move(fn)]() {
    fn();
    return kStop;
  });
}

void Timer::start_repeating(Millis delay, TimerHandler handler) {
  cancel();
  id_ = loop_->add_timer(delay, std::move(handler));
}

void Timer::cancel() {
  if (loop_ && id_) loop_->cancel_timer(id_);
  id_ = 0;
}

}  // namespace imps::loop
