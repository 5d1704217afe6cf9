// STS over the Query protocol, as pure pieces: the regional endpoint, AssumeRole and
// AssumeRoleWithWebIdentity requests (form-encoded POST, Version 2011-06-15), and parsers for the
// XML result and the XML ErrorResponse. AssumeRole is signed by the caller (sigv4.h, service "sts",
// the endpoint's region); AssumeRoleWithWebIdentity is an unsigned operation and must be sent as built.
// Role ARNs, session names and tokens are validated against the model's limits before sending
// so a bad Secret fails with a clear local error. Error texts never contain tokens or keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "base/result.h"
#include "http/message.h"

namespace imps::aws {

constexpr std::string_view kStsSigningName = "sts";

// Regional "https://sts.<region>.amazonaws.com[.cn]" (what EKS configures), or the override
// (AWS_ENDPOINT_URL_STS first). The SigV4 region must be the endpoint's region.
Result<std::string> sts_endpoint(std::string_view region, const EndpointOverrides& overrides);

// 2–64 characters of [A-Za-z0-9_+=,.@-] (the model's pattern).
bool valid_role_session_name(std::string_view name);
// "imps-<unix seconds>": unique enough per refresh, and recognisable in CloudTrail.
std::string default_role_session_name(int64_t unix_seconds);

struct AssumeRoleParams {
  std::string role_arn;           // 20–2048 characters
  std::string role_session_name;  // valid_role_session_name()
  int duration_seconds = 0;       // 0 = the role's default; else 900–43200
  std::string external_id;        // optional; 2–1224 characters
};
Result<http::Request> sts_assume_role_request(const AssumeRoleParams& params);

struct WebIdentityParams {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  // the projected service-account JWT; 4–20000 characters
  int duration_seconds = 0;
};
Result<http::Request> sts_assume_role_with_web_identity_request(const WebIdentityParams& params);

// Credentials from an AssumeRole or AssumeRoleWithWebIdentity result (found by element name;
// Expiration is ISO 8601 UTC with an optional fraction).
Result<Credentials> parse_sts_credentials_response(std::string_view xml);
// Code and Message of an <ErrorResponse>; falls back to the status when the body is unreadable.
AwsError parse_sts_error_response(int status, std::string_view xml);

}  // namespace imps::aws
