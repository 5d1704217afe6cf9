// http::Client: the per-request state machine (write the request → read the head → read the body
// per its framing → complete) over Connections, plus the keep-alive pool and the FIFO queue of
// send()s waiting for a connection slot. Connection establishment (resolve, connect, proxy, TLS)
// lives in connection.cc.
//
// Slot accounting: idle.size() + busy <= max_connections, where `busy` counts the non-streaming
// exchanges holding a slot (from start() until complete()/fail()/cancel(), across a retry).
//
// Re-entrancy: user callbacks may cancel requests or destroy the Client. Completions are always
// delivered through loop.defer() and re-checked there; streaming on_head/on_data run from the fd
// handler and we re-check liveness after each.
#include "http/client.h"

#include <algorithm>
#include <deque>
#include <map>
#include <vector>

#include "http/connection.h"
#include "http/parser.h"
#include "http/url.h"

namespace imps::http {
namespace {

constexpr size_t kReadChunk = 16 << 10;        // one TLS record's worth of plaintext
constexpr size_t kReadBudgetPerEvent = 256 << 10;  // then yield to other fds (the rest is deferred)

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

bool has_close_token(const Headers& headers) {
  for (const Header& h : headers) {
    if (!iequals(h.name, "Connection")) continue;
    std::string_view v = h.value;
    while (!v.empty()) {
      const size_t comma = v.find(',');
      std::string_view token = v.substr(0, comma);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (iequals(token, "close")) return true;
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    }
  }
  return false;
}

}  // namespace

struct Client::Impl {
  struct Exchange {
    RequestId id = 0;
    Request request;
    bool streaming = false;
    std::function<void(Result<Response>)> done;
    StreamHandlers handlers;

    std::unique_ptr<Connection> conn;
    bool queued = false;       // in `waiting`, not started yet
    bool holds_slot = false;   // counted in `busy`
    bool reused = false;       // the connection came from the pool
    bool retried = false;
    bool writing = true;
    std::string out;
    size_t written = 0;
    std::string in;            // received, not yet parsed
    bool any_response_byte = false;
    bool head_done = false;
    Response response;
    BodyFraming framing;
    ChunkedDecoder chunked;
    uint64_t body_bytes = 0;
    loop::Timer deadline;
  };

  Impl(Client& client, loop::EventLoop& event_loop, ClientOptions opts)
      : owner(client), loop(event_loop), options(std::move(opts)) {}

  Client& owner;
  loop::EventLoop& loop;
  ClientOptions options;
  std::map<RequestId, std::unique_ptr<Exchange>> active;
  std::vector<std::unique_ptr<Connection>> idle;  // most recently used last
  std::deque<RequestId> waiting;                  // send()s queued for a slot, oldest first
  size_t busy = 0;
  bool pump_scheduled = false;
  RequestId next_id = 1;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  RequestId submit(std::unique_ptr<Exchange> ex);
  // Starts the exchange now if a slot is free and nobody waits ahead of it, else queues it.
  void admit(RequestId id);
  void start(RequestId id);
  bool has_capacity() const {
    return !idle.empty() || idle.size() + busy < std::max<size_t>(options.max_connections, 1);
  }
  // The exchange stops waiting for or holding a slot (it ended, failed or was cancelled).
  void leave(Exchange& ex);
  void schedule_pump();
  void pump();
  void attach(Exchange& ex);
  void on_connected(RequestId id, Status status);
  void on_io(RequestId id);
  void write_some(Exchange& ex);
  void read_some(Exchange& ex);
  // Consumes ex.in; false once the exchange ended (completed, failed or the caller cancelled it).
  bool process(Exchange& ex);
  bool deliver_body(Exchange& ex, std::string_view bytes);
  void complete(Exchange& ex, bool reusable);
  void fail(Exchange& ex, Error error);
  void retry_or_fail(Exchange& ex, Error error);
  void arm_deadline(Exchange& ex);
  void pool(std::unique_ptr<Connection> conn);
  void drop_idle(Connection* conn);
  bool still_active(RequestId id, const std::weak_ptr<bool>& token) const {
    return !token.expired() && active.count(id) != 0;
  }
};

Client::Client(loop::EventLoop& loop, Origin origin, ClientOptions options)
    : origin_(std::move(origin)), impl_(std::make_unique<Impl>(*this, loop, std::move(options))) {}

Client::~Client() = default;  // drops exchanges (no callbacks) and pooled connections

size_t Client::open_connections() const {
  size_t n = impl_->idle.size();
  for (const auto& [id, ex] : impl_->active) n += ex->conn != nullptr;
  return n;
}

RequestId Client::send(Request request, std::function<void(Result<Response>)> done) {
  auto ex = std::make_unique<Impl::Exchange>();
  ex->request = std::move(request);
  ex->done = std::move(done);
  return impl_->submit(std::move(ex));
}

RequestId Client::stream(Request request, StreamHandlers handlers) {
  auto ex = std::make_unique<Impl::Exchange>();
  ex->request = std::move(request);
  ex->streaming = true;
  ex->handlers = std::move(handlers);
  return impl_->submit(std::move(ex));
}

void Client::cancel(RequestId id) {
  auto it = impl_->active.find(id);
  if (it == impl_->active.end()) return;
  impl_->leave(*it->second);
  impl_->active.erase(it);
}

RequestId Client::Impl::submit(std::unique_ptr<Exchange> ex) {
  const RequestId id = next_id++;
  ex->id = id;
  ex->deadline.bind(loop);
  Request& r = ex->request;
  if (!find_header(r.headers, "User-Agent")) r.headers.push_back({"User-Agent", options.user_agent});
  Url url;
  url.scheme = owner.origin_.tls ? "https" : "http";
  url.host = owner.origin_.host;
  url.port = owner.origin_.port;
  ex->out = serialize_request(r, host_header(url));
  arm_deadline(*ex);
  active.emplace(id, std::move(ex));
  // Started from the loop, so nothing (not even an immediate failure) calls back inside send().
  std::weak_ptr<bool> token = alive;
  loop.defer([this, token, id] {
    if (still_active(id, token)) admit(id);
  });
  return id;
}

void Client::Impl::admit(RequestId id) {
  Exchange& ex = *active.at(id);
  if (!ex.streaming && (!waiting.empty() || !has_capacity())) {
    ex.queued = true;
    waiting.push_back(id);
    return;
  }
  start(id);
}

void Client::Impl::leave(Exchange& ex) {
  if (ex.queued) {
    ex.queued = false;
    std::erase(waiting, ex.id);
  }
  if (ex.holds_slot) {
    ex.holds_slot = false;
    --busy;
    schedule_pump();
  }
}

void Client::Impl::schedule_pump() {
  if (pump_scheduled || waiting.empty()) return;
  pump_scheduled = true;
  // Deferred: callers are in the middle of an exchange's fd handler or completion.
  loop.defer([this, token = std::weak_ptr<bool>(alive)] {
    if (!token.expired()) pump();
  });
}

void Client::Impl::pump() {
  pump_scheduled = false;
  while (!waiting.empty() && has_capacity()) {
    const RequestId id = waiting.front();
    waiting.pop_front();
    active.at(id)->queued = false;
    start(id);
  }
}

void Client::Impl::arm_deadline(Exchange& ex) {
  const RequestId id = ex.id;
  const Millis timeout = ex.request.timeout_ms;
  ex.deadline.start(timeout, [this, id, timeout] {
    auto it = active.find(id);
    if (it == active.end()) return;
    Exchange& e = *it->second;
    fail(e, make_error(ErrorKind::Transient, e.request.method + " " + e.request.target + " timed out after " +
                                                 std::to_string(timeout) + " ms" + (e.streaming ? " of inactivity" : "")));
  });
}

void Client::Impl::start(RequestId id) {
  Exchange& ex = *active.at(id);
  if (!ex.streaming && !ex.holds_slot) {
    ex.holds_slot = true;
    ++busy;
  }
  // Streams keep their connection for as long as the watch lasts and always open their own: it
  // counts against the streams' part of the descriptor budget (connection_budget.h).
  if (!idle.empty() && !ex.streaming) {
    ex.conn = std::move(idle.back());
    idle.pop_back();
    ex.reused = true;
    return attach(ex);
  }
  ex.reused = false;
  ex.conn = std::make_unique<Connection>(loop, owner.origin_, options);
  ex.conn->open(ex.streaming, [this, id](Status status) { on_connected(id, std::move(status)); });
}

void Client::Impl::on_connected(RequestId id, Status status) {
  auto it = active.find(id);
  if (it == active.end()) return;
  Exchange& ex = *it->second;
  if (!status.ok()) {
    // The failed Connection is still on the stack (we are inside its callback): free it later.
    loop.defer([conn = std::shared_ptr<Connection>(std::move(ex.conn))] {});
    return fail(ex, std::move(status).error());
  }
  attach(ex);
}

void Client::Impl::attach(Exchange& ex) {
  ex.writing = true;
  ex.written = 0;
  const RequestId id = ex.id;
  ex.conn->watch(loop::kWritable, [this, id](uint8_t) { on_io(id); });
}

void Client::Impl::on_io(RequestId id) {
  auto it = active.find(id);
  if (it == active.end()) return;
  Exchange& ex = *it->second;
  // Both the fd handler and a budget-spent continuation may be queued; the first may have failed
  // or completed the exchange (its connection gone, its callback deferred) before the second runs.
  if (!ex.conn) return;
  if (ex.writing) {
    write_some(ex);
  } else {
    read_some(ex);
  }
}

void Client::Impl::write_some(Exchange& ex) {
  while (ex.written < ex.out.size()) {
    net::IoResult r = ex.conn->stream().write(ex.out.data() + ex.written, ex.out.size() - ex.written);
    switch (r.kind) {
      case net::IoResult::Done: ex.written += r.bytes; break;
      case net::IoResult::WouldBlock: return ex.conn->set_mask(r.interest);
      case net::IoResult::Closed:
        return retry_or_fail(ex, make_error(ErrorKind::Transient, "connection closed while sending the request"));
      case net::IoResult::Failed: return retry_or_fail(ex, std::move(r.error));
    }
  }
  ex.writing = false;
  ex.conn->set_mask(loop::kReadable);
}

void Client::Impl::read_some(Exchange& ex) {
  const RequestId id = ex.id;
  std::weak_ptr<bool> token = alive;
  size_t budget = kReadBudgetPerEvent;
  char buf[kReadChunk];
  while (budget > 0) {
    net::IoResult r = ex.conn->stream().read(buf, sizeof buf);
    if (r.kind == net::IoResult::WouldBlock) return ex.conn->set_mask(r.interest);
    if (r.kind == net::IoResult::Failed) return retry_or_fail(ex, std::move(r.error));
    if (r.kind == net::IoResult::Closed) {
      if (ex.head_done && ex.framing.kind == BodyFraming::UntilClose) return complete(ex, false);
      return retry_or_fail(ex, make_error(ErrorKind::Transient, "connection closed before the response ended"));
    }
    ex.any_response_byte = true;
    budget -= std::min(budget, r.bytes);
    ex.in.append(buf, r.bytes);
    if (ex.streaming) arm_deadline(ex);
    if (!process(ex)) return;
  }
  // Budget spent: let other fds run, then continue (TLS may hold decrypted bytes select() cannot see).
  loop.defer([this, token, id] {
    if (still_active(id, token)) on_io(id);
  });
}

bool Client::Impl::process(Exchange& ex) {
  const RequestId id = ex.id;
  std::weak_ptr<bool> token = alive;
  while (!ex.head_done) {
    ParseResult parsed = parse_response_head(ex.in, ex.response);
    if (parsed.kind == ParseResult::NeedMore) return true;
    if (parsed.kind == ParseResult::Error) {
      fail(ex, make_error(ErrorKind::Invalid, "malformed response: " + parsed.error));
      return false;
    }
    ex.in.erase(0, parsed.consumed);
    if (ex.response.status >= 100 && ex.response.status < 200) {  // interim (we never send Expect)
      ex.response = Response{};
      continue;
    }
    ParseResult framing = body_framing(ex.request.method, ex.response, ex.framing);
    if (framing.kind == ParseResult::Error) {
      fail(ex, make_error(ErrorKind::Invalid, "malformed response: " + framing.error));
      return false;
    }
    if (!ex.streaming && ex.framing.kind == BodyFraming::Length && ex.framing.length > options.max_body_bytes) {
      fail(ex, make_error(ErrorKind::TooLarge, "response body of " + std::to_string(ex.framing.length) +
                                                   " bytes exceeds the cap of " + std::to_string(options.max_body_bytes)));
      return false;
    }
    ex.head_done = true;
    if (ex.streaming && ex.handlers.on_head) {
      ex.handlers.on_head(ex.response);
      if (!still_active(id, token)) return false;
    }
  }
  switch (ex.framing.kind) {
    case BodyFraming::None:
      complete(ex, ex.in.empty());
      return false;
    case BodyFraming::Length: {
      const size_t take = size_t(std::min<uint64_t>(ex.framing.length - ex.body_bytes, ex.in.size()));
      std::string bytes = ex.in.substr(0, take);
      ex.in.erase(0, take);
      if (!deliver_body(ex, bytes)) return false;
      if (ex.body_bytes < ex.framing.length) return true;
      complete(ex, ex.in.empty());
      return false;
    }
    case BodyFraming::Chunked: {
      std::string bytes;
      ParseResult r = ex.chunked.feed(ex.in, bytes);
      if (r.kind == ParseResult::Error) {
        fail(ex, make_error(ErrorKind::Invalid, "malformed chunked body: " + r.error));
        return false;
      }
      ex.in.erase(0, r.consumed);
      if (!deliver_body(ex, bytes)) return false;
      if (r.kind != ParseResult::Complete) return true;
      complete(ex, ex.in.empty());
      return false;
    }
    case BodyFraming::UntilClose: {
      std::string bytes = std::move(ex.in);
      ex.in.clear();
      return deliver_body(ex, bytes);
    }
  }
  return true;
}

bool Client::Impl::deliver_body(Exchange& ex, std::string_view bytes) {
  if (bytes.empty()) return true;
  ex.body_bytes += bytes.size();
  if (ex.streaming) {
    if (!ex.handlers.on_data) return true;
    const RequestId id = ex.id;
    std::weak_ptr<bool> token = alive;
    ex.handlers.on_data(bytes);
    return still_active(id, token);
  }
  if (ex.body_bytes > options.max_body_bytes) {
    fail(ex, make_error(ErrorKind::TooLarge, "response body exceeds the cap of " + std::to_string(options.max_body_bytes) + " bytes"));
    return false;
  }
  ex.response.body.append(bytes);
  return true;
}

void Client::Impl::retry_or_fail(Exchange& ex, Error error) {
  // A pooled connection the server closed while idle fails before any response byte; the server
  // never saw the request (or did not act on it), so an idempotent request may go again, once.
  if (ex.reused && !ex.retried && !ex.any_response_byte && idempotent(ex.request.method)) {
    ex.retried = true;
    ex.conn.reset();
    ex.in.clear();
    const RequestId id = ex.id;
    std::weak_ptr<bool> token = alive;
    ex.reused = false;
    // Fresh connection only: drain the pool, whose other members are likely just as stale.
    idle.clear();
    schedule_pump();  // the slots of the drained connections are free again
    loop.defer([this, token, id] {
      if (still_active(id, token)) start(id);
    });
    return;
  }
  fail(ex, std::move(error));
}

void Client::Impl::complete(Exchange& ex, bool reusable) {
  reusable = reusable && !ex.streaming && !has_close_token(ex.response.headers) && !has_close_token(ex.request.headers);
  std::unique_ptr<Connection> conn = std::move(ex.conn);
  if (reusable) pool(std::move(conn));
  conn.reset();
  leave(ex);
  ex.deadline.cancel();
  const RequestId id = ex.id;
  std::weak_ptr<bool> token = alive;
  loop.defer([this, token, id] {
    if (!still_active(id, token)) return;
    auto node = active.extract(id);
    Exchange& e = *node.mapped();
    if (e.streaming) {
      if (e.handlers.on_end) e.handlers.on_end(Status{});
    } else if (e.done) {
      e.done(std::move(e.response));
    }
  });
}

void Client::Impl::fail(Exchange& ex, Error error) {
  // Dropping the connection is what resets a peer that sent garbage or too much.
  // Freed later (we may be inside its fd handler), but unwatched now: its handler points at us.
  if (ex.conn) {
    ex.conn->unwatch();
    loop.defer([conn = std::shared_ptr<Connection>(std::move(ex.conn))] {});
  }
  leave(ex);
  ex.deadline.cancel();
  const RequestId id = ex.id;
  std::weak_ptr<bool> token = alive;
  Error e = std::move(error).context(ex.request.method + " " + ex.request.target);
  loop.defer([this, token, id, e = std::move(e)]() mutable {
    if (!still_active(id, token)) return;
    auto node = active.extract(id);
    Exchange& x = *node.mapped();
    if (x.streaming) {
      if (x.handlers.on_end) x.handlers.on_end(std::move(e));
    } else if (x.done) {
      x.done(std::move(e));
    }
  });
}

void Client::Impl::pool(std::unique_ptr<Connection> conn) {
  if (idle.size() >= options.max_idle_connections) return;
  Connection* raw = conn.get();
  // Any readiness on an idle connection (EOF, a stray byte) makes it unusable.
  raw->watch(loop::kReadable, [this, raw](uint8_t) {
    // Deferred: freeing the connection here would destroy the handler that is running.
    raw->set_mask(0);
    loop.defer([this, token = std::weak_ptr<bool>(alive), raw] {
      if (!token.expired()) drop_idle(raw);
    });
  });
  idle.push_back(std::move(conn));
}

void Client::Impl::drop_idle(Connection* conn) {
  for (auto it = idle.begin(); it != idle.end(); ++it) {
    if (it->get() == conn) {
      idle.erase(it);
      schedule_pump();
      return;
    }
  }
}

}  // namespace imps::http
