// Plain TCP: a non-blocking connect in two steps (start → the socket becomes writable → finish,
// which reads SO_ERROR), and TcpStream, the Stream over a connected socket.
// Sockets are FD_CLOEXEC, TCP_NODELAY (requests are written whole; Nagle would only add latency)
// and SO_KEEPALIVE with a 30 s idle time so dead peers of long watches are noticed.
// Timeouts are the caller's: it arms a timer while waiting for writability.
#pragma once

#include "base/fd.h"
#include "base/result.h"
#include "net/resolve.h"
#include "net/stream.h"

namespace imps::net {

constexpr int kKeepAliveIdleSeconds = 30;    // first probe after 30 s of silence
constexpr int kKeepAliveIntervalSeconds = 10;
constexpr int kKeepAliveProbes = 3;          // → a dead peer is detected after about a minute

// Creates the socket and starts connecting; the connect may already be complete.
Result<UniqueFd> start_connect(const Address& address);
// Call once the socket is writable: ok when connected, else the Transient connect error.
Status finish_connect(int fd, const Address& address);

class TcpStream : public Stream {
 public:
  explicit TcpStream(UniqueFd fd) : fd_(std::move(fd)) {}
  IoResult read(char* buf, size_t len) override;
  IoResult write(const char* buf, size_t len) override;
  int fd() const override { return fd_.get(); }

 private:
  UniqueFd fd_;
};

}  // namespace imps::net
