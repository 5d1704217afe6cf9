// Clock-skew correction as the AWS SDKs do it. SigV4 requests carry their signing time and AWS
// rejects those more than 5 minutes (some services 15) from its own clock, so an edge node with a
// wrong clock would fail forever. Every AWS response carries `Date`: when it is more than
// kSkewThresholdMs from our corrected clock, the offset becomes (server time - local time), kept
// per endpoint (ClockSkew), and a request rejected for its time is re-signed with the corrected
// time and sent again at once. Once the local clock is right again the offset returns to 0.
// Pure: the local time is an input; logging, metrics and the retry are the caller's.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/clock.h"

namespace imps::aws {

// Below SigV4's 5 minutes so we correct before AWS rejects; above Date's 1 s resolution and
// network delays, so a correct clock never sees a spurious offset (the AWS SDKs use 4 minutes).
constexpr Millis kSkewThresholdMs = 4 * 60'000;

// A rejection for the request's time: RequestTimeTooSkewed, RequestExpired, RequestInTheFuture,
// or a signature error (InvalidSignatureException, SignatureDoesNotMatch) whose message says
// "Signature expired" or "not yet current". Looks at the raw body (JSON or XML alike).
bool is_clock_skew_error(int status, std::string_view body);

class ClockSkew {
 public:
  Millis offset_ms() const { return offset_ms_; }
  int64_t corrected_unix_ms(int64_t local_unix_ms) const { return local_unix_ms + offset_ms_; }
  // Takes a response's `Date` received at `local_unix_ms`; true when the offset changed.
  // An absent or malformed Date changes nothing.
  bool observe(std::string_view date_header, int64_t local_unix_ms);

 private:
  Millis offset_ms_ = 0;
};

}  // namespace imps::aws
