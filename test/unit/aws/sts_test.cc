#include <doctest/doctest.h>

#include "aws/sigv4.h"
#include "aws/sts.h"
#include "aws/xml_scan.h"

using namespace imps;
using namespace imps::aws;

namespace {

const std::string kRoleArn = "arn:aws:iam::123456789012:role/demo";

const char* kAssumeRoleXml = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>optional</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/s1</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:s1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>SECRETKEY</SecretAccessKey>
      <SessionToken>TOKEN+/=</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>)";

}  // namespace

TEST_CASE("STS vector: AssumeRole as botocore sends and signs it") {
  auto req = sts_assume_role_request({kRoleArn, "s1", 900, ""});
  REQUIRE(req.ok());
  CHECK(req->method == "POST");
  CHECK(req->target == "/");
  CHECK(req->body ==
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
        "&RoleSessionName=s1&DurationSeconds=900");
  CHECK(req->body.size() == 131);
  Credentials keys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0};
  SigningKeyCache cache;
  SigningTrace t = sign_request(*req, keys, {"us-west-2", kStsSigningName, "sts.us-west-2.amazonaws.com", 1440938160}, cache);
  std::string payload_hash = t.canonical_request.substr(t.canonical_request.rfind('\n') + 1);
  CHECK(payload_hash.starts_with("6723ad66"));
  CHECK(payload_hash.ends_with("47a5"));
  CHECK(t.canonical_request.find("\ncontent-type;host;x-amz-date\n") != std::string::npos);
  CHECK(t.string_to_sign.ends_with("\nb2950fa64b25f5b71cf77545d7797a92b87629aaebbf034620845a51bc572d9c"));
  CHECK(t.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/sts/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=ca5cf35b502ad37483791f609349ca6ecc9ae32bac6e2ff2644d9896443af3e1");
}

TEST_CASE("STS AssumeRoleWithWebIdentity request is form-encoded and carries no signature") {
  auto req = sts_assume_role_with_web_identity_request({kRoleArn, "s1", "eyJ.a.b", 0});
  REQUIRE(req.ok());
  CHECK(req->body ==
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
        "&RoleSessionName=s1&WebIdentityToken=eyJ.a.b");
  CHECK(req->body.size() == 151);
  REQUIRE(req->headers.size() == 1);
  CHECK(req->headers[0].value == "application/x-www-form-urlencoded; charset=utf-8");
  auto with_duration = sts_assume_role_with_web_identity_request({kRoleArn, "s1", "a+b/c=", 3600});
  REQUIRE(with_duration.ok());
  CHECK(with_duration->body.ends_with("&WebIdentityToken=a%2Bb%2Fc%3D&DurationSeconds=3600"));
}

TEST_CASE("STS request parameters are validated against the model's limits") {
  CHECK(sts_assume_role_request({kRoleArn, "s1", 0, "ext-id"})->body.ends_with("&RoleSessionName=s1&ExternalId=ext-id"));
  CHECK_FALSE(sts_assume_role_request({"arn:short", "s1", 0, ""}).ok());
  CHECK_FALSE(sts_assume_role_request({std::string(2049, 'a'), "s1", 0, ""}).ok());
  CHECK_FALSE(sts_assume_role_request({kRoleArn, "s", 0, ""}).ok());
  CHECK_FALSE(sts_assume_role_request({kRoleArn, "has space", 0, ""}).ok());
  CHECK_FALSE(sts_assume_role_request({kRoleArn, "s1", 899, ""}).ok());
  CHECK_FALSE(sts_assume_role_request({kRoleArn, "s1", 43201, ""}).ok());
  CHECK_FALSE(sts_assume_role_request({kRoleArn, "s1", 0, "x"}).ok());
  CHECK_FALSE(sts_assume_role_with_web_identity_request({kRoleArn, "s1", "abc", 0}).ok());
  auto too_long = sts_assume_role_with_web_identity_request({kRoleArn, "s1", std::string(20001, 't'), 0});
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().message.find("ttt") == std::string::npos);
  CHECK(valid_role_session_name("a_b+c=d,e.f@g-h"));
  CHECK(valid_role_session_name(std::string(64, 'a')));
  CHECK_FALSE(valid_role_session_name(std::string(65, 'a')));
  CHECK_FALSE(valid_role_session_name("a/b"));
  CHECK(default_role_session_name(1700000000) == "imps-1700000000");
  CHECK(valid_role_session_name(default_role_session_name(1700000000)));
}

TEST_CASE("STS endpoints are regional") {
  CHECK(sts_endpoint("us-west-2", {}).value() == "https://sts.us-west-2.amazonaws.com");
  CHECK(sts_endpoint("cn-north-1", {}).value() == "https://sts.cn-north-1.amazonaws.com.cn");
  CHECK(sts_endpoint("us-west-2", {"http://sts.local", "http://all"}).value() == "http://sts.local");
}

TEST_CASE("STS credentials from an AssumeRole result") {
  auto c = parse_sts_credentials_response(kAssumeRoleXml);
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "ASIAEXAMPLE");
  CHECK(c->secret_access_key == "SECRETKEY");
  CHECK(c->session_token == "TOKEN+/=");
  CHECK(c->expires_at_unix_ms == 1573306481000);
}

TEST_CASE("STS credentials regardless of namespace prefix, order and fractional seconds") {
  auto c = parse_sts_credentials_response(
      "<s:AssumeRoleWithWebIdentityResponse xmlns:s=\"urn:x\"><s:AssumeRoleWithWebIdentityResult>"
      "<s:Audience>a</s:Audience><s:Credentials><s:Expiration>2019-11-09T13:34:41.359Z</s:Expiration>"
      "<s:SessionToken>T</s:SessionToken><s:SecretAccessKey>S&amp;</s:SecretAccessKey>"
      "<s:AccessKeyId>A</s:AccessKeyId></s:Credentials></s:AssumeRoleWithWebIdentityResult>"
      "</s:AssumeRoleWithWebIdentityResponse>");
  REQUIRE(c.ok());
  CHECK(c->secret_access_key == "S&");
  CHECK(c->expires_at_unix_ms == 1573306481359);
}

TEST_CASE("STS credentials: missing or malformed fields fail without echoing values") {
  std::string good = kAssumeRoleXml;
  for (const char* field : {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}) {
    std::string doc = good;
    std::string open = std::string("<") + field + ">";
    doc.replace(doc.find(open), open.size(), std::string("<X") + field + ">");
    std::string close = std::string("</") + field + ">";
    doc.replace(doc.find(close), close.size(), std::string("</X") + field + ">");
    auto r = parse_sts_credentials_response(doc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(field) != std::string::npos);
  }
  std::string bad_time = good;
  bad_time.replace(bad_time.find("2019-11-09T13:34:41Z"), 20, "tomorrow, SECRETKEY");
  auto r = parse_sts_credentials_response(bad_time);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("SECRETKEY") == std::string::npos);
  CHECK_FALSE(parse_sts_credentials_response("").ok());
  CHECK_FALSE(parse_sts_credentials_response("<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>").ok());
  for (size_t n = 0; n < good.size(); n += 7) CHECK_FALSE(parse_sts_credentials_response(good.substr(0, n)).ok());
  std::string big = good + std::string(kMaxXmlBytes, ' ');
  CHECK(parse_sts_credentials_response(big).error().kind == ErrorKind::TooLarge);
}

TEST_CASE("STS XML ErrorResponse") {
  AwsError e = parse_sts_error_response(
      403,
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
      "  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:x is not authorized</Message></Error>\n"
      "  <RequestId>r</RequestId>\n</ErrorResponse>");
  CHECK(e.code == "AccessDenied");
  CHECK(e.message == "User: arn:x is not authorized");
  CHECK_FALSE(e.retryable);
  CHECK(to_error(e, "STS AssumeRole").kind == ErrorKind::Forbidden);
  AwsError throttled = parse_sts_error_response(
      400, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>");
  CHECK(throttled.retryable);
  AwsError expired = parse_sts_error_response(400, "<ErrorResponse><Error><Code>ExpiredToken</Code></Error></ErrorResponse>");
  CHECK(to_error(expired, "op").kind == ErrorKind::Unauthorized);
  AwsError junk = parse_sts_error_response(502, "<html><body>Bad gateway");
  CHECK(junk.code == "HTTP 502");
  CHECK(junk.retryable);
  CHECK(parse_sts_error_response(400, std::string(kMaxXmlBytes + 1, ' ')).code == "HTTP 400");
}
