#include "aws/ecr.h"

#include <cmath>

#include "aws/json_answer.h"
#include "base/bytes.h"
#include "base/json.h"

namespace imps::aws {
namespace {

constexpr size_t kAccountIdDigits = 12;  // AWS account ids are exactly twelve digits
// Year 10000: beyond it an expiry is garbage, and the millisecond value would near int64 limits.
constexpr double kMaxEpochSeconds = 253402300800.0;

constexpr std::string_view kResponse = "ECR GetAuthorizationToken response";

Error invalid(std::string what) { return make_error(ErrorKind::Invalid, std::string(kResponse) + ": " + std::move(what)); }

}  // namespace

Result<std::string> ecr_endpoint(std::string_view region, const EndpointOverrides& overrides) {
  return resolve_endpoint("api.ecr", region, overrides);
}

Result<std::string> ecr_registry_host(std::string_view account_id, std::string_view region) {
  bool digits = account_id.size() == kAccountIdDigits;
  for (char c : account_id) digits = digits && c >= '0' && c <= '9';
  if (!digits) return make_error(ErrorKind::Invalid, "ECR account id must be 12 digits");
  if (!valid_region(region)) return make_error(ErrorKind::Invalid, "invalid AWS region for ECR registry host");
  std::string host(account_id);
  host.append(".dkr.ecr.").append(region).append(".").append(dns_suffix(region));
  return host;
}

http::Request ecr_get_authorization_token_request() {
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {
      {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"},
      {"Content-Type", "application/x-amz-json-1.1"},
  };
  req.body = "{}";
  return req;
}

Result<EcrToken> parse_ecr_authorization_response(std::string_view body) {
  TRY_ASSIGN(Json doc, parse_json_answer(body, kMaxEcrResponseBytes, kResponse));
  const cJSON* list = json_member(doc.get(), "authorizationData");
  if (!cJSON_IsArray(list)) return invalid("authorizationData is missing or not a list");
  const cJSON* entry = cJSON_GetArrayItem(list, 0);
  if (!cJSON_IsObject(entry)) return invalid("authorizationData is empty");

  EcrToken token;
  auto encoded = json_string(entry, "authorizationToken");
  if (!encoded || encoded->empty()) return invalid("authorizationToken is missing");
  token.authorization_token = std::string(*encoded);
  auto decoded = base64_decode(*encoded);
  if (!decoded.ok()) return invalid("authorizationToken is not base64");
  size_t colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) return invalid("authorizationToken is not user:password");
  token.username = decoded->substr(0, colon);
  token.password = decoded->substr(colon + 1);

  const cJSON* expires = json_member(entry, "expiresAt");
  if (expires && !cJSON_IsNull(expires)) {
    if (!cJSON_IsNumber(expires)) return invalid("expiresAt is not a number");
    double seconds = expires->valuedouble;
    if (!std::isfinite(seconds) || seconds <= 0 || seconds >= kMaxEpochSeconds)
      return invalid("expiresAt is out of range");
    token.has_expiry = true;
    token.expires_at_unix_ms = std::llround(seconds * 1000.0);
  }
  token.proxy_endpoint = json_string_or(entry, "proxyEndpoint");
  return token;
}

}  // namespace imps::aws
