#include "kube/api_status.h"

#include <cctype>

#include "base/json.h"

namespace imps::kube {
namespace {

// Status objects are a few hundred bytes; a larger "Status" is not worth parsing.
constexpr size_t kMaxStatusBodyBytes = 64 << 10;
// Real Statuses list a handful of causes; a watch ERROR object is not bounded by the body cap.
constexpr size_t kMaxCauses = 16;
// Retry-After beyond a day is nonsense; ignore it rather than stall for that long.
constexpr int64_t kMaxRetryAfterSeconds = 24 * 3600;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool media_type_is(std::string_view content_type, std::string_view prefix) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  if (media.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(media[i])) != prefix[i]) return false;
  return true;
}

bool is_json(std::string_view content_type) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return media_type_is(media, "application/json") ||
         (media.size() > 5 && media.substr(media.size() - 5) == "+json");
}

// Peer text in a one-line message: control characters become spaces, length is bounded.
std::string clean_text(std::string_view text) {
  text = trim(text);
  std::string out;
  for (char c : text.substr(0, kMaxStatusMessageChars)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  if (text.size() > kMaxStatusMessageChars) out += "...";
  return out;
}

const char* default_reason(int status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "Unknown";
  }
}

std::optional<int> valid_retry_after(double seconds) {
  if (!(seconds >= 0 && seconds <= double(kMaxRetryAfterSeconds))) return std::nullopt;
  return int(seconds);
}

std::optional<int> parse_retry_after_header(std::string_view value) {
  value = trim(value);
  if (value.empty() || value.size() > 6) return std::nullopt;  // only delay-seconds, as client-go
  int64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return valid_retry_after(double(n));
}

ApiError finish(int code, std::string reason, std::string message) {
  ApiError out;
  if (reason.empty()) reason = default_reason(code);
  if (message.empty()) message = "the server responded with HTTP " + std::to_string(code);
  out.error = make_error(kind_for_status(code, reason),
                         message + " (" + std::to_string(code) + " " + reason + ")", code);
  out.reason = std::move(reason);
  return out;
}

}  // namespace

bool ApiError::has_cause(std::string_view cause_reason) const {
  for (const auto& c : causes)
    if (c.reason == cause_reason) return true;
  return false;
}

ErrorKind kind_for_status(int http_status, std::string_view reason) {
  // Servers up to 1.17 said "Gone" where newer ones say "Expired"; both mean relist.
  if (reason == "Expired" || reason == "Gone") return ErrorKind::Gone;
  switch (http_status) {
    case 401: return ErrorKind::Unauthorized;
    case 403: return ErrorKind::Forbidden;
    case 404: return ErrorKind::NotFound;
    case 409: return reason == "AlreadyExists" ? ErrorKind::AlreadyExists : ErrorKind::Conflict;
    case 410: return ErrorKind::Gone;
    case 413: return ErrorKind::TooLarge;
    case 408:
    case 429: return ErrorKind::Transient;
    default: return http_status >= 500 || http_status <= 0 ? ErrorKind::Transient : ErrorKind::Invalid;
  }
}

namespace {

ApiError from_status(const cJSON* status, int code) {
  ApiError out = finish(code, clean_text(json_string_or(status, "reason")),
                        clean_text(json_string_or(status, "message")));
  const cJSON* details = json_member(status, "details");
  if (auto retry = json_number(details, "retryAfterSeconds")) out.retry_after_seconds = valid_retry_after(*retry);
  const cJSON* causes = json_member(details, "causes");
  if (cJSON_IsArray(causes)) {
    const cJSON* cause = nullptr;
    cJSON_ArrayForEach(cause, causes) {
      if (out.causes.size() == kMaxCauses) break;
      out.causes.push_back({clean_text(json_string_or(cause, "reason")),
                            clean_text(json_string_or(cause, "message")),
                            clean_text(json_string_or(cause, "field"))});
    }
  }
  return out;
}

}  // namespace

ApiError api_error_from_status(const cJSON* status) {
  const auto code = json_number(status, "code");
  return from_status(status, code && *code >= 100 && *code <= 999 ? int(*code) : 500);
}

ApiError parse_api_error(int http_status, std::string_view content_type, std::string_view body,
                         std::optional<std::string_view> retry_after_header) {
  ApiError out;
  bool parsed = false;
  if (is_json(content_type) && body.size() <= kMaxStatusBodyBytes) {
    auto doc = Json::parse(body);
    if (doc.ok() && json_string_or(doc->get(), "kind") == "Status") {
      // The HTTP status, not the body's code, is authoritative for what the caller does.
      out = from_status(doc->get(), http_status);
      parsed = true;
    }
  }
  if (!parsed) {
    const bool plain = media_type_is(content_type, "text/plain");
    out = finish(http_status, "", plain ? clean_text(body) : std::string());
  }
  if (retry_after_header) {
    if (auto seconds = parse_retry_after_header(*retry_after_header)) out.retry_after_seconds = seconds;
  }
  return out;
}

}  // namespace imps::kube
