#include "http/client.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "http/client_fake_server.h"

namespace imps::http {
namespace {

using testing::FakeServer;

constexpr Millis kTestDeadlineMs = 10'000;  // generous: the machine is shared

template <class Pred>
bool run_until(loop::EventLoop& loop, Pred done) {
  const Millis deadline = loop.now() + kTestDeadlineMs;
  while (!done() && loop.now() < deadline) REQUIRE(loop.run_once(50).ok());
  return done();
}

Origin plain(uint16_t port) {
  Origin origin;
  origin.tls = false;
  origin.host = "127.0.0.1";
  origin.port = port;
  return origin;
}

Request get(std::string target = "/") {
  Request r;
  r.target = std::move(target);
  return r;
}

// Sends one request and runs the loop until it completes.
Result<Response> fetch(loop::EventLoop& loop, Client& client, Request request) {
  std::optional<Result<Response>> result;
  client.send(std::move(request), [&](Result<Response> r) { result.emplace(std::move(r)); });
  REQUIRE(run_until(loop, [&] { return result.has_value(); }));
  return std::move(*result);
}

FakeServer::OnRequest respond_with(std::vector<std::string> pieces) {
  return [pieces](FakeServer& server, FakeServer::Conn& conn, const std::string&) { server.send(conn, pieces); };
}

TEST_CASE("Content-Length response; Host and User-Agent are sent") {
  loop::EventLoop loop;
  FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Test: yes\r\n\r\nhello"}));
  Client client(loop, plain(server.port()));
  auto r = fetch(loop, client, get("/api?x=1"));
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->status == 200);
  CHECK(r->body == "hello");
  CHECK(r->header("x-test") == "yes");
  REQUIRE(server.heads().size() == 1);
  CHECK(server.heads()[0].starts_with("GET /api?x=1 HTTP/1.1\r\n"));
  CHECK(server.heads()[0].find("Host: 127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
  CHECK(server.heads()[0].find("User-Agent: imps") != std::string::npos);
}

TEST_CASE("chunked body split at awkward points") {
  loop::EventLoop loop;
  FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r", "\n\r\n5", "\r\nhel",
                                        "lo\r", "\n", "6;ext=1\r\n, worl\r\n1\r\nd\r\n0", "\r\n", "\r\n"}));
  Client client(loop, plain(server.port()));
  auto r = fetch(loop, client, get());
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->body == "hello, world");
}

TEST_CASE("keep-alive connections are reused; Connection: close is honoured") {
  loop::EventLoop loop;
  bool close = false;
  FakeServer server(loop, [&](FakeServer& s, FakeServer::Conn& conn, const std::string&) {
    s.send(conn, {std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n") + (close ? "Connection: close\r\n" : "") + "\r\nok"},
           close);
  });
  Client client(loop, plain(server.port()));
  for (int i = 0; i < 3; ++i) REQUIRE(fetch(loop, client, get()).ok());
  CHECK(server.accepted() == 1);
  CHECK(client.open_connections() == 1);

  close = true;
  REQUIRE(fetch(loop, client, get()).ok());
  CHECK(client.open_connections() == 0);
  REQUIRE(fetch(loop, client, get()).ok());
  CHECK(server.accepted() == 2);
}

TEST_CASE("the pool notices a server closing an idle connection and keeps at most max_idle") {
  loop::EventLoop loop;
  bool close_after = true;
  FakeServer server(loop, [&](FakeServer& s, FakeServer::Conn& conn, const std::string&) {
    s.send(conn, {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}, close_after);
  });
  ClientOptions options;
  options.max_idle_connections = 1;
  Client client(loop, plain(server.port()), options);
  REQUIRE(fetch(loop, client, get()).ok());
  CHECK(run_until(loop, [&] { return client.open_connections() == 0; }));

  close_after = false;
  int done = 0;
  for (int i = 0; i < 3; ++i) client.send(get(), [&](Result<Response> r) { done += r.ok(); });
  REQUIRE(run_until(loop, [&] { return done == 3; }));
  CHECK(server.accepted() == 4);
  CHECK(client.open_connections() == 1);
}

TEST_CASE("a GET on a pooled connection the server dropped is retried once on a fresh one") {
  loop::EventLoop loop;
  // Each connection serves one request, then closes when a second one arrives, without a word:
  // what a server whose idle timeout fired just as we reused the connection looks like.
  FakeServer server(loop, [](FakeServer& s, FakeServer::Conn& conn, const std::string&) {
    if (conn.requests > 1) return s.close(conn);
    s.send(conn, {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  });
  Client client(loop, plain(server.port()));
  REQUIRE(fetch(loop, client, get()).ok());
  auto second = fetch(loop, client, get());
  REQUIRE_MESSAGE(second.ok(), second.error().message);
  CHECK(second->body == "ok");
  CHECK(server.accepted() == 2);

  SUBCASE("but not a POST") {
    Request post = get();
    post.method = "POST";
    post.body = "{}";
    auto r = fetch(loop, client, post);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Transient);
    CHECK(server.accepted() == 2);
  }
}

TEST_CASE("responses over the cap fail with TooLarge") {
  loop::EventLoop loop;
  ClientOptions options;
  options.max_body_bytes = 8;
  SUBCASE("announced by Content-Length") {
    FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"}));
    Client client(loop, plain(server.port()), options);
    auto r = fetch(loop, client, get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::TooLarge);
    CHECK(client.open_connections() == 0);
  }
  SUBCASE("growing chunk by chunk") {
    FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\n01234\r\n",
                                          "5\r\n56789\r\n", "0\r\n\r\n"}));
    Client client(loop, plain(server.port()), options);
    auto r = fetch(loop, client, get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::TooLarge);
  }
  SUBCASE("read until close") {
    FakeServer server(loop, [](FakeServer& s, FakeServer::Conn& conn, const std::string&) {
      s.send(conn, {"HTTP/1.1 200 OK\r\n\r\n", "0123456789"}, true);
    });
    Client client(loop, plain(server.port()), options);
    auto r = fetch(loop, client, get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::TooLarge);
  }
}

// Answers one request, from its own thread, with an endless chunked body written as fast as the
// socket takes it, so the client's receive queue stays fuller than one read budget: each read ends
// with the budget spent and a continuation deferred, and these pile up behind the fd handler.
class FloodServer {
 public:
  FloodServer() {
    listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_.get(), 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FloodServer() {
    stopping_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);  // wakes accept() if the client never came
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  static constexpr size_t kChunk = 64 << 10;       // a quarter of the client's read budget
  static constexpr size_t kMaxBytes = 256u << 20;  // bounds the test should the client never stop
  static constexpr int kSendTimeoutS = 10;         // nor the thread, should the client stop reading

  void serve() {
    UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) return;
    const timeval timeout{kSendTimeoutS, 0};
    ::setsockopt(conn.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
      if (n <= 0) return;
      head.append(buf, size_t(n));
    }
    char size_line[16];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", kChunk);
    const std::string chunk = size_line + std::string(kChunk, 'x') + "\r\n";
    std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk;
    for (size_t sent = 0; !stopping_ && sent < kMaxBytes; sent += out.size(), out = chunk) {
      if (!send_all(conn.get(), out)) return;  // the client dropped the connection
    }
  }
  static bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(size_t(n));
    }
    return true;
  }

  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Regression (a segfault on an oversized LIST): the exchange failed in the fd handler while a
// continuation of an earlier budget-spent read was still queued; that continuation then read from
// the connection the failure had already dropped.
TEST_CASE("an exchange failing while read continuations are queued ignores them") {
  loop::EventLoop loop;
  FloodServer server;
  ClientOptions options;
  options.max_body_bytes = 8u << 20;  // many read budgets' worth, so continuations pile up first
  Client client(loop, plain(server.port()), options);
  auto r = fetch(loop, client, get());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::TooLarge);
  // Whatever was still queued for the failed exchange runs now, and must find nothing to do.
  for (int i = 0; i < 5; ++i) REQUIRE(loop.run_once(0).ok());
  CHECK(client.open_connections() == 0);
}

TEST_CASE("a body delimited by the connection closing") {
  loop::EventLoop loop;
  FakeServer server(loop, [](FakeServer& s, FakeServer::Conn& conn, const std::string&) {
    s.send(conn, {"HTTP/1.1 200 OK\r\n\r\n", "all of ", "it"}, true);
  });
  Client client(loop, plain(server.port()));
  auto r = fetch(loop, client, get());
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->body == "all of it");
  CHECK(client.open_connections() == 0);
}

TEST_CASE("malformed responses fail with Invalid and drop the connection") {
  loop::EventLoop loop;
  SUBCASE("garbage status line") {
    FakeServer server(loop, respond_with({"SMTP ready\r\n\r\n"}));
    Client client(loop, plain(server.port()));
    auto r = fetch(loop, client, get("/x"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Invalid);
    CHECK(r.error().message.starts_with("GET /x: malformed response"));
    CHECK(client.open_connections() == 0);
  }
  SUBCASE("bad chunk size") {
    FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}));
    Client client(loop, plain(server.port()));
    auto r = fetch(loop, client, get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Invalid);
  }
  SUBCASE("truncated body") {
    FakeServer server(loop, [](FakeServer& s, FakeServer::Conn& conn, const std::string&) {
      s.send(conn, {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"}, true);
    });
    Client client(loop, plain(server.port()));
    auto r = fetch(loop, client, get());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Transient);
  }
}

TEST_CASE("the request deadline fails a silent exchange with Transient 'timed out'") {
  loop::EventLoop loop;
  FakeServer server(loop, [](FakeServer&, FakeServer::Conn&, const std::string&) {});
  Client client(loop, plain(server.port()));
  Request request = get();
  request.timeout_ms = 50;
  auto r = fetch(loop, client, request);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Transient);
  CHECK(r.error().message.find("timed out") != std::string::npos);
  CHECK(client.open_connections() == 0);
}

TEST_CASE("streams deliver body bytes as they arrive and end cleanly with the chunked body") {
  loop::EventLoop loop;
  FakeServer::Conn* stream_conn = nullptr;
  FakeServer server(loop, [&](FakeServer& s, FakeServer::Conn& conn, const std::string&) {
    stream_conn = &conn;
    s.send(conn, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "7\r\nevent1\n\r\n"});
  });
  Client client(loop, plain(server.port()));
  std::optional<int> status;
  std::string data;
  std::optional<Status> end;
  Request watch = get("/watch");
  watch.timeout_ms = kTestDeadlineMs;
  client.stream(watch, {[&](const Response& head) { status = head.status; },
                        [&](std::string_view bytes) { data.append(bytes); },
                        [&](Status s) { end = std::move(s); }});
  REQUIRE(run_until(loop, [&] { return data == "event1\n"; }));
  CHECK(status == 200);
  CHECK_FALSE(end.has_value());

  server.send(*stream_conn, {"7\r\nevent2\n\r\n", "0\r\n\r\n"});
  REQUIRE(run_until(loop, [&] { return end.has_value(); }));
  CHECK(end->ok());
  CHECK(data == "event1\nevent2\n");
  CHECK(client.open_connections() == 0);  // streams never pool their connection
}

TEST_CASE("a stream times out after inactivity") {
  loop::EventLoop loop;
  FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"}));
  Client client(loop, plain(server.port()));
  std::optional<Status> end;
  Request watch = get("/watch");
  watch.timeout_ms = 50;
  client.stream(watch, {nullptr, nullptr, [&](Status s) { end = std::move(s); }});
  REQUIRE(run_until(loop, [&] { return end.has_value(); }));
  REQUIRE_FALSE(end->ok());
  CHECK(end->error().message.find("timed out") != std::string::npos);
}

TEST_CASE("cancel suppresses callbacks and closes the connection") {
  loop::EventLoop loop;
  FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}));
  Client client(loop, plain(server.port()));
  bool called = false;
  const RequestId id = client.send(get(), [&](Result<Response>) { called = true; });
  client.cancel(id);
  // A second request shows the loop went on long enough for the first to have completed.
  REQUIRE(fetch(loop, client, get()).ok());
  CHECK_FALSE(called);

  SUBCASE("also from inside a stream's on_data") {
    FakeServer chatty(loop, respond_with({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n",
                                          "3\r\ntwo\r\n"}));
    Client streaming(loop, plain(chatty.port()));
    int data_calls = 0;
    bool ended = false;
    RequestId sid = 0;
    sid = streaming.stream(get(), {nullptr, [&](std::string_view) { ++data_calls; streaming.cancel(sid); },
                                   [&](Status) { ended = true; }});
    REQUIRE(run_until(loop, [&] { return data_calls > 0; }));
    REQUIRE(loop.run_once(10).ok());
    CHECK(data_calls == 1);
    CHECK_FALSE(ended);
    CHECK(streaming.open_connections() == 0);
  }
}

TEST_CASE("callbacks are never invoked from inside send(), even for immediate failures") {
  loop::EventLoop loop;
  uint16_t port;
  {
    FakeServer gone(loop, respond_with({}));
    port = gone.port();
  }
  Client client(loop, plain(port));
  std::optional<Result<Response>> result;
  client.send(get(), [&](Result<Response> r) { result.emplace(std::move(r)); });
  CHECK_FALSE(result.has_value());
  REQUIRE(run_until(loop, [&] { return result.has_value(); }));
  REQUIRE_FALSE(result->ok());
  CHECK(result->error().kind == ErrorKind::Transient);  // connection refused
}

TEST_CASE("destroying the client drops pending requests without callbacks") {
  loop::EventLoop loop;
  FakeServer server(loop, respond_with({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}));
  bool called = false;
  {
    Client client(loop, plain(server.port()));
    client.send(get(), [&](Result<Response>) { called = true; });
    REQUIRE(run_until(loop, [&] { return server.requests() == 1; }));
  }
  for (int i = 0; i < 5; ++i) REQUIRE(loop.run_once(10).ok());
  CHECK_FALSE(called);
}

TEST_CASE("a TLS origin without a TLS configuration is an Invalid error") {
  loop::EventLoop loop;
  Origin origin;
  origin.host = "127.0.0.1";
  Client client(loop, origin);
  std::optional<Result<Response>> result;
  client.send(get(), [&](Result<Response> r) { result.emplace(std::move(r)); });
  REQUIRE(run_until(loop, [&] { return result.has_value(); }));
  REQUIRE_FALSE(result->ok());
  CHECK(result->error().kind == ErrorKind::Invalid);
}

// A server that answers nothing until the test says so: what it holds is what is in flight.
struct HoldingServer {
  explicit HoldingServer(loop::EventLoop& loop)
      : server(loop, [this](FakeServer&, FakeServer::Conn& conn, const std::string& head) {
          held.push_back(&conn);
          targets.push_back(head.substr(4, head.find(' ', 4) - 4));  // "GET <target> HTTP/1.1"
        }) {}
  void answer_all(bool close) {
    for (FakeServer::Conn* conn : held) {
      server.send(*conn, {std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n") + (close ? "Connection: close\r\n" : "") +
                              "\r\nok"},
                  close);
    }
    held.clear();
  }
  FakeServer server;
  std::vector<FakeServer::Conn*> held;
  std::vector<std::string> targets;
};

TEST_CASE("send()s beyond max_connections wait in FIFO order and start as connections free up") {
  loop::EventLoop loop;
  HoldingServer holding(loop);
  ClientOptions options;
  options.max_connections = 2;
  Client client(loop, plain(holding.server.port()), options);
  constexpr int kRequests = 10;
  int done = 0;
  for (int i = 0; i < kRequests; ++i) {
    client.send(get("/" + std::to_string(i)), [&](Result<Response> r) {
      CHECK_MESSAGE(r.ok(), r.error().message);
      ++done;
    });
  }
  bool close = false;
  SUBCASE("reusing idle connections") {}
  SUBCASE("replacing closed connections") { close = true; }

  size_t most_open = 0;
  for (int answered = 0; answered < kRequests; answered += 2) {
    // The next two in line reach the server, and no more.
    REQUIRE(run_until(loop, [&] {
      most_open = std::max(most_open, client.open_connections());
      return holding.held.size() >= 2;
    }));
    CHECK(holding.held.size() == 2);
    std::vector<std::string> pair(holding.targets.end() - 2, holding.targets.end());
    std::sort(pair.begin(), pair.end());
    CHECK(pair == std::vector<std::string>{"/" + std::to_string(answered), "/" + std::to_string(answered + 1)});
    holding.answer_all(close);
  }
  REQUIRE(run_until(loop, [&] { return done == kRequests; }));
  CHECK(most_open <= 2);
  CHECK(holding.server.accepted() == (close ? kRequests : 2));
}

TEST_CASE("a send() queued past its deadline fails with Transient 'timed out'") {
  loop::EventLoop loop;
  HoldingServer holding(loop);
  ClientOptions options;
  options.max_connections = 1;
  Client client(loop, plain(holding.server.port()), options);
  std::optional<Result<Response>> first;
  client.send(get("/first"), [&](Result<Response> r) { first.emplace(std::move(r)); });
  Request queued = get("/queued");
  queued.timeout_ms = 50;
  auto r = fetch(loop, client, queued);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Transient);
  CHECK(r.error().message.find("timed out") != std::string::npos);

  holding.answer_all(false);
  REQUIRE(run_until(loop, [&] { return first.has_value(); }));
  CHECK(first->ok());
  CHECK(holding.targets == std::vector<std::string>{"/first"});
  CHECK(holding.server.accepted() == 1);
}

TEST_CASE("cancel of a queued send() removes it without a callback") {
  loop::EventLoop loop;
  HoldingServer holding(loop);
  ClientOptions options;
  options.max_connections = 1;
  Client client(loop, plain(holding.server.port()), options);
  int first_done = 0;
  bool cancelled_called = false;
  client.send(get("/first"), [&](Result<Response> r) { first_done += r.ok(); });
  const RequestId id = client.send(get("/cancelled"), [&](Result<Response>) { cancelled_called = true; });
  std::optional<Result<Response>> last;
  client.send(get("/last"), [&](Result<Response> r) { last.emplace(std::move(r)); });
  REQUIRE(run_until(loop, [&] { return holding.held.size() == 1; }));
  client.cancel(id);
  holding.answer_all(false);
  REQUIRE(run_until(loop, [&] { return holding.held.size() == 1; }));
  holding.answer_all(false);
  REQUIRE(run_until(loop, [&] { return last.has_value(); }));
  CHECK(last->ok());
  CHECK(first_done == 1);
  CHECK_FALSE(cancelled_called);
  CHECK(holding.targets == std::vector<std::string>{"/first", "/last"});
}

TEST_CASE("streams are outside the cap: a watch starts while the pool is full") {
  loop::EventLoop loop;
  std::vector<FakeServer::Conn*> held;
  FakeServer server(loop, [&](FakeServer& s, FakeServer::Conn& conn, const std::string& head) {
    if (head.starts_with("GET /watch ")) {
      return s.send(conn, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nevent1\n\r\n"});
    }
    held.push_back(&conn);
  });
  ClientOptions options;
  options.max_connections = 1;
  Client client(loop, plain(server.port()), options);
  std::optional<Result<Response>> busy;
  client.send(get("/busy"), [&](Result<Response> r) { busy.emplace(std::move(r)); });
  REQUIRE(run_until(loop, [&] { return held.size() == 1; }));

  std::string data;
  Request watch = get("/watch");
  watch.timeout_ms = kTestDeadlineMs;
  const RequestId sid = client.stream(watch, {nullptr, [&](std::string_view bytes) { data.append(bytes); }, nullptr});
  REQUIRE(run_until(loop, [&] { return data == "event1\n"; }));
  CHECK(server.accepted() == 2);
  client.cancel(sid);

  server.send(*held[0], {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  REQUIRE(run_until(loop, [&] { return busy.has_value(); }));
  CHECK(busy->ok());
}

}  // namespace
}  // namespace imps::http
