// Name resolution that never blocks the loop: getaddrinfo() runs on one helper thread, and the
// answer comes back through an eventfd that the loop watches like any socket.
//
// Why a helper thread rather than a DNS client of our own on the loop: getaddrinfo() is what every
// other program on the node uses — /etc/hosts first, resolv.conf's nameservers, search domains,
// ndots, timeout, attempts and rotate, UDP with TCP fallback, A and AAAA with RFC 6724 ordering —
// and it is known to work in the scratch image (a static glibc reads only /etc/hosts and
// /etc/resolv.conf). An own client would re-implement all of that and could answer differently
// from the node's other tools. The design's "one thread drives one loop" is kept where it matters:
// the helper owns no state the loop uses. It takes a name from a queue, calls getaddrinfo() and,
// under the resolver's lock, stores the answer in the cache and signals each waiter's eventfd;
// every callback, socket and timer stays on the loop's thread.
//
// Costs and bounds: one thread; one getaddrinfo() at a time, so a name that hangs (an unreachable
// DNS server: resolv.conf's timeout × attempts × search domains, tens of seconds) delays the
// lookups of other names queued behind it, never the loop, and never names already cached.
// Answers are cached for kResolveCacheMs, failures for kNegativeCacheMs; an expired good answer
// is served for kServeStaleMs more while a refresh runs, so names already known never queue
// behind a hanging one. Concurrent lookups of one name share one getaddrinfo(). getaddrinfo() cannot be interrupted: an abandoned lookup still
// finishes and fills the cache. Callers bound the wait themselves (the connect timeout).
// IP literals never reach the thread. No happy-eyeballs: callers try the addresses in order.
#pragma once

#include <sys/socket.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace imps::net {

constexpr Millis kResolveCacheMs = 30'000;   // short enough to follow DNS changes of API endpoints
constexpr Millis kNegativeCacheMs = 5'000;   // a reconnect storm asks a failing DNS at most every 5 s,
                                             // a name just created resolves soon after
constexpr Millis kServeStaleMs = 300'000;   // an expired good answer is still used (and refreshed
                                             // behind the caller) for 5 min of DNS trouble
constexpr size_t kMaxCachedHosts = 64;       // a process talks to a handful of origins
constexpr size_t kMaxQueuedNames = 64;       // distinct names waiting for the helper thread

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // "10.0.0.1" or "::1", for errors and IP-SAN checks
};

// True for IPv4/IPv6 literals (IPv6 without brackets).
bool is_ip_literal(std::string_view host);

// The resolver's shared state and its helper thread. Resolver::process() is the one imps uses
// (getaddrinfo, the system clock; never destroyed, so exit never waits for a hung lookup); tests
// make their own with a fake lookup function.
class Resolver {
 public:
  // Addresses of a host name with port 0, or a Transient error that names the host.
  using LookupFn = std::function<Result<std::vector<Address>>(const std::string& host)>;
  Resolver(LookupFn lookup, Clock& clock);
  ~Resolver();  // joins the helper thread: fake lookups must have returned
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  static Resolver& process();

  struct Waiter;  // one caller's interest in one name; defined in resolve.cc
  struct Entry {
    Millis expires = 0;
    Result<std::vector<Address>> answer;
  };

 private:
  friend class Lookup;
  using InFlight = std::map<std::string, std::vector<std::shared_ptr<Waiter>>, std::less<>>;
  // Queues `host` for the helper thread (starting it if needed); call with the lock held.
  InFlight::iterator enqueue(std::string_view host);
  void run();
  void store(const std::string& host, Result<std::vector<Address>> answer);

  LookupFn lookup_;
  Clock& clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Entry, std::less<>> cache_;
  InFlight in_flight_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread thread_;  // started with the first lookup that needs it
};

// One resolution. ready() at once for IP literals and cached answers; otherwise fd() becomes
// readable when the answer is there. Destroying it abandons the lookup (no further signal).
// Move-only; used on the loop's thread only.
class Lookup {
 public:
  Lookup() = default;
  static Lookup start(std::string_view host, uint16_t port, Resolver& resolver = Resolver::process());
  Lookup(Lookup&& other) noexcept { *this = std::move(other); }
  Lookup& operator=(Lookup&& other) noexcept;
  ~Lookup();

  bool active() const { return resolver_ != nullptr || answer_.has_value(); }
  bool ready() const;
  int fd() const;  // -1 when the answer was known at start
  // The addresses with the port set, or the error. Call once, when ready().
  Result<std::vector<Address>> take();

 private:
  void abandon();
  Resolver* resolver_ = nullptr;
  std::shared_ptr<Resolver::Waiter> waiter_;
  std::string host_;
  uint16_t port_ = 0;
  std::optional<Result<std::vector<Address>>> answer_;
};

}  // namespace imps::net
