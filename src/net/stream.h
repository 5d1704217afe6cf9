// A non-blocking byte stream (plain TCP or TLS) as the HTTP connection code sees it.
// Every read/write has one of three outcomes: done (n bytes), would-block (with the readiness the
// stream waits for: a TLS read may need the socket writable during renegotiation or alerts), or
// closed/failed. `pending()` counts bytes already buffered inside the stream (decrypted TLS
// records): the owner must consume them (e.g. via EventLoop::defer) instead of waiting for the
// socket, which may never become readable again.
// Streams do not register themselves with the loop; their owner watches fd().
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"

namespace imps::net {

struct IoResult {
  enum Kind : uint8_t { Done, WouldBlock, Closed, Failed };
  Kind kind = Done;
  size_t bytes = 0;      // Done: bytes read or written (> 0)
  uint8_t interest = 0;  // WouldBlock: loop::kReadable and/or loop::kWritable
  Error error;           // Failed

  static IoResult done(size_t n) { return {Done, n, 0, {}}; }
  static IoResult would_block(uint8_t interest) { return {WouldBlock, 0, interest, {}}; }
  static IoResult closed() { return {Closed, 0, 0, {}}; }
  static IoResult failed(Error e) { return {Failed, 0, 0, std::move(e)}; }
};

class Stream {
 public:
  virtual ~Stream() = default;
  virtual IoResult read(char* buf, size_t len) = 0;
  virtual IoResult write(const char* buf, size_t len) = 0;
  virtual size_t pending() const { return 0; }
  virtual int fd() const = 0;
};

}  // namespace imps::net
