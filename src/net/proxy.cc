#include "net/proxy.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "base/bytes.h"

namespace imps::net {
namespace {

// Go's net/http uses 80 for a proxy URL without a port; curl uses 1080. Kubernetes tooling is
// Go, so configurations written for it keep working.
constexpr uint16_t kDefaultProxyPort = 80;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool parse_port(std::string_view text, uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + unsigned(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

// An IP literal as (family, 16 bytes); false when `text` is not one.
bool parse_ip(std::string_view text, int& family, unsigned char (&bytes)[16]) {
  const std::string s(text);
  std::memset(bytes, 0, sizeof bytes);
  if (inet_pton(AF_INET, s.c_str(), bytes) == 1) {
    family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

bool prefix_equal(const unsigned char* a, const unsigned char* b, unsigned bits) {
  const unsigned whole = bits / 8, rest = bits % 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  if (rest == 0) return true;
  const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

// Splits "host", "host:port", "[v6]", "[v6]:port" and bare IPv6 (no port). False on a bad port.
bool split_host_port(std::string_view entry, std::string_view& host, std::optional<uint16_t>& port) {
  port.reset();
  if (!entry.empty() && entry.front() == '[') {
    const size_t close = entry.find(']');
    if (close == std::string_view::npos) return false;
    host = entry.substr(1, close - 1);
    std::string_view rest = entry.substr(close + 1);
    if (rest.empty()) return true;
    uint16_t p = 0;
    if (rest.front() != ':' || !parse_port(rest.substr(1), p)) return false;
    port = p;
    return true;
  }
  const size_t colon = entry.find(':');
  if (colon == std::string_view::npos || entry.find(':', colon + 1) != std::string_view::npos) {
    host = entry;  // no port, or a bare IPv6 literal / CIDR
    return true;
  }
  host = entry.substr(0, colon);
  uint16_t p = 0;
  if (!parse_port(entry.substr(colon + 1), p)) return false;
  port = p;
  return true;
}

bool entry_matches(std::string_view entry, const std::string& host, uint16_t port) {
  if (entry == "*") return true;
  int host_family = 0;
  unsigned char host_ip[16];
  const bool host_is_ip = parse_ip(host, host_family, host_ip);

  const size_t slash = entry.find('/');
  if (slash != std::string_view::npos) {  // CIDR
    int family = 0;
    unsigned char net[16];
    uint16_t bits = 0;
    if (!host_is_ip || !parse_ip(entry.substr(0, slash), family, net)) return false;
    const std::string_view bits_text = entry.substr(slash + 1);
    unsigned value = 0;
    if (bits_text.empty() || bits_text.size() > 3) return false;
    for (char c : bits_text) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + unsigned(c - '0');
    }
    bits = static_cast<uint16_t>(value);
    if (family != host_family || bits > (family == AF_INET ? 32 : 128)) return false;
    return prefix_equal(net, host_ip, bits);
  }

  std::string_view name;
  std::optional<uint16_t> entry_port;
  if (!split_host_port(entry, name, entry_port)) return false;
  if (entry_port && *entry_port != port) return false;

  int family = 0;
  unsigned char ip[16];
  if (parse_ip(name, family, ip)) {
    return host_is_ip && family == host_family && std::memcmp(ip, host_ip, 16) == 0;
  }
  if (name.starts_with("*.")) name.remove_prefix(1);
  if (name.starts_with(".")) name.remove_prefix(1);
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return false;
  // "example.com" and ".example.com" both match example.com and its subdomains (curl and Go),
  // never "notexample.com".
  if (host == name) return true;
  return host.size() > name.size() && host.ends_with(name) && host[host.size() - name.size() - 1] == '.';
}

const char* env_either(const char* upper, const char* lower_name) {
  const char* value = std::getenv(upper);
  if (value == nullptr || *value == '\0') value = std::getenv(lower_name);
  return value != nullptr ? value : "";
}

}  // namespace

bool no_proxy_matches(std::string_view no_proxy, std::string_view host, uint16_t port) {
  std::string h = lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  const std::string list = lower(no_proxy);
  std::string_view rest = list;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view entry = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (!entry.empty() && entry_matches(entry, h, port)) return true;
  }
  return false;
}

ProxyConfig ProxyConfig::from_env() {
  ProxyConfig config;
  config.https_proxy = env_either("HTTPS_PROXY", "https_proxy");
  config.http_proxy = env_either("HTTP_PROXY", "http_proxy");
  config.no_proxy = env_either("NO_PROXY", "no_proxy");
  return config;
}

ProxyConfig ProxyConfig::fixed(std::string url, std::string setting) {
  ProxyConfig config;
  config.https_proxy = url;
  config.http_proxy = std::move(url);
  config.setting = std::move(setting);
  return config;
}

Result<std::optional<ProxyEndpoint>> ProxyConfig::select(bool tls, std::string_view host, uint16_t port) const {
  std::string_view url = trim(tls ? https_proxy : http_proxy);
  if (url.empty() || no_proxy_matches(no_proxy, host, port)) return std::optional<ProxyEndpoint>();
  // The URL may hold a password: errors name only which setting is malformed.
  const std::string name = !setting.empty() ? setting : tls ? "HTTPS_PROXY" : "HTTP_PROXY";
  const Error malformed = make_error(ErrorKind::Invalid, "malformed " + name + " URL");
  const size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    if (lower(url.substr(0, scheme_end)) != "http") {
      return make_error(ErrorKind::Invalid, name + ": only http:// proxies are supported");
    }
    url.remove_prefix(scheme_end + 3);
  }
  url = url.substr(0, url.find('/'));
  ProxyEndpoint endpoint;
  const size_t at = url.rfind('@');
  if (at != std::string_view::npos) {
    endpoint.authorization = "Basic " + base64_encode(url.substr(0, at));
    url.remove_prefix(at + 1);
  }
  std::string_view proxy_host;
  std::optional<uint16_t> proxy_port;
  if (!split_host_port(url, proxy_host, proxy_port) || proxy_host.empty()) return malformed;
  for (char c : proxy_host) {
    if (static_cast<unsigned char>(c) <= ' ') return malformed;
  }
  endpoint.host = std::string(proxy_host);
  endpoint.port = proxy_port.value_or(kDefaultProxyPort);
  return std::optional<ProxyEndpoint>(std::move(endpoint));
}

}  // namespace imps::net
