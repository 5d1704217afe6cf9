// http::Client over TLS against a real OpenSSL peer (test/unit/net/tls_http_server.py), directly
// and through an HTTP CONNECT proxy (connect_proxy.py, which tunnels to that peer).
#include <doctest/doctest.h>

#include <optional>

#include "http/client.h"
#include "http/client_fake_server.h"
#include "net/tls_test_peer.h"

namespace imps::http {
namespace {

using net::testing::pki;
using net::testing::PythonProcess;

template <class Pred>
bool run_until(loop::EventLoop& loop, Pred done) {
  const Millis deadline = loop.now() + net::testing::kDeadlineMs;
  while (!done() && loop.now() < deadline) REQUIRE(loop.run_once(50).ok());
  return done();
}

std::string here() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind('/'));
}

Origin tls_origin(const std::string& host, uint16_t port, const std::string& ca, const std::string& server_name = "") {
  net::TlsOptions options;
  options.ca_pem = pki(ca);
  options.server_name = server_name;
  auto config = net::TlsConfig::create(options);
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  Origin origin;
  origin.host = host;
  origin.port = port;
  origin.tls_config = config.value();
  return origin;
}

Result<Response> fetch(loop::EventLoop& loop, Client& client) {
  std::optional<Result<Response>> result;
  client.send(Request{}, [&](Result<Response> r) { result.emplace(std::move(r)); });
  REQUIRE(run_until(loop, [&] { return result.has_value(); }));
  return std::move(*result);
}

TEST_CASE("HTTPS by name and by IP; verification failures are Invalid") {
  PythonProcess server(net::testing::tls_server_args("server.pem", "server.key"));
  loop::EventLoop loop;
  for (const char* host : {"localhost", "127.0.0.1"}) {
    CAPTURE(host);
    Client client(loop, tls_origin(host, server.port(), "ca.pem"));
    auto r = fetch(loop, client);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    CHECK(r->status == 200);
    CHECK(r->body == "hello anonymous");
  }
  Client untrusted(loop, tls_origin("localhost", server.port(), "other-ca.pem"));
  auto r = fetch(loop, untrusted);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Invalid);
}

TEST_CASE("HTTPS through an HTTP CONNECT proxy with credentials") {
  PythonProcess server(net::testing::tls_server_args("server.pem", "server.key"));
  PythonProcess proxy({here() + "/connect_proxy.py", std::to_string(server.port()), "Basic dXNlcjpwYXNz"});
  loop::EventLoop loop;
  ClientOptions options;
  options.proxy.https_proxy = "http://user:pass@127.0.0.1:" + std::to_string(proxy.port());
  // A name we cannot resolve ourselves: only the proxy's tunnel reaches the server.
  Client client(loop, tls_origin("origin.invalid", 443, "ca.pem", "localhost"), options);
  auto r = fetch(loop, client);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->body == "hello anonymous");

  options.proxy.https_proxy = "http://user:wrong@127.0.0.1:" + std::to_string(proxy.port());
  Client refused(loop, tls_origin("origin.invalid", 443, "ca.pem", "localhost"), options);
  auto denied = fetch(loop, refused);
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().kind == ErrorKind::Transient);
  CHECK(denied.error().message.find("407") != std::string::npos);
  CHECK(denied.error().message.find("wrong") == std::string::npos);
}

TEST_CASE("the CONNECT request names the origin and carries Proxy-Authorization") {
  loop::EventLoop loop;
  testing::FakeServer proxy(loop, [](testing::FakeServer& s, testing::FakeServer::Conn& conn, const std::string&) {
    s.send(conn, {"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"});
  });
  ClientOptions options;
  options.proxy.https_proxy = "http://u:p@127.0.0.1:" + std::to_string(proxy.port());
  options.proxy.no_proxy = "internal.example";
  Client client(loop, tls_origin("api.example", 6443, "ca.pem"), options);
  auto r = fetch(loop, client);
  REQUIRE_FALSE(r.ok());
  REQUIRE(proxy.heads().size() == 1);
  CHECK(proxy.heads()[0].starts_with("CONNECT api.example:6443 HTTP/1.1\r\n"));
  CHECK(proxy.heads()[0].find("Proxy-Authorization: Basic dTpw") != std::string::npos);
}

}  // namespace
}  // namespace imps::http
