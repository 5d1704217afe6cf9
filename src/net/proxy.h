// Proxy selection from the environment, as curl and Go do: HTTPS_PROXY (or https_proxy) for TLS
// origins, HTTP_PROXY for plain ones, unless the host matches NO_PROXY (comma-separated host
// names, domain suffixes with or without a leading dot, IPs, CIDRs, optional :port, or `*`).
// Or one fixed proxy for every origin (kubeconfig `proxy-url`; client-go's http.ProxyURL ignores
// NO_PROXY too). Only http:// proxies: the CONNECT request itself travels in clear text.
// Pure logic; the CONNECT exchange itself lives with the connection code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace imps::net {

struct ProxyEndpoint {
  std::string host;
  uint16_t port = 0;
  std::string authorization;  // "Basic ..." from user:pass in the URL (used as written, not
                              // percent-decoded); never logged
};

struct ProxyConfig {
  std::string https_proxy;  // URL as given
  std::string http_proxy;
  std::string no_proxy;
  // Names the setting in errors ("HTTPS_PROXY"/"HTTP_PROXY" when empty); never the URL, which
  // may hold a password.
  std::string setting;

  static ProxyConfig from_env();
  static ProxyConfig fixed(std::string url, std::string setting);
  // The proxy to use for this origin, nullopt for a direct connection, or an error for a
  // malformed proxy URL.
  Result<std::optional<ProxyEndpoint>> select(bool tls, std::string_view host, uint16_t port) const;
};

bool no_proxy_matches(std::string_view no_proxy, std::string_view host, uint16_t port);

}  // namespace imps::net
