#include <doctest/doctest.h>

#include "aws/container_credentials.h"

using namespace imps;
using namespace imps::aws;

TEST_CASE("container credentials: allowed URLs") {
  CHECK(container_credentials_url_allowed("https", "creds.example.com"));
  CHECK(container_credentials_url_allowed("http", "169.254.170.2"));
  CHECK(container_credentials_url_allowed("http", "169.254.170.23"));
  CHECK(container_credentials_url_allowed("http", "fd00:ec2::23"));
  CHECK(container_credentials_url_allowed("http", "localhost"));
  CHECK(container_credentials_url_allowed("http", "127.0.0.1"));
  CHECK(container_credentials_url_allowed("http", "127.1.2.3"));
  CHECK(container_credentials_url_allowed("http", "::1"));
  CHECK_FALSE(container_credentials_url_allowed("http", "169.254.169.254"));
  CHECK_FALSE(container_credentials_url_allowed("http", "128.0.0.1"));
  CHECK_FALSE(container_credentials_url_allowed("http", "example.com"));
  CHECK_FALSE(container_credentials_url_allowed("http", "127.0.0.1.evil.com"));
  CHECK_FALSE(container_credentials_url_allowed("http", ""));
  CHECK_FALSE(container_credentials_url_allowed("ftp", "127.0.0.1"));
}

TEST_CASE("container credentials: authorization token from the token file") {
  CHECK(container_authorization_token("abc.def\n").value() == "abc.def");
  CHECK(container_authorization_token("abc \r\n\t").value() == "abc");
  CHECK_FALSE(container_authorization_token("").ok());
  CHECK_FALSE(container_authorization_token("\n").ok());
  auto split = container_authorization_token("abc\r\nX-Injected: 1");
  REQUIRE_FALSE(split.ok());
  CHECK(split.error().message.find("abc") == std::string::npos);
}

TEST_CASE("container credentials: EKS Pod Identity answer with nanosecond expiry") {
  auto c = parse_container_credentials(
      R"({"AccessKeyId":"ASIA1","SecretAccessKey":"SECRET","Token":"TOK","AccountId":"123456789012","Expiration":"2024-05-01T12:34:56.123456789Z"})");
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "ASIA1");
  CHECK(c->secret_access_key == "SECRET");
  CHECK(c->session_token == "TOK");
  CHECK(c->expires_at_unix_ms == 1714566896123);
  auto no_fraction = parse_container_credentials(
      R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2024-05-01T12:34:56Z","RoleArn":"r"})");
  REQUIRE(no_fraction.ok());
  CHECK(no_fraction->expires_at_unix_ms == 1714566896000);
}

TEST_CASE("container credentials: IMDS document and its failure code") {
  CHECK(parse_container_credentials(
            R"({"Code":"Success","LastUpdated":"2024-05-01T11:40:00Z","Type":"AWS-HMAC","AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2024-05-01T18:05:00Z"})")
            .ok());
  auto failed = parse_container_credentials(R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"})");
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("AssumeRoleUnauthorizedAccess: denied") != std::string::npos);
}

TEST_CASE("container credentials: malformed and oversized answers") {
  const char* bad[] = {
      "", "{", "[]", "null", "\"x\"", "Access Denied. bad token",
      R"({"SecretAccessKey":"SECRET","Token":"T","Expiration":"2024-05-01T12:34:56Z"})",
      R"({"AccessKeyId":"A","Token":"T","Expiration":"2024-05-01T12:34:56Z"})",
      R"({"AccessKeyId":"A","SecretAccessKey":"SECRET","Expiration":"2024-05-01T12:34:56Z"})",
      R"({"AccessKeyId":"A","SecretAccessKey":"SECRET","Token":"T"})",
      R"({"AccessKeyId":"A","SecretAccessKey":"SECRET","Token":"T","Expiration":1714566896})",
      R"({"AccessKeyId":"A","SecretAccessKey":"SECRET","Token":"T","Expiration":"SECRET"})",
      R"({"AccessKeyId":"","SecretAccessKey":"SECRET","Token":"T","Expiration":"2024-05-01T12:34:56Z"})",
  };
  for (const char* body : bad) {
    auto r = parse_container_credentials(body);
    CHECK_MESSAGE(!r.ok(), std::string(body));
    if (!r.ok()) CHECK(r.error().message.find("SECRET") == std::string::npos);
  }
  std::string big = R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":")" +
                    std::string(kMaxContainerResponseBytes, 'T') + R"(","Expiration":"2024-05-01T12:34:56Z"})";
  CHECK(parse_container_credentials(big).error().kind == ErrorKind::TooLarge);
  std::string good = R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2024-05-01T12:34:56Z"})";
  for (size_t n = 0; n < good.size(); ++n) CHECK_FALSE(parse_container_credentials(good.substr(0, n)).ok());
}
