// An in-process plain-TCP HTTP server for client_test.cc, driven by the same EventLoop as the
// client. A test supplies an `on_request` function that answers each complete request head with
// canned bytes, queued as separate pieces: each piece is written in its own loop iteration, so the
// client sees awkward split points. It counts accepted connections and requests.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <deque>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "base/fd.h"
#include "loop/event_loop.h"

namespace imps::http::testing {

class FakeServer {
 public:
  struct Conn {
    UniqueFd fd;
    loop::FdWatch watch;
    std::string in;
    std::deque<std::string> out;  // pieces still to write
    bool close_after_write = false;
    bool closed = false;
    int requests = 0;             // requests seen on this connection
  };
  // Called for each request head (request line and headers, without the final CRLF CRLF).
  using OnRequest = std::function<void(FakeServer& server, Conn& conn, const std::string& head)>;

  FakeServer(loop::EventLoop& loop, OnRequest on_request) : loop_(loop), on_request_(std::move(on_request)) {
    listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_.get(), 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    auto watch = loop::FdWatch::create(loop_, listener_.get(), loop::kReadable, [this](uint8_t) { accept(); });
    REQUIRE(watch.ok());
    listen_watch_ = std::move(watch.value());
  }

  uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }
  int requests() const { return requests_; }
  std::vector<std::string>& heads() { return heads_; }

  void send(Conn& conn, std::vector<std::string> pieces, bool close_after = false) {
    for (auto& p : pieces) conn.out.push_back(std::move(p));
    conn.close_after_write = conn.close_after_write || close_after;
    conn.watch.set_mask(loop::kReadable | loop::kWritable);
  }
  void close(Conn& conn) {
    conn.watch.reset();
    conn.fd.reset();
    conn.closed = true;
  }

 private:
  void accept() {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    ++accepted_;
    conns_.emplace_back();
    Conn& conn = conns_.back();
    conn.fd.reset(fd);
    auto watch = loop::FdWatch::create(loop_, fd, loop::kReadable, [this, &conn](uint8_t ready) { on_io(conn, ready); });
    REQUIRE(watch.ok());
    conn.watch = std::move(watch.value());
  }

  void on_io(Conn& conn, uint8_t ready) {
    if (ready & loop::kWritable) {
      if (!conn.out.empty()) {
        const std::string& piece = conn.out.front();
        const ssize_t n = ::send(conn.fd.get(), piece.data(), piece.size(), MSG_NOSIGNAL);
        if (n == ssize_t(piece.size())) conn.out.pop_front();
        else if (n > 0) conn.out.front().erase(0, size_t(n));
      }
      if (conn.out.empty()) {
        if (conn.close_after_write) return close(conn);
        conn.watch.set_mask(loop::kReadable);
      }
    }
    if (ready & loop::kReadable) {
      char buf[4096];
      const ssize_t n = ::recv(conn.fd.get(), buf, sizeof buf, 0);
      if (n <= 0) return close(conn);
      conn.in.append(buf, size_t(n));
      for (size_t end; !conn.closed && (end = conn.in.find("\r\n\r\n")) != std::string::npos;) {
        std::string head = conn.in.substr(0, end);
        conn.in.erase(0, end + 4);
        ++requests_;
        ++conn.requests;
        heads_.push_back(head);
        on_request_(*this, conn, head);
      }
    }
  }

  loop::EventLoop& loop_;
  OnRequest on_request_;
  UniqueFd listener_;
  loop::FdWatch listen_watch_;
  uint16_t port_ = 0;
  std::list<Conn> conns_;  // stable addresses for the handlers
  int accepted_ = 0;
  int requests_ = 0;
  std::vector<std::string> heads_;
};

}  // namespace imps::http::testing
