// URLs as configuration gives them (kubeconfig server, AWS endpoints, proxies) and the
// percent-encoding Kubernetes query parameters need. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace imps::http {

struct Url {
  std::string scheme;        // "https" or "http", lower-case
  std::string userinfo;      // "user:pass" (proxies), percent-decoded
  std::string host;          // IPv6 literals without brackets
  uint16_t port = 0;         // explicit or the scheme default
  std::string path;          // "/" when empty; kept as given (already encoded)
  std::string query;         // without the '?'
};

// Accepts http(s)://[userinfo@]host[:port][/path][?query][#fragment]; the scheme is matched
// case-insensitively, the fragment dropped. Hosts are DNS names, IPv4 or bracketed IPv6 literals
// (no zone ids). Rejects other schemes, empty hosts, bad ports, spaces and control characters.
Result<Url> parse_url(std::string_view text);

// "host" or "host:port" as the Host header wants it (port omitted when default, IPv6 bracketed).
std::string host_header(const Url& url);

// RFC 3986 percent-encoding of a query key or value: everything but unreserved characters.
std::string query_escape(std::string_view text);
// '+' stays '+'; a '%' not followed by two hex digits is kept as it is.
std::string percent_decode(std::string_view text);

}  // namespace imps::http
