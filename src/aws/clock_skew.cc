#include "aws/clock_skew.h"

namespace imps::aws {
namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

Millis magnitude(Millis ms) { return ms < 0 ? -ms : ms; }

}  // namespace

bool is_clock_skew_error(int status, std::string_view body) {
  if (status < 400 || status >= 500) return false;
  if (contains(body, "RequestTimeTooSkewed") || contains(body, "RequestExpired") || contains(body, "RequestInTheFuture"))
    return true;
  const bool signature_error = contains(body, "InvalidSignatureException") || contains(body, "SignatureDoesNotMatch");
  return signature_error && (contains(body, "Signature expired") || contains(body, "not yet current"));
}

bool ClockSkew::observe(std::string_view date_header, int64_t local_unix_ms) {
  const int64_t server_ms = parse_http_date_ms(date_header);
  if (server_ms < 0) return false;
  // Judged against the corrected clock: a known offset that still holds is left alone.
  if (magnitude(server_ms - corrected_unix_ms(local_unix_ms)) <= kSkewThresholdMs) return false;
  const Millis skew = server_ms - local_unix_ms;
  const Millis offset = magnitude(skew) > kSkewThresholdMs ? skew : 0;
  if (offset == offset_ms_) return false;
  offset_ms_ = offset;
  return true;
}

}  // namespace imps::aws
