#include "aws/sts.h"

#include "http/url.h"
#include "aws/xml_scan.h"
#include "base/clock.h"

namespace imps::aws {
namespace {

constexpr std::string_view kApiVersion = "2011-06-15";
// Limits from the STS model; checking them locally gives a clear error instead of a ValidationError.
constexpr size_t kMinRoleArn = 20, kMaxRoleArn = 2048;
constexpr size_t kMinSessionName = 2, kMaxSessionName = 64;
constexpr int kMinDuration = 900, kMaxDuration = 43200;
constexpr size_t kMinExternalId = 2, kMaxExternalId = 1224;
constexpr size_t kMinWebIdentityToken = 4, kMaxWebIdentityToken = 20000;

class FormBody {
 public:
  explicit FormBody(std::string_view action) {
    add("Action", action);
    add("Version", kApiVersion);
  }
  void add(std::string_view key, std::string_view value) {
    if (!body_.empty()) body_ += '&';
    body_ += http::query_escape(key);
    body_ += '=';
    body_ += http::query_escape(value);
  }
  http::Request request() && {
    http::Request req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    req.body = std::move(body_);
    return req;
  }

 private:
  std::string body_;
};

Status check_common(std::string_view role_arn, std::string_view session_name, int duration_seconds) {
  if (role_arn.size() < kMinRoleArn || role_arn.size() > kMaxRoleArn)
    return make_error(ErrorKind::Invalid, "STS: role ARN must be 20–2048 characters");
  if (!valid_role_session_name(session_name))
    return make_error(ErrorKind::Invalid, "STS: role session name must be 2–64 characters of [A-Za-z0-9_+=,.@-]");
  if (duration_seconds != 0 && (duration_seconds < kMinDuration || duration_seconds > kMaxDuration))
    return make_error(ErrorKind::Invalid, "STS: duration must be 900–43200 seconds");
  return {};
}

Error invalid_result(std::string what) {
  return make_error(ErrorKind::Invalid, "STS credentials response: " + std::move(what));
}

}  // namespace

Result<std::string> sts_endpoint(std::string_view region, const EndpointOverrides& overrides) {
  return resolve_endpoint("sts", region, overrides);
}

bool valid_role_session_name(std::string_view name) {
  if (name.size() < kMinSessionName || name.size() > kMaxSessionName) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("_+=,.@-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string default_role_session_name(int64_t unix_seconds) { return "imps-" + std::to_string(unix_seconds); }

Result<http::Request> sts_assume_role_request(const AssumeRoleParams& params) {
  TRY(check_common(params.role_arn, params.role_session_name, params.duration_seconds));
  if (!params.external_id.empty() &&
      (params.external_id.size() < kMinExternalId || params.external_id.size() > kMaxExternalId))
    return make_error(ErrorKind::Invalid, "STS: external id must be 2–1224 characters");
  // Member order follows the model, as botocore serialises it.
  FormBody form("AssumeRole");
  form.add("RoleArn", params.role_arn);
  form.add("RoleSessionName", params.role_session_name);
  if (params.duration_seconds) form.add("DurationSeconds", std::to_string(params.duration_seconds));
  if (!params.external_id.empty()) form.add("ExternalId", params.external_id);
  return std::move(form).request();
}

Result<http::Request> sts_assume_role_with_web_identity_request(const WebIdentityParams& params) {
  TRY(check_common(params.role_arn, params.role_session_name, params.duration_seconds));
  if (params.web_identity_token.size() < kMinWebIdentityToken ||
      params.web_identity_token.size() > kMaxWebIdentityToken)
    return make_error(ErrorKind::Invalid, "STS: web identity token must be 4–20000 characters");
  FormBody form("AssumeRoleWithWebIdentity");
  form.add("RoleArn", params.role_arn);
  form.add("RoleSessionName", params.role_session_name);
  form.add("WebIdentityToken", params.web_identity_token);
  if (params.duration_seconds) form.add("DurationSeconds", std::to_string(params.duration_seconds));
  return std::move(form).request();
}

Result<Credentials> parse_sts_credentials_response(std::string_view xml) {
  auto scanned = scan_xml(xml);
  if (!scanned.ok()) return std::move(scanned).error().context("STS credentials response");
  const auto& elements = *scanned;
  if (elements.front().name == "ErrorResponse") return invalid_result("an ErrorResponse, not a result");
  const XmlElement* fields[4] = {xml_find(elements, "AccessKeyId"), xml_find(elements, "SecretAccessKey"),
                                 xml_find(elements, "SessionToken"), xml_find(elements, "Expiration")};
  static constexpr const char* kNames[4] = {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"};
  for (int i = 0; i < 4; ++i)
    if (!fields[i] || fields[i]->text.empty()) return invalid_result(std::string(kNames[i]) + " is missing");
  Credentials out{fields[0]->text, fields[1]->text, fields[2]->text, parse_rfc3339_ms(fields[3]->text)};
  if (out.expires_at_unix_ms <= 0) return invalid_result("Expiration is not an ISO 8601 time");
  return out;
}

AwsError parse_sts_error_response(int status, std::string_view xml) {
  auto scanned = scan_xml(xml);
  if (!scanned.ok()) return make_aws_error(status, "", "");
  const XmlElement* code = xml_find(*scanned, "Code");
  const XmlElement* message = xml_find(*scanned, "Message");
  return make_aws_error(status, code ? code->text : "", message ? message->text : "");
}

}  // namespace imps::aws
