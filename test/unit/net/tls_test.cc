// TLS against a real peer: Python's ssl module (OpenSSL) with a PKI generated at test time by
// make_test_certs.sh. Every wait polls with a deadline; nothing sleeps a fixed time.
#include "net/tls_stream.h"

#include <doctest/doctest.h>
#include <poll.h>

#include <string>

#include "loop/event_loop.h"
#include "net/resolve_now.h"
#include "net/tcp.h"
#include "net/tls_test_peer.h"

namespace imps::net {
namespace {

using testing::kDeadlineMs;
using testing::pki;
using testing::pki_dir;

struct PythonServer : testing::PythonProcess {
  PythonServer(const std::string& cert, const std::string& key, const std::string& client_ca = "")
      : PythonProcess(testing::tls_server_args(cert, key, client_ca)) {}
};

bool wait_for(int fd, uint8_t interest) {
  pollfd p{fd, short(((interest & loop::kReadable) ? POLLIN : 0) | ((interest & loop::kWritable) ? POLLOUT : 0)), 0};
  return ::poll(&p, 1, kDeadlineMs) == 1;
}

Result<std::unique_ptr<Stream>> connect_tcp(const std::string& host, uint16_t port) {
  TRY_ASSIGN(std::vector<Address> addresses, testing::resolve_now(host, port));
  Error last = make_error(ErrorKind::Transient, "no address");
  for (const Address& address : addresses) {  // "localhost" may list ::1 first; the server is IPv4
    TRY_ASSIGN(UniqueFd fd, start_connect(address));
    if (!wait_for(fd.get(), loop::kWritable)) return make_error(ErrorKind::Transient, "connect timed out");
    Status connected = finish_connect(fd.get(), address);
    if (connected.ok()) return std::unique_ptr<Stream>(new TcpStream(std::move(fd)));
    last = std::move(connected).error();
  }
  return last;
}

// Handshake, one GET, and the whole response (the server closes after it).
Result<std::string> tls_get(const TlsOptions& options, const std::string& host, uint16_t port) {
  TRY_ASSIGN(std::shared_ptr<TlsConfig> config, TlsConfig::create(options));
  TRY_ASSIGN(std::unique_ptr<Stream> tcp, connect_tcp(host, port));
  TRY_ASSIGN(std::unique_ptr<TlsStream> tls, TlsStream::create(config, std::move(tcp), host));
  for (IoResult r = tls->handshake(); r.kind != IoResult::Done; r = tls->handshake()) {
    if (r.kind != IoResult::WouldBlock) return r.kind == IoResult::Failed ? r.error : make_error(ErrorKind::Transient, "closed");
    if (!wait_for(tls->fd(), r.interest)) return make_error(ErrorKind::Transient, "handshake timed out");
  }
  const std::string request = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  for (size_t sent = 0; sent < request.size();) {
    IoResult r = tls->write(request.data() + sent, request.size() - sent);
    if (r.kind == IoResult::Done) sent += r.bytes;
    else if (r.kind == IoResult::WouldBlock) REQUIRE(wait_for(tls->fd(), r.interest));
    else return r.kind == IoResult::Failed ? r.error : make_error(ErrorKind::Transient, "closed");
  }
  std::string response;
  for (;;) {
    char buf[7];  // small on purpose: later reads are served from pending() decrypted bytes
    IoResult r = tls->read(buf, sizeof buf);
    if (r.kind == IoResult::Done) {
      response.append(buf, r.bytes);
    } else if (r.kind == IoResult::WouldBlock) {
      REQUIRE(tls->pending() == 0);
      if (!wait_for(tls->fd(), r.interest)) return make_error(ErrorKind::Transient, "read timed out");
    } else if (r.kind == IoResult::Closed) {
      return response;
    } else {
      return r.error;
    }
  }
}

TlsOptions trusting(const std::string& ca) {
  TlsOptions options;
  options.ca_pem = pki(ca);
  return options;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST_CASE("TLS handshake and request by DNS name and by IP address") {
  PythonServer server("server.pem", "server.key");
  auto by_name = tls_get(trusting("ca.pem"), "localhost", server.port());
  REQUIRE_MESSAGE(by_name.ok(), by_name.error().message);
  CHECK(by_name->starts_with("HTTP/1.1 200 OK"));
  CHECK(ends_with(*by_name, "hello anonymous"));
  auto by_ip = tls_get(trusting("ca.pem"), "127.0.0.1", server.port());
  REQUIRE_MESSAGE(by_ip.ok(), by_ip.error().message);
  CHECK(ends_with(*by_ip, "hello anonymous"));
}

TEST_CASE("a server certificate from an untrusted CA fails verification") {
  PythonServer server("server.pem", "server.key");
  auto result = tls_get(trusting("other-ca.pem"), "localhost", server.port());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::Invalid);
  CHECK(result.error().message.find("verification failed") != std::string::npos);
  CHECK(result.error().message.find("localhost") != std::string::npos);

  TlsOptions insecure = trusting("other-ca.pem");
  insecure.insecure_skip_verify = true;
  CHECK(tls_get(insecure, "localhost", server.port()).ok());
}

TEST_CASE("connecting by IP needs a matching IP SAN; server_name overrides the verified name") {
  PythonServer server("server-noip.pem", "server-noip.key");
  auto by_ip = tls_get(trusting("ca.pem"), "127.0.0.1", server.port());
  REQUIRE_FALSE(by_ip.ok());
  CHECK(by_ip.error().kind == ErrorKind::Invalid);
  CHECK(by_ip.error().message.find("not valid for IP 127.0.0.1") != std::string::npos);

  CHECK(tls_get(trusting("ca.pem"), "localhost", server.port()).ok());
  TlsOptions named = trusting("ca.pem");
  named.server_name = "localhost";
  CHECK(tls_get(named, "127.0.0.1", server.port()).ok());
}

TEST_CASE("a DNS name the certificate does not list fails verification") {
  PythonServer server("server.pem", "server.key");
  TlsOptions wrong_name = trusting("ca.pem");
  wrong_name.server_name = "kubernetes.example";
  auto result = tls_get(wrong_name, "127.0.0.1", server.port());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::Invalid);
}

TEST_CASE("client certificates: accepted when required (PKCS#8, SEC1, PKCS#1 keys), missing one rejected") {
  PythonServer server("server.pem", "server.key", "ca.pem");
  TlsOptions options = trusting("ca.pem");
  options.client_cert_pem = pki("client.pem");
  options.client_key_pem = pki("client.key");
  auto pkcs8 = tls_get(options, "localhost", server.port());
  REQUIRE_MESSAGE(pkcs8.ok(), pkcs8.error().message);
  CHECK(ends_with(*pkcs8, "hello imps-client"));

  options.client_key_pem = pki("client-sec1.key");
  auto sec1 = tls_get(options, "localhost", server.port());
  REQUIRE_MESSAGE(sec1.ok(), sec1.error().message);

  options.client_cert_pem = pki("client-rsa.pem");
  options.client_key_pem = pki("client-rsa.key");
  auto rsa = tls_get(options, "localhost", server.port());
  REQUIRE_MESSAGE(rsa.ok(), rsa.error().message);
  CHECK(ends_with(*rsa, "hello imps-client-rsa"));

  auto anonymous = tls_get(trusting("ca.pem"), "localhost", server.port());
  REQUIRE_FALSE(anonymous.ok());
  CHECK(anonymous.error().kind == ErrorKind::Transient);
  CHECK(anonymous.error().message.find("localhost") != std::string::npos);
}

TEST_CASE("TlsConfig::create rejects bad material with clear errors") {
  TlsOptions garbage;
  garbage.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  auto bad_ca = TlsConfig::create(garbage);
  REQUIRE_FALSE(bad_ca.ok());
  CHECK(bad_ca.error().kind == ErrorKind::Invalid);
  CHECK(bad_ca.error().message.find("CA certificates") != std::string::npos);

  TlsOptions half = trusting("ca.pem");
  half.client_cert_pem = pki("client.pem");
  CHECK(TlsConfig::create(half).error().kind == ErrorKind::Invalid);

  TlsOptions bad_key = trusting("ca.pem");
  bad_key.client_cert_pem = pki("client.pem");
  bad_key.client_key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  auto key = TlsConfig::create(bad_key);
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().message.find("client key") != std::string::npos);
  CHECK(key.error().message.find("AAAA") == std::string::npos);  // never echo key material
}

TEST_CASE("the system's CAs are trusted; without them, explicitly given CAs (AWS_CA_BUNDLE) still are") {
  PythonServer server("server.pem", "server.key");
  const CaSearch nowhere{{pki_dir() + "/missing.pem"}, {pki_dir() + "/missing-dir"}, false};
  TlsOptions system;
  system.system_cas = CaSearch{{pki_dir() + "/missing.pem", pki_dir() + "/ca.pem"}, {}, false};
  auto result = tls_get(system, "localhost", server.port());
  REQUIRE_MESSAGE(result.ok(), result.error().message);

  system.system_cas = nowhere;
  auto missing = TlsConfig::create(system);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("missing.pem") != std::string::npos);

  TlsOptions extra;
  extra.use_system_cas = true;
  extra.system_cas = nowhere;
  extra.extra_ca_pem = pki("ca.pem");
  auto config = TlsConfig::create(extra);
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK((*config)->system_cas_error().find("missing.pem") != std::string::npos);
  auto with_extra = tls_get(extra, "localhost", server.port());
  REQUIRE_MESSAGE(with_extra.ok(), with_extra.error().message);

  extra.system_cas = system.system_cas = CaSearch{{pki_dir() + "/other-ca.pem"}, {}, false};
  auto both = TlsConfig::create(extra);
  REQUIRE(both.ok());
  CHECK((*both)->system_cas_error().empty());
}

}  // namespace
}  // namespace imps::net
