// HTTP/1.1 client for one origin (scheme, host, port, TLS settings) on the event loop.
//
// - Keeps a small pool of idle keep-alive connections; a request that fails because a reused
//   connection turned out closed (before any response byte) is retried once on a fresh one when
//   the method is idempotent.
// - At most `max_connections` connections (idle + busy) are open for send()s; further send()s
//   wait in a FIFO queue and start when a connection becomes idle (reused) or closes (replaced).
//   Their deadline runs while they wait. Streams (watches) are outside the cap: they hold their
//   connection for hours, so counting them could starve every other request (and a stream behind
//   a full pool would miss events); their number is bounded by the descriptor budget instead.
// - Bodies: Content-Length, chunked and read-until-close; responses above `max_body_bytes`
//   (default 64 MiB) fail with ErrorKind::TooLarge and the connection is dropped. Streamed bodies
//   are not capped here (a watch runs for hours); their consumer caps each event.
// - Every connection holds a slot of its part's descriptor budget (connection_budget.h); one
//   refused fails like a refused connect (Transient) and the request is not sent.
// - Streaming requests (watches) hand body bytes to `on_data` as they arrive and never pool the
//   connection; their timeout is an inactivity timeout. A send()'s timeout covers the whole
//   exchange, connecting included (which connect_timeout_ms bounds on its own as well).
// - HTTPS_PROXY / NO_PROXY (from ProxyConfig) route TLS origins through HTTP CONNECT; plain-HTTP
//   origins are always reached directly.
// - Name resolution never blocks the loop (net/resolve.h); the connect timeout bounds it.
// - Callbacks are never invoked from inside send()/stream(); each request gets exactly one
//   completion (done / on_end), unless cancelled.
// - Errors carry ErrorKind::Transient for connection-level failures (refused, reset, timeout, TLS
//   handshake I/O), Invalid for certificate/hostname verification failures and malformed
//   responses, TooLarge for caps. HTTP error statuses are *responses*, not errors, here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "http/connection_budget.h"
#include "http/message.h"
#include "loop/event_loop.h"
#include "net/tls.h"
#include "net/proxy.h"

namespace imps::http {

constexpr size_t kDefaultMaxBody = 64u << 20;  // spec: responses and single events cap at 64 MiB

struct Origin {
  bool tls = true;
  std::string host;  // DNS name or IP literal (IPv6 without brackets)
  uint16_t port = 443;
  std::shared_ptr<net::TlsConfig> tls_config;  // required when tls; shared between clients
};

struct ClientOptions {
  size_t max_body_bytes = kDefaultMaxBody;
  size_t max_idle_connections = 4;
  // Per origin, streams excluded. 8 covers a handful of concurrent writes plus lease renewals and
  // credential calls; without a cap a burst of writes opened hundreds of sockets and ran past
  // select()'s FD_SETSIZE (benchmark at 10k namespaces). 0 is treated as 1.
  size_t max_connections = 8;
  Millis connect_timeout_ms = 10'000;
  net::ProxyConfig proxy;  // empty = direct
  std::string user_agent = "imps";
  // Whose share of the descriptor budget this client's connections use (connection_budget.h);
  // streams of a KubeRequests client count as KubeWatches.
  Part budget_part = Part::Other;
};

struct StreamHandlers {
  std::function<void(const Response& head)> on_head;        // status line and headers
  std::function<void(std::string_view bytes)> on_data;      // de-chunked body bytes
  std::function<void(Status end)> on_end;                   // ok() = clean end of body
};

using RequestId = uint64_t;

class Client {
 public:
  Client(loop::EventLoop& loop, Origin origin, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  RequestId send(Request request, std::function<void(Result<Response>)> done);
  RequestId stream(Request request, StreamHandlers handlers);
  // No callback is invoked for a cancelled request; its connection is closed.
  void cancel(RequestId id);

  const Origin& origin() const { return origin_; }
  size_t open_connections() const;

 private:
  struct Impl;
  Origin origin_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imps::http
