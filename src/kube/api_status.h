// Kubernetes API errors: an HTTP error response (or a watch ERROR event's object) becomes an
// imps::Error whose kind says what to do (see base/result.h), whose code is the HTTP status and
// whose message reads like `secrets "db" not found (404 NotFound)`.
// The body is parsed as a Status only when the Content-Type says JSON; APF's text/plain 429 and
// proxies' HTML pages are summarised from the status code. Body text in messages is bounded
// (kMaxStatusMessageChars) and stripped of control characters; request headers never appear.
#pragma once

#include <cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace imps::kube {

// Long enough for the longest real Status messages (RBAC denials, ~300 chars) plus causes.
inline constexpr size_t kMaxStatusMessageChars = 1024;

struct StatusCause {
  std::string reason;   // e.g. "FieldValueInvalid", "NamespaceTerminating", "ResourceVersionTooLarge"
  std::string message;
  std::string field;
};

struct ApiError {
  Error error;
  std::string reason;                        // Status reason ("NotFound", "Expired"), may be empty
  std::vector<StatusCause> causes;
  std::optional<int> retry_after_seconds;    // Retry-After header, else details.retryAfterSeconds

  bool has_cause(std::string_view cause_reason) const;
};

// The ErrorKind for an HTTP status; `reason` separates 409 AlreadyExists from Conflict.
ErrorKind kind_for_status(int http_status, std::string_view reason);

// From the parts of an HTTP response; retry_after_header is the raw Retry-After value, if any.
ApiError parse_api_error(int http_status, std::string_view content_type, std::string_view body,
                         std::optional<std::string_view> retry_after_header = std::nullopt);

inline ApiError parse_api_error(const http::Response& response) {
  return parse_api_error(response.status, response.header("Content-Type").value_or(""),
                         response.body, response.header("Retry-After"));
}

// From an already-parsed Status object (a watch ERROR event). A Status without a code is
// treated as 500 (client-go does the same for watch errors).
ApiError api_error_from_status(const cJSON* status);

}  // namespace imps::kube
