// SigV4 stages 2–5 (AWS4-HMAC-SHA256) and the one call that signs a request:
//   string_to_sign(amz_date, scope, canonical request) → derive_signing_key (cached per
//   secret/date/region/service) → signature_hex → authorization_header.
// The signing time is an input (unix seconds), never a clock read; the scope date is taken from
// the same timestamp as X-Amz-Date so a request cannot straddle midnight.
// sign_request() replaces any earlier X-Amz-Date / X-Amz-Security-Token / Authorization (a retry
// must be re-signed), adds X-Amz-Security-Token *before* signing for temporary credentials, and
// signs `host` from the parameters; a Host header in the request is dropped because the HTTP
// client writes Host itself and two would be ambiguous.
// Not implemented: presigned URLs, S3 rules (no path normalisation, x-amz-content-sha256), SigV4a.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "http/message.h"

namespace imps::aws {

// "20150830T123600Z" for 1440938160.
std::string format_amz_date(int64_t unix_seconds);

// "<yyyymmdd>/<region>/<service>/aws4_request"
std::string credential_scope(std::string_view date_stamp, std::string_view region, std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request_text);
// Raw 32-byte kSigning: HMAC chain from "AWS4"+secret over date, region, service, "aws4_request".
std::string derive_signing_key(std::string_view secret, std::string_view date_stamp,
                               std::string_view region, std::string_view service);
std::string signature_hex(std::string_view signing_key, std::string_view string_to_sign);
std::string authorization_header(std::string_view access_key_id, std::string_view scope,
                                 std::string_view signed_headers, std::string_view signature);

// kSigning only changes with the UTC date or a credential rotation, so it is derived once per
// (secret, date, region, service). Keyed by the secret's SHA-256 so the cache holds no extra copy
// of the secret. Bounded: the oldest entry goes when full. get()'s reference is valid until the
// next get().
class SigningKeyCache {
 public:
  const std::string& get(std::string_view secret, std::string_view date_stamp, std::string_view region,
                         std::string_view service);
  size_t size() const { return entries_.size(); }
  size_t derivations() const { return derivations_; }  // for tests: cache misses so far

 private:
  // A few credential sets × regions are live at once; yesterday's keys age out.
  static constexpr size_t kMaxEntries = 16;
  struct Entry {
    std::string lookup;  // sha256(secret) + '\n' + date + '\n' + region + '\n' + service
    std::string key;
  };
  std::vector<Entry> entries_;
  size_t derivations_ = 0;
};

struct SigningParams {
  std::string_view region;
  std::string_view service;  // the model's signingName: "ecr", "sts"
  std::string_view host;     // Host header value: host, plus ":port" only when not the default
  int64_t unix_seconds = 0;  // signing time
};

// The intermediate strings, returned so a signature mismatch reported by AWS (which echoes its
// own canonical request and string to sign) can be compared. The canonical request contains the
// session token when there is one: redact it before logging.
struct SigningTrace {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;
};

SigningTrace sign_request(http::Request& request, const Credentials& credentials,
                          const SigningParams& params, SigningKeyCache& keys);

}  // namespace imps::aws
