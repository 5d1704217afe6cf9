#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include "http/parser.h"
#include "http/server.h"

using namespace imps;
using namespace imps::http;

namespace {

constexpr auto kDeadline = std::chrono::seconds(10);  // generous: only a hang ever takes this long

// A plain blocking client socket; the server runs on the same thread, so reads never block:
// they poll with MSG_DONTWAIT while the test pumps the loop.
UniqueFd connect_to(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

UniqueFd connect_to_v6(uint16_t port) {
  UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(port);
  addr.sin6_addr = in6addr_loopback;
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

bool host_has_ipv6() {
  UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

void send_all(const UniqueFd& fd, std::string_view bytes) {
  REQUIRE(::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}

// Pumps the loop until `done` holds or the deadline passes.
template <class Pred>
bool pump_until(loop::EventLoop& loop, Pred done) {
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    REQUIRE(loop.run_once(10).ok());
  }
  return true;
}

// Reads what the server sends until it closes the connection.
std::string read_until_close(loop::EventLoop& loop, const UniqueFd& fd) {
  std::string got;
  bool closed = false;
  bool finished = pump_until(loop, [&] {
    char buf[4096];
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
    return closed;
  });
  CHECK(finished);
  return got;
}

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  Server server{loop};
  int probes = 0;

  Fixture() {
    server.route("/healthz", [this](const RequestHead&) {
      ++probes;
      Response r;
      r.status = 200;
      r.headers.push_back({"Content-Type", "text/plain"});
      r.body = "ok\n";
      return r;
    });
    server.route("/metrics", [](const RequestHead& request) {
      Response r;
      r.status = 200;
      r.body = "target " + request.target + "\n";
      return r;
    });
    REQUIRE(server.listen("127.0.0.1:0").ok());
    REQUIRE(server.port() != 0);
  }

  Response exchange(std::string_view request, std::string* raw = nullptr) {
    UniqueFd fd = connect_to(server.port());
    send_all(fd, request);
    std::string got = read_until_close(loop, fd);
    if (raw) *raw = got;
    Response response;
    ParseResult p = parse_response_head(got, response);
    REQUIRE_MESSAGE(p.kind == ParseResult::Complete, got);
    response.body = got.substr(p.consumed);
    return response;
  }
};

}  // namespace

TEST_CASE("server: GET routes by path and answers with Content-Length and Connection: close") {
  Fixture f;
  Response r = f.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.status == 200);
  CHECK(r.reason == "OK");
  CHECK(r.body == "ok\n");
  CHECK(r.header("Content-Length") == "3");
  CHECK(r.header("Connection") == "close");
  CHECK(r.header("Content-Type") == "text/plain");
  CHECK(f.probes == 1);

  Response m = f.exchange("GET /metrics?name=x HTTP/1.0\r\n\r\n");
  CHECK(m.status == 200);
  CHECK(m.body == "target /metrics?name=x\n");
  CHECK(pump_until(f.loop, [&] { return f.server.connections() == 0; }));
}

TEST_CASE("server: HEAD gets the headers without the body") {
  Fixture f;
  std::string raw;
  Response r = f.exchange("HEAD /healthz HTTP/1.1\r\n\r\n", &raw);
  CHECK(r.status == 200);
  CHECK(r.header("Content-Length") == "3");
  CHECK(r.body.empty());
}

TEST_CASE("server: unknown paths, other methods and bad or oversized requests") {
  Fixture f;
  CHECK(f.exchange("GET /nope HTTP/1.1\r\n\r\n").status == 404);
  CHECK(f.exchange("GET /healthz/ HTTP/1.1\r\n\r\n").status == 404);
  Response post = f.exchange("POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  CHECK(post.status == 405);
  CHECK(post.header("Allow") == "GET, HEAD");
  CHECK(f.exchange("GET /healthz HTTP/1.1\n\n").status == 400);
  CHECK(f.exchange("GET healthz HTTP/1.1\r\n\r\n").status == 400);
  using namespace std::string_literals;
  CHECK(f.exchange("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"s).status == 400);
  std::string huge = "GET /healthz HTTP/1.1\r\nX-Pad: " + std::string(kMaxServerRequestHead, 'a') + "\r\n\r\n";
  Response big = f.exchange(huge);
  CHECK(big.status == 431);
  CHECK(big.reason == "Request Header Fields Too Large");
  CHECK(f.probes == 0);
}

TEST_CASE("server: a request arriving one byte at a time") {
  Fixture f;
  std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  UniqueFd fd = connect_to(f.server.port());
  for (char c : request) {
    send_all(fd, std::string_view(&c, 1));
    REQUIRE(f.loop.run_once(5).ok());
  }
  std::string got = read_until_close(f.loop, fd);
  CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(f.probes == 1);
}

TEST_CASE("server: silent and half-finished connections are dropped after the timeout") {
  Fixture f;
  UniqueFd silent = connect_to(f.server.port());
  UniqueFd partial = connect_to(f.server.port());
  send_all(partial, "GET /healthz HT");
  REQUIRE(pump_until(f.loop, [&] { return f.server.connections() == 2; }));
  f.clock.advance(kServerConnectionTimeoutMs);
  CHECK(read_until_close(f.loop, silent).empty());
  CHECK(read_until_close(f.loop, partial).empty());
  CHECK(f.server.connections() == 0);
  CHECK(f.probes == 0);
}

TEST_CASE("server: a client that leaves early is cleaned up") {
  Fixture f;
  {
    UniqueFd gone = connect_to(f.server.port());
    send_all(gone, "GET /hea");
    REQUIRE(pump_until(f.loop, [&] { return f.server.connections() == 1; }));
  }
  REQUIRE(pump_until(f.loop, [&] { return f.server.connections() == 0; }));
}

TEST_CASE("server: connections beyond the limit wait until one closes") {
  Fixture f;
  std::vector<UniqueFd> idle;
  for (size_t i = 0; i < kMaxServerConnections; ++i) idle.push_back(connect_to(f.server.port()));
  REQUIRE(pump_until(f.loop, [&] { return f.server.connections() == kMaxServerConnections; }));

  UniqueFd waiting = connect_to(f.server.port());  // completes in the kernel's backlog
  send_all(waiting, "GET /healthz HTTP/1.1\r\n\r\n");
  for (int i = 0; i < 20; ++i) REQUIRE(f.loop.run_once(5).ok());
  CHECK(f.server.connections() == kMaxServerConnections);
  CHECK(f.probes == 0);

  idle.front().reset();
  std::string got = read_until_close(f.loop, waiting);
  CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(f.probes == 1);
}

TEST_CASE("server: listen addresses") {
  ManualClock clock;
  loop::EventLoop loop{clock};
  Server any(loop);
  REQUIRE(any.listen(":0").ok());  // every address: reachable over IPv4 loopback too
  any.route("/readyz", [](const RequestHead&) {
    Response r;
    r.status = 503;
    r.body = "not ready\n";
    return r;
  });
  UniqueFd fd = connect_to(any.port());
  send_all(fd, "GET /readyz HTTP/1.1\r\n\r\n");
  CHECK(read_until_close(loop, fd).rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);

  if (host_has_ipv6()) {
    UniqueFd v6 = connect_to_v6(any.port());
    send_all(v6, "GET /readyz HTTP/1.1\r\n\r\n");
    CHECK(read_until_close(loop, v6).rfind("HTTP/1.1 503 ", 0) == 0);

    Server loopback6(loop);
    REQUIRE(loopback6.listen("[::1]:0").ok());
    UniqueFd only6 = connect_to_v6(loopback6.port());
    send_all(only6, "GET /healthz HTTP/1.1\r\n\r\n");
    CHECK(read_until_close(loop, only6).rfind("HTTP/1.1 404 ", 0) == 0);
  } else {
    MESSAGE("no IPv6 on this host: IPv6 listening not exercised");
  }

  for (const char* bad : {"", "8080", ":", ":http", ":65536", ":123456", "127.0.0.1:x", "[::1:80"}) {
    Server s(loop);
    Status st = s.listen(bad);
    CHECK_MESSAGE(!st.ok(), bad);
  }
  Server taken(loop);
  Server first(loop);
  REQUIRE(first.listen("127.0.0.1:0").ok());
  CHECK_FALSE(taken.listen("127.0.0.1:" + std::to_string(first.port())).ok());
}
