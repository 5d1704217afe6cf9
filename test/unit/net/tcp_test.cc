#include "net/tcp.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "loop/event_loop.h"
#include "net/resolve_now.h"

namespace imps::net {
namespace {

constexpr int kDeadlineMs = 10'000;

// A listening socket on 127.0.0.1 with a kernel-chosen port.
struct Listener {
  UniqueFd fd;
  uint16_t port = 0;
  Listener() {
    fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd.get(), 4) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
};

bool writable(int fd) {
  pollfd p{fd, POLLOUT, 0};
  return ::poll(&p, 1, kDeadlineMs) == 1;
}

TEST_CASE("connect, write and read with would-block and end-of-stream outcomes") {
  Listener listener;
  auto addresses = testing::resolve_now("127.0.0.1", listener.port);
  REQUIRE(addresses.ok());
  auto fd = start_connect((*addresses)[0]);
  REQUIRE(fd.ok());
  REQUIRE(writable(fd->get()));
  REQUIRE(finish_connect(fd->get(), (*addresses)[0]).ok());
  TcpStream stream(std::move(fd.value()));
  UniqueFd peer(::accept4(listener.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  REQUIRE(peer.valid());

  char buf[16];
  IoResult nothing = stream.read(buf, sizeof buf);
  CHECK(nothing.kind == IoResult::WouldBlock);
  CHECK(nothing.interest == loop::kReadable);

  IoResult sent = stream.write("ping", 4);
  REQUIRE(sent.kind == IoResult::Done);
  CHECK(sent.bytes == 4);
  char got[4];
  REQUIRE(::recv(peer.get(), got, 4, MSG_WAITALL) == 4);
  CHECK(std::string(got, 4) == "ping");

  REQUIRE(::send(peer.get(), "pong", 4, 0) == 4);
  peer.reset();
  std::string received;
  for (;;) {
    IoResult r = stream.read(buf, sizeof buf);
    if (r.kind == IoResult::Done) received.append(buf, r.bytes);
    else if (r.kind == IoResult::WouldBlock) {
      pollfd p{stream.fd(), POLLIN, 0};
      REQUIRE(::poll(&p, 1, kDeadlineMs) == 1);
    } else {
      CHECK(r.kind == IoResult::Closed);
      break;
    }
  }
  CHECK(received == "pong");
}

TEST_CASE("connection refused is a Transient error naming the endpoint") {
  uint16_t port;
  {
    Listener closed;  // bound then closed: nothing listens on that port any more
    port = closed.port;
  }
  auto addresses = testing::resolve_now("127.0.0.1", port);
  REQUIRE(addresses.ok());
  auto fd = start_connect((*addresses)[0]);
  Status status = fd.ok() ? Status{} : Status(fd.error());
  if (fd.ok()) {
    REQUIRE(writable(fd->get()));
    status = finish_connect(fd->get(), (*addresses)[0]);
  }
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().kind == ErrorKind::Transient);
  CHECK(status.error().message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
}

}  // namespace
}  // namespace imps::net
