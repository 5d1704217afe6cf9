#include "net/proxy.h"

#include <doctest/doctest.h>

namespace imps::net {
namespace {

TEST_CASE("NO_PROXY forms") {
  struct Case {
    const char* no_proxy;
    const char* host;
    uint16_t port;
    bool bypass;
  };
  const Case cases[] = {
      {"example.com", "example.com", 443, true},
      {"example.com", "api.example.com", 443, true},       // suffix without a dot covers subdomains
      {"example.com", "notexample.com", 443, false},       // ...but only at a label boundary
      {".example.com", "api.example.com", 443, true},
      {".example.com", "example.com", 443, true},
      {"*.example.com", "a.b.example.com", 443, true},
      {"*", "anything.at.all", 1, true},
      {"", "example.com", 443, false},
      {"EXAMPLE.com", "Api.Example.COM", 443, true},       // case-insensitive
      {" foo.com ,\texample.com ", "example.com", 443, true},  // whitespace around entries
      {"foo.com,,bar.com", "example.com", 443, false},
      {"10.0.0.1", "10.0.0.1", 443, true},
      {"10.0.0.1", "10.0.0.2", 443, false},
      {"10.0.0.0/8", "10.200.3.4", 443, true},
      {"10.0.0.0/8", "11.0.0.1", 443, false},
      {"10.0.0.0/8", "ten.example", 443, false},
      {"172.16.0.0/12", "172.31.255.255", 443, true},
      {"172.16.0.0/12", "172.32.0.0", 443, false},
      {"0.0.0.0/0", "192.168.1.1", 443, true},
      {"::1", "::1", 443, true},
      {"[::1]", "::1", 443, true},
      {"fd00::/8", "fd12::1", 443, true},
      {"fd00::/8", "fe80::1", 443, false},
      {"10.0.0.0/8", "fd12::1", 443, false},
      {"example.com:8443", "example.com", 8443, true},
      {"example.com:8443", "example.com", 443, false},
      {"[::1]:6443", "::1", 6443, true},
      {"[::1]:6443", "::1", 443, false},
      {"example.com:notaport", "example.com", 443, false},
      {"10.0.0.0/99", "10.0.0.1", 443, false},
      {"example.com.", "example.com", 443, true},           // trailing dots ignored
  };
  for (const Case& c : cases) {
    CAPTURE(c.no_proxy);
    CAPTURE(c.host);
    CHECK(no_proxy_matches(c.no_proxy, c.host, c.port) == c.bypass);
  }
}

TEST_CASE("select picks HTTPS_PROXY for TLS origins and HTTP_PROXY for plain ones") {
  ProxyConfig config;
  config.https_proxy = "http://user:secret@proxy.corp:3128/";
  config.http_proxy = "plain.corp";
  config.no_proxy = "internal.corp,10.0.0.0/8";

  auto tls = config.select(true, "api.example.com", 443);
  REQUIRE(tls.ok());
  REQUIRE(tls->has_value());
  CHECK((*tls)->host == "proxy.corp");
  CHECK((*tls)->port == 3128);
  CHECK((*tls)->authorization == "Basic dXNlcjpzZWNyZXQ=");

  auto plain = config.select(false, "api.example.com", 80);
  REQUIRE(plain.ok());
  REQUIRE(plain->has_value());
  CHECK((*plain)->host == "plain.corp");
  CHECK((*plain)->port == 80);
  CHECK((*plain)->authorization.empty());

  CHECK_FALSE(config.select(true, "k8s.internal.corp", 443)->has_value());
  CHECK_FALSE(config.select(true, "10.1.2.3", 443)->has_value());
  CHECK_FALSE(ProxyConfig{}.select(true, "api.example.com", 443)->has_value());

  config.https_proxy = "http://[fd00::1]:8080";
  auto v6 = config.select(true, "api.example.com", 443);
  REQUIRE(v6.ok());
  CHECK((*v6)->host == "fd00::1");
  CHECK((*v6)->port == 8080);
}

TEST_CASE("malformed proxy URLs are errors that do not echo credentials") {
  ProxyConfig config;
  for (const char* url : {"http://user:secret@proxy:99999", "http://user:secret@:3128", "socks5://user:secret@proxy:1080",
                          "http://user:secret@[fd00::1:3128"}) {
    CAPTURE(url);
    config.https_proxy = url;
    auto result = config.select(true, "api.example.com", 443);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::Invalid);
    CHECK(result.error().message.find("secret") == std::string::npos);
  }
}

TEST_CASE("a fixed proxy (kubeconfig proxy-url) serves every origin, TLS or not") {
  const ProxyConfig config = ProxyConfig::fixed("http://proxy.corp:3128", "proxy-url");
  for (bool tls : {true, false}) {
    auto chosen = config.select(tls, "10.0.0.1", 443);
    REQUIRE(chosen.ok());
    REQUIRE(chosen->has_value());
    CHECK((*chosen)->host == "proxy.corp");
  }
  auto https = ProxyConfig::fixed("https://user:secret@proxy.corp", "proxy-url").select(true, "api", 443);
  REQUIRE_FALSE(https.ok());
  CHECK(https.error().message == "proxy-url: only http:// proxies are supported");
  auto malformed = ProxyConfig::fixed("http://user:secret@:1", "proxy-url").select(true, "api", 443);
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().message == "malformed proxy-url URL");
}

TEST_CASE("from_env reads upper- and lower-case variables") {
  ::setenv("HTTPS_PROXY", "http://upper:1", 1);
  ::setenv("https_proxy", "http://lower:2", 1);
  ::unsetenv("HTTP_PROXY");
  ::setenv("http_proxy", "http://plain:3", 1);
  ::unsetenv("NO_PROXY");
  ::setenv("no_proxy", "localhost", 1);
  ProxyConfig config = ProxyConfig::from_env();
  CHECK(config.https_proxy == "http://upper:1");
  CHECK(config.http_proxy == "http://plain:3");
  CHECK(config.no_proxy == "localhost");
  for (const char* name : {"HTTPS_PROXY", "https_proxy", "http_proxy", "no_proxy"}) ::unsetenv(name);
}

}  // namespace
}  // namespace imps::net
