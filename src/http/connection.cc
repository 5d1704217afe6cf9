#include "http/connection.h"

#include "http/parser.h"
#include "net/tcp.h"
#include "net/tls_stream.h"

namespace imps::http {
namespace {

std::string authority(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

Connection::Connection(loop::EventLoop& loop, const Origin& origin, const ClientOptions& options)
    : loop_(loop), origin_(origin), options_(options), timeout_(loop) {}

void Connection::open(bool stream, std::function<void(Status)> ready) {
  ready_ = std::move(ready);
  const Part part = stream && options_.budget_part == Part::KubeRequests ? Part::KubeWatches : options_.budget_part;
  auto slot = ConnectionBudget::process().acquire(part);
  if (!slot.ok()) return fail(std::move(slot).error());
  slot_ = std::move(slot).value();
  if (origin_.tls && origin_.tls_config == nullptr) {
    return fail(make_error(ErrorKind::Invalid, "TLS origin " + origin_.host + " has no TLS configuration"));
  }
  if (origin_.tls) {
    auto proxy = options_.proxy.select(true, origin_.host, origin_.port);
    if (!proxy.ok()) return fail(std::move(proxy).error());
    proxy_ = std::move(proxy.value());
  }
  const std::string& host = proxy_ ? proxy_->host : origin_.host;
  const uint16_t port = proxy_ ? proxy_->port : origin_.port;
  // Started first: it bounds a slow DNS answer too.
  timeout_.start(options_.connect_timeout_ms, [this, host] {
    const std::string what = lookup_.active() ? "resolving " + host : "connect to " + authority(origin_.host, origin_.port);
    fail(make_error(ErrorKind::Transient, what + " timed out after " + std::to_string(options_.connect_timeout_ms) + " ms"));
  });
  lookup_ = net::Lookup::start(host, port);
  if (lookup_.ready()) return on_resolved();
  auto watch = loop::FdWatch::create(loop_, lookup_.fd(), loop::kReadable, [this](uint8_t) { on_resolved(); });
  if (!watch.ok()) return fail(std::move(watch).error());
  watch_ = std::move(watch.value());
}

void Connection::on_resolved() {
  watch_.reset();
  auto addresses = lookup_.take();
  if (!addresses.ok()) return fail(std::move(addresses).error());
  addresses_ = std::move(addresses.value());
  last_error_ = make_error(ErrorKind::Transient, "no address for " + (proxy_ ? proxy_->host : origin_.host));
  connect_next();
}

void Connection::connect_next() {
  while (next_address_ < addresses_.size()) {
    const net::Address& address = addresses_[next_address_++];
    auto fd = net::start_connect(address);
    if (!fd.ok()) {
      last_error_ = std::move(fd).error();
      continue;
    }
    connecting_fd_ = std::move(fd.value());
    auto watch = loop::FdWatch::create(loop_, connecting_fd_.get(), loop::kWritable,
                                       [this](uint8_t) { on_connect_writable(); });
    if (!watch.ok()) return fail(std::move(watch).error());
    watch_ = std::move(watch.value());
    return;
  }
  fail(std::move(last_error_));
}

void Connection::on_connect_writable() {
  const net::Address& address = addresses_[next_address_ - 1];
  Status connected = net::finish_connect(connecting_fd_.get(), address);
  watch_.reset();
  if (!connected.ok()) {
    last_error_ = std::move(connected).error();
    connecting_fd_.reset();
    return connect_next();
  }
  stream_ = std::make_unique<net::TcpStream>(std::move(connecting_fd_));
  if (proxy_) return start_proxy_connect();
  if (origin_.tls) return start_tls();
  succeed();
}

void Connection::start_proxy_connect() {
  const std::string target = authority(origin_.host, origin_.port);
  proxy_out_ = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (!proxy_->authorization.empty()) proxy_out_ += "Proxy-Authorization: " + proxy_->authorization + "\r\n";
  proxy_out_ += "\r\n";
  watch(loop::kWritable, [this](uint8_t) { on_proxy_io(); });
}

void Connection::on_proxy_io() {
  const std::string where = "proxy " + authority(proxy_->host, proxy_->port) + ": ";
  while (proxy_written_ < proxy_out_.size()) {
    net::IoResult r = stream_->write(proxy_out_.data() + proxy_written_, proxy_out_.size() - proxy_written_);
    if (r.kind == net::IoResult::WouldBlock) return set_mask(r.interest);
    if (r.kind != net::IoResult::Done) return fail(make_error(ErrorKind::Transient, where + "connection lost during CONNECT"));
    proxy_written_ += r.bytes;
  }
  for (;;) {
    char buf[1024];
    net::IoResult r = stream_->read(buf, sizeof buf);
    if (r.kind == net::IoResult::WouldBlock) return set_mask(r.interest);
    if (r.kind != net::IoResult::Done) return fail(make_error(ErrorKind::Transient, where + "connection lost during CONNECT"));
    proxy_in_.append(buf, r.bytes);
    Response head;
    ParseResult parsed = parse_response_head(proxy_in_, head, kMaxProxyResponseHead);
    if (parsed.kind == ParseResult::NeedMore) continue;
    if (parsed.kind == ParseResult::Error) {
      return fail(make_error(ErrorKind::Transient, where + "malformed CONNECT response: " + parsed.error));
    }
    if (head.status < 200 || head.status > 299) {
      return fail(make_error(ErrorKind::Transient, where + "CONNECT refused with status " + std::to_string(head.status),
                             head.status));
    }
    // The proxy says nothing more until we speak TLS; extra bytes would be a confused proxy.
    if (parsed.consumed != proxy_in_.size()) {
      return fail(make_error(ErrorKind::Transient, where + "unexpected bytes after the CONNECT response"));
    }
    return start_tls();
  }
}

void Connection::start_tls() {
  auto tls = net::TlsStream::create(origin_.tls_config, std::move(stream_), origin_.host);
  if (!tls.ok()) return fail(std::move(tls).error());
  stream_ = std::move(tls.value());
  watch(loop::kWritable, [this](uint8_t) { on_handshake_io(); });
}

void Connection::on_handshake_io() {
  net::IoResult r = static_cast<net::TlsStream&>(*stream_).handshake();
  if (r.kind == net::IoResult::WouldBlock) return set_mask(r.interest);
  if (r.kind == net::IoResult::Done) return succeed();
  fail(r.kind == net::IoResult::Failed ? std::move(r.error)
                                       : make_error(ErrorKind::Transient, "TLS handshake with " + origin_.host + ": connection closed"));
}

void Connection::watch(uint8_t mask, loop::FdHandler handler) {
  watch_.reset();
  auto watch = loop::FdWatch::create(loop_, stream_->fd(), mask, std::move(handler));
  // Cannot fail: the fd was accepted by the loop while connecting.
  if (watch.ok()) watch_ = std::move(watch.value());
}

void Connection::fail(Error error) {
  if (!ready_) return;
  timeout_.cancel();
  watch_.reset();
  lookup_ = net::Lookup();
  stream_.reset();
  connecting_fd_.reset();
  slot_ = ConnectionBudget::Slot();
  auto ready = std::move(ready_);
  ready(std::move(error));  // may destroy this
}

void Connection::succeed() {
  timeout_.cancel();
  established_ = true;
  watch_.reset();
  auto ready = std::move(ready_);
  ready(Status{});  // may destroy this
}

}  // namespace imps::http
