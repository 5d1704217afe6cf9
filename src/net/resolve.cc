#include "net/resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/fd.h"

namespace imps::net {

// Shared with the helper thread: `done`, `answer` and the eventfd write happen under the
// resolver's lock, and a Lookup removes its waiter under the same lock before closing the fd.
struct Resolver::Waiter {
  UniqueFd event;
  bool done = false;
  std::optional<Result<std::vector<Address>>> answer;
};

namespace {

void set_port(Address& address, uint16_t port) {
  if (address.storage.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
  }
}

std::string address_text(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  }
  return text;
}

// Blocking; runs on the helper thread (or, for IP literals, parses without any I/O).
Result<std::vector<Address>> getaddrinfo_lookup(const std::string& host, bool numeric_only) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | (numeric_only ? AI_NUMERICHOST : 0);
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    // EAI_NONAME is NXDOMAIN ("Name or service not known"), EAI_AGAIN a SERVFAIL or timeout
    // ("Temporary failure in name resolution").
    return make_error(ErrorKind::Transient, "cannot resolve " + host + ": " + gai_strerror(rc), rc);
  }
  std::vector<Address> addresses;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    Address address;
    std::memcpy(&address.storage, ai->ai_addr, ai->ai_addrlen);
    address.length = ai->ai_addrlen;
    address.text = address_text(ai->ai_addr);
    addresses.push_back(std::move(address));
  }
  ::freeaddrinfo(list);
  if (addresses.empty()) return make_error(ErrorKind::Transient, "cannot resolve " + host + ": no addresses");
  return addresses;
}

void signal(Resolver::Waiter& waiter) {
  const uint64_t one = 1;
  // Cannot fail short of a closed fd, which the locking rules out; a full counter is still readable.
  [[maybe_unused]] const ssize_t n = ::write(waiter.event.get(), &one, sizeof one);
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  const std::string text(host);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

Resolver::Resolver(LookupFn lookup, Clock& clock) : lookup_(std::move(lookup)), clock_(clock) {}

Resolver::~Resolver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Resolver& Resolver::process() {
  // Never destroyed: at exit the helper may be inside a getaddrinfo() that nobody can interrupt.
  static Resolver* resolver = new Resolver([](const std::string& host) { return getaddrinfo_lookup(host, false); },
                                           system_clock());
  return *resolver;
}

Resolver::InFlight::iterator Resolver::enqueue(std::string_view host) {
  auto in_flight = in_flight_.emplace(std::string(host), std::vector<std::shared_ptr<Waiter>>()).first;
  queue_.emplace_back(host);
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  wake_.notify_one();
  return in_flight;
}

void Resolver::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const std::string host = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Result<std::vector<Address>> answer = lookup_(host);
    lock.lock();
    store(host, std::move(answer));
  }
}

void Resolver::store(const std::string& host, Result<std::vector<Address>> answer) {
  const Millis now = clock_.steady_ms();
  // A refresh replaces its own entry: only a new name needs room.
  if (!cache_.contains(host) && cache_.size() >= kMaxCachedHosts) {
    std::erase_if(cache_, [now](const auto& item) { return item.second.expires <= now; });
    if (cache_.size() >= kMaxCachedHosts) {
      cache_.erase(std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
        return a.second.expires < b.second.expires;
      }));
    }
  }
  const Millis ttl = answer.ok() ? kResolveCacheMs : kNegativeCacheMs;
  auto waiters = in_flight_.extract(host);
  if (!waiters.empty()) {
    for (const auto& waiter : waiters.mapped()) {
      waiter->answer = answer;
      waiter->done = true;
      signal(*waiter);
    }
  }
  cache_.insert_or_assign(host, Entry{now + ttl, std::move(answer)});
}

Lookup Lookup::start(std::string_view host, uint16_t port, Resolver& resolver) {
  Lookup lookup;
  lookup.port_ = port;
  if (is_ip_literal(host)) {
    lookup.answer_ = getaddrinfo_lookup(std::string(host), true);
    return lookup;
  }
  std::lock_guard lock(resolver.mutex_);
  const Millis now = resolver.clock_.steady_ms();
  auto cached = resolver.cache_.find(host);
  auto in_flight = resolver.in_flight_.find(host);
  if (cached != resolver.cache_.end() && cached->second.expires > now) {
    lookup.answer_ = cached->second.answer;
    return lookup;
  }
  if (cached != resolver.cache_.end() && cached->second.answer.ok() && cached->second.expires + kServeStaleMs > now) {
    // Stale but recently good: answer with it and refresh behind the caller's back, so a known
    // name never waits in the queue behind a hanging one.
    lookup.answer_ = cached->second.answer;
    if (in_flight == resolver.in_flight_.end() && resolver.queue_.size() < kMaxQueuedNames) resolver.enqueue(host);
    return lookup;
  }
  if (in_flight == resolver.in_flight_.end() && resolver.queue_.size() >= kMaxQueuedNames) {
    lookup.answer_ = make_error(ErrorKind::Transient, "cannot resolve " + std::string(host) + ": " +
                                                          std::to_string(kMaxQueuedNames) + " other names are waiting");
    return lookup;
  }
  auto waiter = std::make_shared<Resolver::Waiter>();
  waiter->event.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!waiter->event.valid()) {
    lookup.answer_ = make_error(ErrorKind::Transient, "cannot resolve " + std::string(host) + ": eventfd: " +
                                                          std::strerror(errno), errno);
    return lookup;
  }
  if (in_flight == resolver.in_flight_.end()) in_flight = resolver.enqueue(host);
  in_flight->second.push_back(waiter);
  lookup.resolver_ = &resolver;
  lookup.waiter_ = std::move(waiter);
  lookup.host_ = std::string(host);
  return lookup;
}

Lookup& Lookup::operator=(Lookup&& other) noexcept {
  if (this != &other) {
    abandon();
    resolver_ = std::exchange(other.resolver_, nullptr);
    waiter_ = std::move(other.waiter_);
    host_ = std::move(other.host_);
    port_ = other.port_;
    answer_ = std::move(other.answer_);
    other.answer_.reset();
  }
  return *this;
}

Lookup::~Lookup() { abandon(); }

void Lookup::abandon() {
  if (resolver_ == nullptr) return;
  std::lock_guard lock(resolver_->mutex_);
  auto in_flight = resolver_->in_flight_.find(host_);
  if (in_flight != resolver_->in_flight_.end()) std::erase(in_flight->second, waiter_);
  resolver_ = nullptr;
  waiter_.reset();
}

bool Lookup::ready() const {
  if (answer_) return true;
  if (resolver_ == nullptr) return false;
  std::lock_guard lock(resolver_->mutex_);
  return waiter_->done;
}

int Lookup::fd() const { return waiter_ ? waiter_->event.get() : -1; }

Result<std::vector<Address>> Lookup::take() {
  if (!answer_ && resolver_ != nullptr) {
    std::lock_guard lock(resolver_->mutex_);
    if (waiter_->done) answer_ = std::move(waiter_->answer);
  }
  if (!answer_ || !answer_->ok()) {
    Result<std::vector<Address>> error = answer_ ? std::move(*answer_) : make_error(ErrorKind::Transient, "lookup of " + host_ + " not finished");
    abandon();
    answer_.reset();
    return error;
  }
  std::vector<Address> addresses = std::move(answer_->value());
  abandon();
  answer_.reset();
  for (Address& address : addresses) set_port(address, port_);
  return addresses;
}

}  // namespace imps::net
