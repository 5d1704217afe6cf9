// The resolver: IP literals at once, names on the helper thread with the answer signalled on an
// eventfd, positive and negative caching with their bounds, one lookup for concurrent callers,
// abandoning, and the real getaddrinfo() for a name that does not exist.
#include "net/resolve.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>

#include <condition_variable>
#include <mutex>

#include "net/resolve_now.h"

namespace imps::net {
namespace {

// A lookup function that answers only when the test releases it, and counts its calls.
struct HeldDns {
  std::mutex mutex;
  std::condition_variable released_cv;
  std::map<std::string, int> calls;
  bool released = false;
  bool fail = false;

  Result<std::vector<Address>> lookup(const std::string& host) {
    std::unique_lock lock(mutex);
    ++calls[host];
    released_cv.wait(lock, [this] { return released; });
    if (fail) return make_error(ErrorKind::Transient, "cannot resolve " + host + ": Name or service not known");
    Address address;
    auto* in = reinterpret_cast<sockaddr_in*>(&address.storage);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.length = sizeof(sockaddr_in);
    address.text = "127.0.0.1";
    return std::vector<Address>{address};
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      released = true;
    }
    released_cv.notify_all();
  }
  void hold() {
    std::lock_guard lock(mutex);
    released = false;
  }
  void set_fail() {
    std::lock_guard lock(mutex);
    fail = true;
  }
  int count(const std::string& host) {
    std::lock_guard lock(mutex);
    return calls[host];
  }
};

template <class Predicate>
void wait_until(Predicate done) {
  for (int i = 0; i < 10'000 && !done(); ++i) ::poll(nullptr, 0, 1);
  REQUIRE(done());
}

struct Fixture {
  HeldDns dns;
  ManualClock clock;
  // Declared last: destroyed (its thread joined) first, while `dns` still exists.
  Resolver resolver{[this](const std::string& host) { return dns.lookup(host); }, clock};
};

bool signalled(const Lookup& lookup) {
  pollfd p{lookup.fd(), POLLIN, 0};
  return ::poll(&p, 1, 10'000) == 1;
}

uint16_t port_of(const Address& address) {
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_port);
}

TEST_CASE("IP literals are answered at once with the port, no lookup") {
  CHECK(is_ip_literal("127.0.0.1"));
  CHECK(is_ip_literal("::1"));
  CHECK_FALSE(is_ip_literal("[::1]"));
  CHECK_FALSE(is_ip_literal("localhost"));
  Fixture f;
  Lookup lookup = Lookup::start("127.0.0.1", 6443, f.resolver);
  REQUIRE(lookup.ready());
  CHECK(lookup.fd() == -1);
  auto v4 = lookup.take();
  REQUIRE(v4.ok());
  REQUIRE(v4->size() == 1);
  CHECK((*v4)[0].text == "127.0.0.1");
  CHECK(port_of((*v4)[0]) == 6443);
  CHECK(f.dns.count("127.0.0.1") == 0);
}

TEST_CASE("a name is not ready until the lookup answers; concurrent callers share one lookup") {
  Fixture f;
  Lookup first = Lookup::start("api.example", 443, f.resolver);
  Lookup second = Lookup::start("api.example", 8443, f.resolver);
  CHECK_FALSE(first.ready());  // start() returned while the lookup is held
  CHECK_FALSE(second.ready());
  f.dns.release();
  REQUIRE(signalled(first));
  REQUIRE(signalled(second));
  auto a = first.take();
  auto b = second.take();
  REQUIRE((a.ok() && b.ok()));
  CHECK(port_of((*a)[0]) == 443);
  CHECK(port_of((*b)[0]) == 8443);
  CHECK(f.dns.count("api.example") == 1);
}

TEST_CASE("answers are cached for kResolveCacheMs") {
  Fixture f;
  f.dns.release();
  REQUIRE(testing::resolve_now("api.example", 443, f.resolver).ok());
  Lookup cached = Lookup::start("api.example", 443, f.resolver);
  CHECK(cached.ready());
  CHECK(f.dns.count("api.example") == 1);
  f.clock.advance(kResolveCacheMs);
  REQUIRE(testing::resolve_now("api.example", 443, f.resolver).ok());
  wait_until([&] { return f.dns.count("api.example") == 2; });
}

TEST_CASE("an expired good answer is served at once while a refresh runs, within kServeStaleMs") {
  Fixture f;
  f.dns.release();
  REQUIRE(testing::resolve_now("api.example", 443, f.resolver).ok());
  f.clock.advance(kResolveCacheMs + 1);
  Lookup stale = Lookup::start("api.example", 443, f.resolver);
  REQUIRE(stale.ready());
  CHECK(stale.take().ok());
  wait_until([&] { return f.dns.count("api.example") == 2; });  // the refresh
  f.clock.advance(kResolveCacheMs + kServeStaleMs);
  f.dns.set_fail();
  CHECK_FALSE(testing::resolve_now("api.example", 443, f.resolver).ok());  // too old: asks and waits
}

TEST_CASE("failures are cached for kNegativeCacheMs and name the host") {
  Fixture f;
  f.dns.set_fail();
  f.dns.release();
  auto failed = testing::resolve_now("missing.example", 443, f.resolver);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().kind == ErrorKind::Transient);
  CHECK(failed.error().message.find("missing.example") != std::string::npos);
  Lookup again = Lookup::start("missing.example", 443, f.resolver);
  REQUIRE(again.ready());
  CHECK_FALSE(again.take().ok());
  CHECK(f.dns.count("missing.example") == 1);
  f.clock.advance(kNegativeCacheMs);
  CHECK_FALSE(testing::resolve_now("missing.example", 443, f.resolver).ok());
  CHECK(f.dns.count("missing.example") == 2);
}

TEST_CASE("an abandoned lookup is not signalled but still fills the cache") {
  Fixture f;
  {
    Lookup abandoned = Lookup::start("api.example", 443, f.resolver);
    CHECK_FALSE(abandoned.ready());
  }
  f.dns.release();
  auto later = testing::resolve_now("api.example", 443, f.resolver);
  REQUIRE(later.ok());
  CHECK(f.dns.count("api.example") <= 2);
}

TEST_CASE("the cache holds at most kMaxCachedHosts names") {
  Fixture f;
  f.dns.release();
  for (size_t i = 0; i <= kMaxCachedHosts; ++i) {
    REQUIRE(testing::resolve_now("host" + std::to_string(i) + ".example", 443, f.resolver).ok());
  }
  f.dns.hold();  // the evicted name's new lookup must not evict another while we count
  size_t cached = 0;
  for (size_t i = 0; i <= kMaxCachedHosts; ++i) {
    cached += Lookup::start("host" + std::to_string(i) + ".example", 443, f.resolver).ready();
  }
  CHECK(cached == kMaxCachedHosts);
  f.dns.release();
}

TEST_CASE("refreshing a cached name in a full cache evicts no other name") {
  Fixture f;
  f.dns.release();
  for (size_t i = 0; i < kMaxCachedHosts; ++i) {
    REQUIRE(testing::resolve_now("host" + std::to_string(i) + ".example", 443, f.resolver).ok());
  }
  f.clock.advance(kResolveCacheMs);  // all expired: each is served stale while a refresh runs
  REQUIRE(Lookup::start("host0.example", 443, f.resolver).ready());
  wait_until([&] { return f.dns.count("host0.example") == 2; });
  REQUIRE(testing::resolve_now("host0.example", 443, f.resolver).ok());  // the refresh has stored
  f.dns.hold();
  size_t cached = 0;
  for (size_t i = 0; i < kMaxCachedHosts; ++i) {
    cached += Lookup::start("host" + std::to_string(i) + ".example", 443, f.resolver).ready();
  }
  CHECK(cached == kMaxCachedHosts);
  f.dns.release();
}

TEST_CASE("too many distinct names waiting is an error at once") {
  Fixture f;
  std::vector<Lookup> waiting;
  for (size_t i = 0; i <= kMaxQueuedNames; ++i) waiting.push_back(Lookup::start("q" + std::to_string(i), 443, f.resolver));
  Lookup refused = Lookup::start("one-too-many", 443, f.resolver);
  REQUIRE(refused.ready());
  auto error = refused.take();
  REQUIRE_FALSE(error.ok());
  CHECK(error.error().message.find("one-too-many") != std::string::npos);
  f.dns.release();
}

TEST_CASE("getaddrinfo: a name that does not exist is a Transient error naming the host") {
  auto result = testing::resolve_now("does-not-exist.invalid", 443);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::Transient);
  CHECK(result.error().message.find("does-not-exist.invalid") != std::string::npos);
}

}  // namespace
}  // namespace imps::net
