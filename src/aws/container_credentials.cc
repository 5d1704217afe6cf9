#include "aws/container_credentials.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "aws/aws_error.h"
#include "aws/json_answer.h"
#include "base/clock.h"
#include "base/json.h"

namespace imps::aws {
namespace {

constexpr std::string_view kAgentHosts[] = {"localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"};

bool is_loopback_ip(std::string_view host) {
  std::string text(host);  // inet_pton wants a NUL-terminated string
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  return false;
}

constexpr std::string_view kResponse = "container credentials response";

Error invalid(std::string what) { return make_error(ErrorKind::Invalid, std::string(kResponse) + ": " + std::move(what)); }

}  // namespace

bool container_credentials_url_allowed(std::string_view scheme, std::string_view host) {
  if (scheme == "https") return true;
  if (scheme != "http") return false;
  for (std::string_view allowed : kAgentHosts)
    if (host == allowed) return true;
  return is_loopback_ip(host);
}

Result<std::string> container_authorization_token(std::string_view file_content) {
  while (!file_content.empty() && (file_content.back() == '\n' || file_content.back() == '\r' ||
                                   file_content.back() == ' ' || file_content.back() == '\t'))
    file_content.remove_suffix(1);
  if (file_content.empty()) return make_error(ErrorKind::Invalid, "container authorization token is empty");
  if (file_content.find_first_of("\r\n") != std::string_view::npos)
    return make_error(ErrorKind::Invalid, "container authorization token contains a line break");
  return std::string(file_content);
}

Result<Credentials> parse_container_credentials(std::string_view body) {
  TRY_ASSIGN(Json doc, parse_json_answer(body, kMaxContainerResponseBytes, kResponse));
  const cJSON* root = doc.get();
  if (!cJSON_IsObject(root)) return invalid("not a JSON object");
  auto code = json_string(root, "Code");
  if (code && *code != "Success") {
    AwsError error = make_aws_error(0, *code, json_string_or(root, "Message"));
    return invalid(error.code + (error.message.empty() ? "" : ": " + error.message));
  }
  Credentials out;
  struct Field {
    const char* key;
    std::string* into;
  } fields[] = {{"AccessKeyId", &out.access_key_id}, {"SecretAccessKey", &out.secret_access_key},
                {"Token", &out.session_token}};
  for (const auto& f : fields) {
    auto value = json_string(root, f.key);
    if (!value || value->empty()) return invalid(std::string(f.key) + " is missing");
    *f.into = std::string(*value);
  }
  auto expiration = json_string(root, "Expiration");
  if (!expiration) return invalid("Expiration is missing");
  out.expires_at_unix_ms = parse_rfc3339_ms(*expiration);
  if (out.expires_at_unix_ms <= 0) return invalid("Expiration is not an RFC 3339 time");
  return out;
}

}  // namespace imps::aws
