#include "net/resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <map>

namespace imps::net {
namespace {

constexpr size_t kMaxCachedHosts = 64;  // a process talks to a handful of origins

struct CacheEntry {
  Millis expires = 0;
  std::vector<Address> addresses;  // port 0; set per lookup
};

std::map<std::string, CacheEntry, std::less<>>& cache() {
  static std::map<std::string, CacheEntry, std::less<>> entries;
  return entries;
}

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

Result<std::vector<Address>> lookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
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

}  // namespace

bool is_ip_literal(std::string_view host) {
  const std::string text(host);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

Result<std::vector<Address>> resolve(std::string_view host, uint16_t port, Clock& clock) {
  auto& entries = cache();
  const Millis now = clock.steady_ms();
  auto it = entries.find(host);
  if (it == entries.end() || it->second.expires <= now) {
    TRY_ASSIGN(std::vector<Address> fresh, lookup(std::string(host)));
    if (entries.size() >= kMaxCachedHosts) entries.clear();
    it = entries.insert_or_assign(std::string(host), CacheEntry{now + kResolveCacheMs, std::move(fresh)}).first;
  }
  std::vector<Address> addresses = it->second.addresses;
  for (auto& address : addresses) set_port(address, port);
  return addresses;
}

}  // namespace imps::net
