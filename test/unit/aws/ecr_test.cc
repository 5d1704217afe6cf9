#include <doctest/doctest.h>

#include "aws/crypto.h"
#include "aws/ecr.h"
#include "aws/sigv4.h"
#include "base/bytes.h"

using namespace imps;
using namespace imps::aws;

namespace {

constexpr int64_t kVectorTime = 1440938160;  // 20150830T123600Z, the SigV4 suite's time (test/data/sigv4)
const Credentials kSuiteKeys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0};

SigningTrace sign_ecr(const Credentials& creds, const std::string& region, const std::string& host) {
  http::Request req = ecr_get_authorization_token_request();
  SigningKeyCache keys;
  return sign_request(req, creds, SigningParams{region, kEcrSigningName, host, kVectorTime}, keys);
}

std::string last_line(const std::string& text) { return text.substr(text.rfind('\n') + 1); }

std::string response_with(const std::string& entry) {
  return R"({"authorizationData":[)" + entry + "]}";
}

}  // namespace

TEST_CASE("ECR vector: us-west-2, long-term keys (botocore capture)") {
  SigningTrace t = sign_ecr(kSuiteKeys, "us-west-2", "api.ecr.us-west-2.amazonaws.com");
  CHECK(t.canonical_request ==
        "POST\n/\n\n"
        "content-type:application/x-amz-json-1.1\n"
        "host:api.ecr.us-west-2.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n"
        "x-amz-target:AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken\n\n"
        "content-type;host;x-amz-date;x-amz-target\n"
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  CHECK(last_line(t.string_to_sign) == "3557554d05017ec0d7f4303f3295656fb6013f5aedb0526f9ef2e60fb095476e");
  CHECK(t.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/ecr/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=0f836993b0263001a7077a8a603c4b1359730c41c65e86e86709c7e95c0d5ff9");
}

TEST_CASE("ECR vector: us-west-2 with a session token signed before the signature") {
  Credentials creds = kSuiteKeys;
  creds.session_token = "SESSIONTOKEN";
  SigningTrace t = sign_ecr(creds, "us-west-2", "api.ecr.us-west-2.amazonaws.com");
  CHECK(t.canonical_request.find("x-amz-date:20150830T123600Z\nx-amz-security-token:SESSIONTOKEN\nx-amz-target:") !=
        std::string::npos);
  CHECK(last_line(t.string_to_sign) == "ba1565fe73cba7543a0a18a72feb75e1a80e93eaef6bf4094dde4c0e9305c32d");
  CHECK(t.authorization.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, ") !=
        std::string::npos);
  CHECK(t.authorization.ends_with("Signature=3288370400ef4fc36929eea0f3c2f344760c7109e8648ffadf9ac26b8214b436"));
}

TEST_CASE("ECR vector: cn-north-1") {
  SigningTrace t = sign_ecr(kSuiteKeys, "cn-north-1", "api.ecr.cn-north-1.amazonaws.com.cn");
  CHECK(t.authorization.ends_with("Signature=f2304194f3172c85a4eed693a4b03e92f940f84eecf70187ab05bd6ed9c810f8"));
}

TEST_CASE("ECR request builder") {
  http::Request req = ecr_get_authorization_token_request();
  CHECK(req.method == "POST");
  CHECK(req.target == "/");
  CHECK(req.body == "{}");
  REQUIRE(req.headers.size() == 2);
  CHECK(req.headers[0].value == "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
  CHECK(req.headers[1].value == "application/x-amz-json-1.1");
}

TEST_CASE("ECR endpoints per partition and overrides") {
  CHECK(ecr_endpoint("us-east-1", {}).value() == "https://api.ecr.us-east-1.amazonaws.com");
  CHECK(ecr_endpoint("cn-northwest-1", {}).value() == "https://api.ecr.cn-northwest-1.amazonaws.com.cn");
  CHECK(ecr_endpoint("us-gov-west-1", {}).value() == "https://api.ecr.us-gov-west-1.amazonaws.com");
  CHECK(ecr_endpoint("us-east-1", {"", "http://localhost:4566"}).value() == "http://localhost:4566");
  CHECK(ecr_endpoint("us-east-1", {"https://ecr.example", "http://localhost:4566"}).value() == "https://ecr.example");
  CHECK(ecr_endpoint("", {"", "http://x"}).ok());
  CHECK_FALSE(ecr_endpoint("", {}).ok());
  CHECK_FALSE(ecr_endpoint("us-east-1.evil.com/", {}).ok());
  CHECK_FALSE(ecr_endpoint("US-EAST-1", {}).ok());
  CHECK_FALSE(ecr_endpoint("-a", {}).ok());
  CHECK_FALSE(ecr_endpoint(std::string(33, 'a'), {}).ok());
}

TEST_CASE("ECR registry host") {
  CHECK(ecr_registry_host("123456789012", "us-west-2").value() == "123456789012.dkr.ecr.us-west-2.amazonaws.com");
  CHECK(ecr_registry_host("123456789012", "cn-north-1").value() == "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
  CHECK_FALSE(ecr_registry_host("12345678901", "us-west-2").ok());
  CHECK_FALSE(ecr_registry_host("12345678901a", "us-west-2").ok());
  CHECK_FALSE(ecr_registry_host("123456789012", "us west").ok());
}

TEST_CASE("ECR response: token, exponent-form expiry and proxy endpoint") {
  std::string token = base64_encode("AWS:pass:with:colons");
  auto r = parse_ecr_authorization_response(response_with(
      R"({"authorizationToken":")" + token +
      R"(","expiresAt":1.7385984915E9,"proxyEndpoint":"https://123456789012.dkr.ecr.us-west-2.amazonaws.com"})"));
  REQUIRE(r.ok());
  CHECK(r->authorization_token == token);
  CHECK(r->username == "AWS");
  CHECK(r->password == "pass:with:colons");
  CHECK(r->has_expiry);
  CHECK(r->expires_at_unix_ms == 1738598491500);
  CHECK(r->proxy_endpoint == "https://123456789012.dkr.ecr.us-west-2.amazonaws.com");

  auto integer = parse_ecr_authorization_response(
      response_with(R"({"authorizationToken":")" + token + R"(","expiresAt":1738598491})"));
  REQUIRE(integer.ok());
  CHECK(integer->expires_at_unix_ms == 1738598491000);
  CHECK(integer->proxy_endpoint.empty());
}

TEST_CASE("ECR response: a missing expiresAt is reported, not invented") {
  std::string token = base64_encode("AWS:p");
  for (std::string entry : {R"({"authorizationToken":")" + token + R"("})",
                            R"({"authorizationToken":")" + token + R"(","expiresAt":null})"}) {
    auto r = parse_ecr_authorization_response(response_with(entry));
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_expiry);
    CHECK(r->password == "p");
  }
}

TEST_CASE("ECR response: malformed input is rejected without echoing the token") {
  std::string secret_token = base64_encode("AWSnocolon-SECRET");
  const std::string bad[] = {
      "",
      "{",
      "[]",
      R"({"authorizationData":{}})",
      R"({"authorizationData":[]})",
      R"({"authorizationData":[1]})",
      response_with(R"({"expiresAt":1})"),
      response_with(R"({"authorizationToken":""})"),
      response_with(R"({"authorizationToken":7})"),
      response_with(R"({"authorizationToken":"not base64!"})"),
      response_with(R"({"authorizationToken":")" + secret_token + R"("})"),
      response_with(R"({"authorizationToken":")" + base64_encode(":nouser") + R"("})"),
      response_with(R"({"authorizationToken":")" + base64_encode("AWS:p") + R"(","expiresAt":"soon"})"),
      response_with(R"({"authorizationToken":")" + base64_encode("AWS:p") + R"(","expiresAt":-5})"),
      response_with(R"({"authorizationToken":")" + base64_encode("AWS:p") + R"(","expiresAt":1e300})"),
  };
  for (const auto& body : bad) {
    auto r = parse_ecr_authorization_response(body);
    CHECK_FALSE(r.ok());
    if (!r.ok()) {
      CHECK(r.error().kind == ErrorKind::Invalid);
      CHECK(r.error().message.find("SECRET") == std::string::npos);
      CHECK(r.error().message.find(secret_token) == std::string::npos);
    }
  }
}

TEST_CASE("ECR response: oversized bodies are refused before parsing") {
  std::string big = response_with(R"({"authorizationToken":")" + std::string(kMaxEcrResponseBytes, 'A') + R"("})");
  auto r = parse_ecr_authorization_response(big);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::TooLarge);
  std::string deep(100000, '[');
  CHECK_FALSE(parse_ecr_authorization_response(deep).ok());
}

TEST_CASE("ECR response: every prefix of a valid body is handled without crashing") {
  std::string body = response_with(R"({"authorizationToken":")" + base64_encode("AWS:p") +
                                   R"(","expiresAt":1.7385984915E9})");
  for (size_t n = 0; n < body.size(); ++n) CHECK_FALSE(parse_ecr_authorization_response(body.substr(0, n)).ok());
  CHECK(parse_ecr_authorization_response(body).ok());
}
