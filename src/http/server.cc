#include "http/server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace imps::http {

namespace {

constexpr int kListenBacklog = 64;           // queued connections wait here while we are full
constexpr size_t kReadChunk = 4096;          // one recv() per readiness; heads are small
constexpr Millis kAcceptRetryMs = 1'000;     // out of descriptors: give others time to close some

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

Response plain(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.body = std::move(body);
  return r;
}

Error sys_error(std::string what) {
  int err = errno;
  return make_error(ErrorKind::Fatal, what + ": " + std::strerror(err), err);
}

Result<UniqueFd> bind_listener(int family, const sockaddr* addr, socklen_t len) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sys_error("socket");
  int one = 1;
  // Restarts must not wait out TIME_WAIT connections of the previous process.
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return sys_error("SO_REUSEADDR");
  if (family == AF_INET6) {
    int zero = 0;  // dual-stack: "::" takes IPv4 connections too
    if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0) return sys_error("IPV6_V6ONLY");
  }
  if (::bind(fd.get(), addr, len) != 0) return sys_error("bind");
  if (::listen(fd.get(), kListenBacklog) != 0) return sys_error("listen");
  return fd;
}

// Every address: IPv6 dual-stack, or IPv4 alone where the kernel has no IPv6.
Result<UniqueFd> bind_any(uint16_t port) {
  sockaddr_in6 any6{};
  any6.sin6_family = AF_INET6;
  any6.sin6_addr = in6addr_any;
  any6.sin6_port = htons(port);
  auto v6 = bind_listener(AF_INET6, reinterpret_cast<const sockaddr*>(&any6), sizeof any6);
  if (v6.ok() || v6.error().code != EAFNOSUPPORT) return v6;
  sockaddr_in any4{};
  any4.sin_family = AF_INET;
  any4.sin_addr.s_addr = htonl(INADDR_ANY);
  any4.sin_port = htons(port);
  return bind_listener(AF_INET, reinterpret_cast<const sockaddr*>(&any4), sizeof any4);
}

Result<UniqueFd> bind_host(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) return make_error(ErrorKind::Invalid, "cannot resolve listen host " + host + ": " + gai_strerror(rc));
  Result<UniqueFd> result = make_error(ErrorKind::Invalid, "no address for listen host " + host);
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    result = bind_listener(ai->ai_family, ai->ai_addr, ai->ai_addrlen);
    if (result.ok()) break;
  }
  ::freeaddrinfo(list);
  return result;
}

}  // namespace

struct Server::Connection {
  UniqueFd fd;           // declared first: closed after the watch and timer are gone
  loop::FdWatch watch;
  loop::Timer deadline;
  std::string in;
  std::string out;
  size_t written = 0;
  bool draining = false;  // response sent and write side shut: reading only to see the peer close
};

Server::Server(loop::EventLoop& loop) : loop_(loop), accept_retry_(loop) {}
Server::~Server() = default;

void Server::route(std::string path, RouteHandler handler) { routes_[std::move(path)] = std::move(handler); }

Status Server::listen(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return make_error(ErrorKind::Invalid, "listen address needs a port: " + std::string(address));
  std::string host(address.substr(0, colon));
  std::string port_text(address.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint32_t port = 0;
  bool digits = !port_text.empty() && port_text.size() <= 5;
  for (char c : port_text) {
    digits = digits && c >= '0' && c <= '9';
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (!digits || port > 65535) return make_error(ErrorKind::Invalid, "bad port in listen address: " + std::string(address));

  Result<UniqueFd> fd = host.empty() ? bind_any(static_cast<uint16_t>(port)) : bind_host(host, port_text);
  if (!fd.ok()) return std::move(fd).error().context("listen on " + std::string(address));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(fd->get(), reinterpret_cast<sockaddr*>(&bound), &len) != 0) return sys_error("getsockname");
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  TRY_ASSIGN(listen_watch_, loop::FdWatch::create(loop_, fd->get(), loop::kReadable, [this](uint8_t) { on_accept(); }));
  listener_ = std::move(fd).value();
  return {};
}

void Server::on_accept() {
  while (connections_.size() < kMaxServerConnections) {
    int raw = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (raw < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // EMFILE and friends: the pending connection stays readable, so stop looking for a while
      // rather than spinning on it.
      listen_watch_.set_mask(0);
      accept_retry_.start(kAcceptRetryMs, [this] { resume_accepting(); });
      return;
    }
    auto conn = std::make_unique<Connection>();
    conn->fd.reset(raw);
    Connection* c = conn.get();
    auto watch = loop::FdWatch::create(loop_, raw, loop::kReadable, [this, c](uint8_t ready) {
      if (ready & loop::kWritable) {
        on_writable(*c);
      } else {
        on_readable(*c);
      }
    });
    if (!watch.ok()) continue;  // beyond select()'s range: dropping it closes the socket
    c->watch = std::move(watch).value();
    c->deadline.bind(loop_);
    c->deadline.start(kServerConnectionTimeoutMs, [this, raw] { close(raw); });
    connections_[raw] = std::move(conn);
  }
  listen_watch_.set_mask(0);  // full: resume_accepting() runs when a connection closes
}

void Server::on_readable(Connection& conn) {
  char buf[kReadChunk];
  size_t room = conn.draining ? sizeof buf : kMaxServerRequestHead - conn.in.size();
  ssize_t n = ::recv(conn.fd.get(), buf, room < sizeof buf ? room : sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {  // the peer is done (or left before finishing its request), or the socket failed
    close(conn.fd.get());
    return;
  }
  if (conn.draining) return;
  conn.in.append(buf, static_cast<size_t>(n));

  RequestHead request;
  ParseResult parsed = parse_request_head(conn.in, request, kMaxServerRequestHead);
  if (parsed.kind == ParseResult::NeedMore) return;
  if (parsed.kind == ParseResult::Error) {
    // The head is capped by what we read, so a full buffer that did not parse is too large.
    bool too_large = conn.in.size() >= kMaxServerRequestHead;
    respond(conn, too_large ? plain(431, "request head too large\n") : plain(400, "bad request\n"), false);
    return;
  }
  bool head_only = request.method == "HEAD";
  if (request.method != "GET" && !head_only) {
    Response r = plain(405, "only GET and HEAD\n");
    r.headers.push_back({"Allow", "GET, HEAD"});
    respond(conn, r, false);
    return;
  }
  respond(conn, dispatch(request), head_only);
}

Response Server::dispatch(const RequestHead& request) const {
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  auto it = routes_.find(path);
  if (it == routes_.end()) return plain(404, "not found\n");
  return it->second(request);
}

void Server::respond(Connection& conn, const Response& response, bool head_only) {
  const char* reason = response.reason.empty() ? reason_phrase(response.status) : response.reason.c_str();
  char line[128];
  snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n",
           response.status, reason, response.body.size());
  conn.out = line;
  for (const Header& h : response.headers) conn.out.append(h.name).append(": ").append(h.value).append("\r\n");
  conn.out.append("\r\n");
  if (!head_only) conn.out.append(response.body);
  conn.watch.set_mask(loop::kWritable);  // the rest of the request, if any, is not read
}

void Server::on_writable(Connection& conn) {
  ssize_t n = ::send(conn.fd.get(), conn.out.data() + conn.written, conn.out.size() - conn.written, MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n < 0) {
    close(conn.fd.get());
    return;
  }
  conn.written += static_cast<size_t>(n);
  if (conn.written < conn.out.size()) return;
  // Lingering close: closing a socket with unread request bytes makes the kernel send a reset,
  // which can destroy the response before the client reads it. So shut our side and read until
  // the client closes (bounded by the connection deadline).
  ::shutdown(conn.fd.get(), SHUT_WR);
  conn.draining = true;
  conn.watch.set_mask(loop::kReadable);
}

void Server::close(int fd) {
  connections_.erase(fd);
  if (!accept_retry_.pending()) resume_accepting();
}

void Server::resume_accepting() {
  accept_retry_.cancel();
  if (connections_.size() < kMaxServerConnections) listen_watch_.set_mask(loop::kReadable);
}

}  // namespace imps::http
