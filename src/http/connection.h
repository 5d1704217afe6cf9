// One transport connection of an http::Client, established asynchronously:
//   resolve (on the resolver's thread, cached, see net/resolve.h) → TCP connect, each address in turn → [HTTP CONNECT
//   through the proxy] → [TLS handshake and verification] → established.
// The whole establishment, name resolution included, is bounded by ClientOptions::connect_timeout_ms. Afterwards the owner
// drives stream() itself and chooses the fd handler with watch().
// Proxies are used for TLS origins only (HTTPS_PROXY); plain-HTTP origins (stand-ins, link-local
// credential endpoints) are always reached directly.
// Not movable: the fd handlers and mbedTLS point at it. Callbacks may destroy it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/client.h"
#include "http/connection_budget.h"
#include "loop/event_loop.h"
#include "net/resolve.h"
#include "net/stream.h"

namespace imps::http {

constexpr size_t kMaxProxyResponseHead = 8 << 10;  // a CONNECT answer is a status line and a few headers

class Connection {
 public:
  Connection(loop::EventLoop& loop, const Origin& origin, const ClientOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts establishing (first taking a slot of the descriptor budget, for a stream or a
  // request); `ready` runs exactly once, possibly before open() returns.
  void open(bool stream, std::function<void(Status)> ready);
  bool established() const { return established_; }

  net::Stream& stream() { return *stream_; }
  // Replaces the fd handler (after `ready`), e.g. request I/O or idle watching in the pool.
  void watch(uint8_t mask, loop::FdHandler handler);
  void set_mask(uint8_t mask) { watch_.set_mask(mask); }
  void unwatch() { watch_.reset(); }

 private:
  void on_resolved();
  void connect_next();
  void on_connect_writable();
  void start_proxy_connect();
  void on_proxy_io();
  void start_tls();
  void on_handshake_io();
  void fail(Error error);
  void succeed();

  loop::EventLoop& loop_;
  const Origin& origin_;
  const ClientOptions& options_;
  std::function<void(Status)> ready_;
  std::optional<net::ProxyEndpoint> proxy_;
  ConnectionBudget::Slot slot_;  // released last (or on failure): held for the connection's life
  net::Lookup lookup_;
  std::vector<net::Address> addresses_;
  size_t next_address_ = 0;
  Error last_error_;
  UniqueFd connecting_fd_;
  std::unique_ptr<net::Stream> stream_;
  loop::FdWatch watch_;
  loop::Timer timeout_;
  std::string proxy_out_, proxy_in_;
  size_t proxy_written_ = 0;
  bool established_ = false;
};

}  // namespace imps::http
