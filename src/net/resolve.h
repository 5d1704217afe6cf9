// Name resolution behind one function. getaddrinfo() blocks the whole (single-threaded) process:
// with a slow or unreachable DNS server each lookup can stall every watch and timer for up to
// resolv.conf's timeout × attempts (5 s × 2 by default). We bound that cost by caching results
// for kResolveCacheMs, so a reconnect storm costs at most one lookup per host per period, and by
// resolving before connecting, never in the middle of a request.
// IP literals are parsed without a lookup. Does not do happy-eyeballs; callers try the addresses
// in the order returned.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace imps::net {

constexpr Millis kResolveCacheMs = 30'000;  // short enough to follow DNS changes of API endpoints

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // "10.0.0.1" or "::1", for errors and IP-SAN checks
};

// Addresses of `host` with `port` filled in; Transient error when the name does not resolve.
Result<std::vector<Address>> resolve(std::string_view host, uint16_t port, Clock& clock = system_clock());

// True for IPv4/IPv6 literals (IPv6 without brackets).
bool is_ip_literal(std::string_view host);

}  // namespace imps::net
