// AWS error responses turned into values: the error code and message AWS sent, whether a retry
// can help, and an imps::Error for the caller's single place of handling.
// JSON 1.1 rules (botocore): code from "__type" (after the last '#', before the first ':'),
// then the x-amzn-ErrorType header, then "HTTP <status>"; message from "message" or "Message".
// STS's JSON form {"Error":{"Code","Message"}} is understood too; its XML form is parsed in sts.h.
// Messages are capped and cut before the canonical request AWS echoes on signature mismatches
// (it may contain a session token). Pure; does not retry.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace imps::aws {

// An error body beyond this is not an AWS error document; only the status is used.
constexpr size_t kMaxErrorBodyBytes = 64 * 1024;
// Enough for every AWS message worth reading; bounds what reaches logs and status.
constexpr size_t kMaxErrorMessageBytes = 512;

struct AwsError {
  int status = 0;
  std::string code;     // "ThrottlingException", or "HTTP 503" when AWS sent none
  std::string message;  // may be empty
  bool retryable = false;
};

// Throttling codes and HTTP 429/500/502/503/504 (botocore's standard retry rules).
bool is_retryable(std::string_view code, int status);
// Keeps what follows the last '#' and precedes the first ':'.
std::string normalise_error_code(std::string_view raw);
// Cuts at the echoed canonical request and caps the length.
std::string sanitise_error_message(std::string_view message);

AwsError parse_json_error(int status, std::string_view body, std::optional<std::string_view> error_type_header);
// Builds an AwsError from code/message found elsewhere (STS XML), applying the same rules.
AwsError make_aws_error(int status, std::string_view raw_code, std::string_view message);

// Kind: Transient when retryable, Unauthorized for expired or unknown credentials (refresh them,
// then retry once), Forbidden for access denials, Invalid otherwise.
// Message: "<operation>: <code> (HTTP <status>): <message>".
Error to_error(const AwsError& error, std::string_view operation);

}  // namespace imps::aws
