#include "net/tcp.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "loop/event_loop.h"

namespace imps::net {
namespace {

std::string endpoint(const Address& address) {
  const uint16_t port = ntohs(address.storage.ss_family == AF_INET
                                  ? reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_port
                                  : reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_port);
  const bool v6 = address.storage.ss_family == AF_INET6;
  return (v6 ? "[" + address.text + "]" : address.text) + ":" + std::to_string(port);
}

Error connect_error(const Address& address, int err) {
  return make_error(ErrorKind::Transient, "connect to " + endpoint(address) + ": " + std::strerror(err), err);
}

void set_option(int fd, int level, int name, int value) {
  // Best effort: a socket without these options still works, only less well.
  ::setsockopt(fd, level, name, &value, sizeof value);
}

}  // namespace

Result<UniqueFd> start_connect(const Address& address) {
  UniqueFd fd(::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return connect_error(address, errno);
  set_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1);
  set_option(fd.get(), SOL_SOCKET, SO_KEEPALIVE, 1);
  set_option(fd.get(), IPPROTO_TCP, TCP_KEEPIDLE, kKeepAliveIdleSeconds);
  set_option(fd.get(), IPPROTO_TCP, TCP_KEEPINTVL, kKeepAliveIntervalSeconds);
  set_option(fd.get(), IPPROTO_TCP, TCP_KEEPCNT, kKeepAliveProbes);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
      errno != EINPROGRESS) {
    return connect_error(address, errno);
  }
  return fd;
}

Status finish_connect(int fd, const Address& address) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return connect_error(address, err);
  return {};
}

IoResult TcpStream::read(char* buf, size_t len) {
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buf, len, 0);
    if (n > 0) return IoResult::done(size_t(n));
    if (n == 0) return IoResult::closed();
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::would_block(loop::kReadable);
    return IoResult::failed(make_error(ErrorKind::Transient, std::string("read: ") + std::strerror(errno), errno));
  }
}

IoResult TcpStream::write(const char* buf, size_t len) {
  for (;;) {
    // MSG_NOSIGNAL: a peer that went away must be an error value, not a SIGPIPE.
    const ssize_t n = ::send(fd_.get(), buf, len, MSG_NOSIGNAL);
    if (n >= 0) return IoResult::done(size_t(n));
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::would_block(loop::kWritable);
    if (errno == EPIPE || errno == ECONNRESET) return IoResult::closed();
    return IoResult::failed(make_error(ErrorKind::Transient, std::string("write: ") + std::strerror(errno), errno));
  }
}

}  // namespace imps::net
