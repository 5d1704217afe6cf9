// A tiny HTTP/1.1 server on the event loop for /healthz, /readyz and /metrics.
//
// - One request per connection: every response carries Content-Length and `Connection: close`
//   and our side is shut once it is written; the socket is closed when the client closes its
//   side or the deadline passes. Probes and scrapers open a connection per request anyway, and
//   this keeps the server free of keep-alive state.
// - Only GET and HEAD (405 otherwise); routes match the path exactly, the query is ignored (404
//   otherwise). Request heads are capped (431) and must parse (400); request bodies are not read.
// - At most kMaxServerConnections at once: beyond that the listener stops accepting until one
//   closes, so a flood waits in the kernel's backlog instead of growing our memory. A connection
//   that has not finished within kServerConnectionTimeoutMs is dropped (without a response if
//   none was sent yet).
// Not a general-purpose server: no TLS, no keep-alive, no pipelining, no chunked requests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/fd.h"
#include "base/result.h"
#include "http/message.h"
#include "http/parser.h"
#include "loop/event_loop.h"

namespace imps::http {

constexpr size_t kMaxServerConnections = 16;       // kubelet probes plus a scraper or two
constexpr Millis kServerConnectionTimeoutMs = 10'000;  // a probe sends its request at once; kubelet's own timeout is 1 s
constexpr size_t kMaxServerRequestHead = 8 << 10;   // probe and scrape requests are a few hundred bytes

// Fills status, headers (Content-Type, ...) and body; the server adds Content-Length and
// Connection, and a standard reason phrase when `reason` is empty.
using RouteHandler = std::function<Response(const RequestHead& request)>;

class Server {
 public:
  explicit Server(loop::EventLoop& loop);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void route(std::string path, RouteHandler handler);

  // "host:port", ":port" (every address, IPv6 and IPv4 where the host has IPv6, else IPv4) or
  // "[v6-literal]:port". Port 0 picks a free port (see port()). Hosts are resolved once, here.
  Status listen(std::string_view address);
  uint16_t port() const { return port_; }
  size_t connections() const { return connections_.size(); }

 private:
  struct Connection;

  void on_accept();
  void on_readable(Connection& conn);
  void on_writable(Connection& conn);
  void respond(Connection& conn, const Response& response, bool head_only);
  Response dispatch(const RequestHead& request) const;
  void close(int fd);
  void resume_accepting();

  loop::EventLoop& loop_;
  std::map<std::string, RouteHandler, std::less<>> routes_;
  UniqueFd listener_;
  loop::FdWatch listen_watch_;
  loop::Timer accept_retry_;  // after accept() failed for lack of descriptors
  uint16_t port_ = 0;
  std::map<int, std::unique_ptr<Connection>> connections_;  // by fd
};

}  // namespace imps::http
