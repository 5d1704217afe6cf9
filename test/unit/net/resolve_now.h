// For tests that need addresses before they go on: resolves and waits (poll, with a deadline)
// for the answer, as no loop runs there.
#pragma once

#include <poll.h>

#include <string>
#include <vector>

#include "net/resolve.h"

namespace imps::net::testing {

inline Result<std::vector<Address>> resolve_now(const std::string& host, uint16_t port,
                                                Resolver& resolver = Resolver::process()) {
  constexpr int kWaitMs = 10'000;
  Lookup lookup = Lookup::start(host, port, resolver);
  while (!lookup.ready()) {
    pollfd p{lookup.fd(), POLLIN, 0};
    if (::poll(&p, 1, kWaitMs) != 1) return make_error(ErrorKind::Transient, "no answer for " + host);
  }
  return lookup.take();
}

}  // namespace imps::net::testing
