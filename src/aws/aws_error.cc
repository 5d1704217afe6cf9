#include "aws/aws_error.h"

#include <algorithm>

#include "base/json.h"

namespace imps::aws {
namespace {

// botocore's throttling codes (retries/standard.py), plus STS's IDPCommunicationError, which
// the STS model marks retryable.
constexpr std::string_view kRetryableCodes[] = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException", "IDPCommunicationError",
};
constexpr int kRetryableStatuses[] = {429, 500, 502, 503, 504};

constexpr std::string_view kExpiredOrUnknownCredentials[] = {
    "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId",
};
constexpr std::string_view kDenied[] = {"AccessDenied", "AccessDeniedException"};

// AWS appends the canonical request and string to sign it computed after this sentence.
constexpr std::string_view kEchoMarker = "The Canonical String for this request";

template <class List, class Value>
bool contains(const List& list, const Value& value) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

}  // namespace

bool is_retryable(std::string_view code, int status) {
  return contains(kRetryableCodes, code) || contains(kRetryableStatuses, status);
}

std::string normalise_error_code(std::string_view raw) {
  size_t hash = raw.rfind('#');
  if (hash != std::string_view::npos) raw = raw.substr(hash + 1);
  raw = raw.substr(0, raw.find(':'));
  return std::string(raw.substr(0, kMaxErrorMessageBytes));
}

std::string sanitise_error_message(std::string_view message) {
  message = message.substr(0, message.find(kEchoMarker));
  while (!message.empty() && (message.back() == ' ' || message.back() == '\n')) message.remove_suffix(1);
  std::string out(message.substr(0, kMaxErrorMessageBytes));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one log line per error
  return out;
}

AwsError make_aws_error(int status, std::string_view raw_code, std::string_view message) {
  AwsError out;
  out.status = status;
  out.code = normalise_error_code(raw_code);
  if (out.code.empty()) out.code = "HTTP " + std::to_string(status);
  out.message = sanitise_error_message(message);
  out.retryable = is_retryable(out.code, status);
  return out;
}

AwsError parse_json_error(int status, std::string_view body, std::optional<std::string_view> error_type_header) {
  std::string code;
  std::string message;
  if (body.size() <= kMaxErrorBodyBytes) {
    auto doc = Json::parse(body);
    if (doc.ok()) {
      const cJSON* root = doc->get();
      const cJSON* sts_error = json_member(root, "Error");
      const cJSON* holder = cJSON_IsObject(sts_error) ? sts_error : root;
      code = json_string_or(holder, "__type", json_string_or(holder, "Code"));
      message = json_string_or(holder, "message", json_string_or(holder, "Message"));
    }
  }
  if (code.empty() && error_type_header) code = std::string(*error_type_header);
  return make_aws_error(status, code, message);
}

Error to_error(const AwsError& error, std::string_view operation) {
  ErrorKind kind = ErrorKind::Invalid;
  if (error.retryable) {
    kind = ErrorKind::Transient;
  } else if (contains(kExpiredOrUnknownCredentials, error.code)) {
    kind = ErrorKind::Unauthorized;
  } else if (contains(kDenied, error.code) || error.status == 403) {
    kind = ErrorKind::Forbidden;
  }
  std::string text(operation);
  text += ": " + error.code;
  if (error.code != "HTTP " + std::to_string(error.status)) text += " (HTTP " + std::to_string(error.status) + ")";
  if (!error.message.empty()) text += ": " + error.message;
  return make_error(kind, std::move(text), error.status);
}

}  // namespace imps::aws
