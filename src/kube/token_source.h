// The bearer token for the Authorization header: either fixed, or read from a file that the
// kubelet rotates (projected service-account tokens live about an hour). The file is re-read
// when the cached copy is older than kTokenMaxAgeMs and on the first request after invalidate()
// (call it on an HTTP 401). A failed re-read keeps the last good token, as client-go does; only
// a file that was never read successfully is an error. Trailing whitespace is trimmed.
// File I/O here is a small synchronous read of a local (tmpfs) file, at most once a minute:
// cheaper and simpler than routing it through the event loop.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "kube/cluster_config.h"

namespace imps::kube {

// client-go caches the token file for one minute; rotation happens at 80 % of a >= 10 min TTL,
// so a minute-old copy is always still valid.
inline constexpr Millis kTokenMaxAgeMs = 60'000;
// A token is a JWT of about 1 KiB; anything near this size is not a token file.
inline constexpr size_t kMaxTokenFileBytes = 64 << 10;

class TokenSource {
 public:
  // No token at all (client-certificate or anonymous access).
  TokenSource() = default;
  static TokenSource fixed(std::string token);
  static TokenSource from_file(std::string path, const Clock& clock);
  // token_file if set, else the static token, else none.
  static TokenSource for_config(const ClusterConfig& config, const Clock& clock);

  // The token to send now; empty means send no Authorization header.
  Result<std::string> token();
  // The server said 401: re-read the file before the next request.
  void invalidate() { stale_ = true; }

 private:
  std::string token_;
  std::string path_;             // empty for fixed tokens
  const Clock* clock_ = nullptr;
  Millis read_at_ = 0;
  bool have_token_ = false;
  bool stale_ = true;
};

}  // namespace imps::kube
