// ECR GetAuthorizationToken over AWS JSON 1.1, as pure pieces: the endpoint, the unsigned request
// (sign it with sigv4.h, service "ecr", the endpoint's region), the response parser, and the
// docker registry host a token is for. No I/O here; the caller sends and retries.
// The parsed token holds a password: never log an EcrToken or put its fields into an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/endpoint.h"
#include "base/result.h"
#include "http/message.h"

namespace imps::aws {

constexpr std::string_view kEcrSigningName = "ecr";  // the model's signingName, not "api.ecr"
// Spec §6: the validity the caller assumes when a response has no expiresAt.
constexpr int64_t kEcrAssumedValidityMs = 20 * 60 * 1000;
// Real responses are a few KB; anything far beyond is not an ECR answer.
constexpr size_t kMaxEcrResponseBytes = 256 * 1024;

// "https://api.ecr.<region>.amazonaws.com[.cn]" or the override (AWS_ENDPOINT_URL_ECR first).
Result<std::string> ecr_endpoint(std::string_view region, const EndpointOverrides& overrides);

// "<account>.dkr.ecr.<region>.amazonaws.com[.cn]"; the account must be 12 digits.
Result<std::string> ecr_registry_host(std::string_view account_id, std::string_view region);

// POST / with X-Amz-Target, Content-Type application/x-amz-json-1.1 and body "{}" (registryIds is
// deprecated: one token serves every registry the principal can reach). Not yet signed.
http::Request ecr_get_authorization_token_request();

struct EcrToken {
  std::string authorization_token;  // as AWS returns it: base64 of "AWS:<password>"
  std::string username;             // before the first ':' of the decoded token ("AWS")
  std::string password;
  bool has_expiry = false;          // false: expiresAt absent; the caller assumes a validity
  int64_t expires_at_unix_ms = 0;
  std::string proxy_endpoint;       // "https://<account>.dkr.ecr.<region>.amazonaws.com"; may be empty
};

// Parses the 200 body: the first authorizationData entry; expiresAt is epoch seconds as a JSON
// number, possibly fractional or in exponent form (1.7385984915E9).
Result<EcrToken> parse_ecr_authorization_response(std::string_view body);

}  // namespace imps::aws
