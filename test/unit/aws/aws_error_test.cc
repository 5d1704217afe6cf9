#include <doctest/doctest.h>

#include "aws/aws_error.h"

using namespace imps;
using namespace imps::aws;

TEST_CASE("error code normalisation follows botocore's '#' and ':' rules") {
  CHECK(normalise_error_code("ThrottlingException") == "ThrottlingException");
  CHECK(normalise_error_code("com.amazonaws.ecr#ThrottlingException") == "ThrottlingException");
  CHECK(normalise_error_code("a#b#Code:http://internal.amazon.com/") == "Code");
  CHECK(normalise_error_code("Code:x:y") == "Code");
  CHECK(normalise_error_code("") == "");
}

TEST_CASE("JSON 1.1 errors: __type and message or Message") {
  AwsError e = parse_json_error(
      400, R"({"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."})",
      std::nullopt);
  CHECK(e.status == 400);
  CHECK(e.code == "UnrecognizedClientException");
  CHECK(e.message == "The security token included in the request is invalid.");
  CHECK_FALSE(e.retryable);
  Error err = to_error(e, "ECR GetAuthorizationToken");
  CHECK(err.kind == ErrorKind::Unauthorized);
  CHECK(err.code == 400);
  CHECK(err.message ==
        "ECR GetAuthorizationToken: UnrecognizedClientException (HTTP 400): The security token included in the "
        "request is invalid.");

  AwsError upper = parse_json_error(400, R"({"__type":"x#ThrottlingException","Message":"Rate exceeded"})", std::nullopt);
  CHECK(upper.code == "ThrottlingException");
  CHECK(upper.message == "Rate exceeded");
  CHECK(upper.retryable);
  CHECK(to_error(upper, "op").kind == ErrorKind::Transient);
}

TEST_CASE("JSON errors fall back to x-amzn-ErrorType, then to the HTTP status") {
  AwsError header = parse_json_error(400, "", std::string_view("AccessDeniedException:http://internal"));
  CHECK(header.code == "AccessDeniedException");
  CHECK(to_error(header, "op").kind == ErrorKind::Forbidden);
  AwsError status_only = parse_json_error(503, "<html>busy</html>", std::nullopt);
  CHECK(status_only.code == "HTTP 503");
  CHECK(status_only.retryable);
  CHECK(to_error(status_only, "op").message == "op: HTTP 503");
  CHECK(to_error(parse_json_error(403, "", std::nullopt), "op").kind == ErrorKind::Forbidden);
  CHECK(to_error(parse_json_error(400, "{}", std::nullopt), "op").kind == ErrorKind::Invalid);
}

TEST_CASE("STS JSON error shape is understood") {
  AwsError e = parse_json_error(403, R"({"Error":{"Code":"AccessDenied","Message":"no","Type":"Sender"},"RequestId":"r"})",
                                std::nullopt);
  CHECK(e.code == "AccessDenied");
  CHECK(e.message == "no");
}

TEST_CASE("retryable classification: throttling codes and 429/500/502/503/504") {
  for (const char* code : {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
                           "TooManyRequestsException", "RequestLimitExceeded", "IDPCommunicationError"})
    CHECK(is_retryable(code, 400));
  for (int status : {429, 500, 502, 503, 504}) CHECK(is_retryable("", status));
  for (int status : {400, 401, 403, 404, 501}) CHECK_FALSE(is_retryable("InvalidSignatureException", status));
  CHECK(to_error(make_aws_error(400, "ExpiredTokenException", ""), "op").kind == ErrorKind::Unauthorized);
}

TEST_CASE("error messages are capped, single-line and cut before the echoed canonical request") {
  std::string echoed =
      "The request signature we calculated does not match the signature you provided.\n\n"
      "The Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:SECRETTOKEN\n'";
  AwsError e = make_aws_error(400, "InvalidSignatureException", echoed);
  CHECK(e.message == "The request signature we calculated does not match the signature you provided.");
  CHECK(to_error(e, "op").message.find("SECRETTOKEN") == std::string::npos);
  AwsError long_message = make_aws_error(400, "X", std::string(10000, 'm'));
  CHECK(long_message.message.size() == kMaxErrorMessageBytes);
  CHECK(make_aws_error(400, "X", "a\nb\tc").message == "a b c");
  CHECK(make_aws_error(400, std::string(10000, 'c'), "").code.size() == kMaxErrorMessageBytes);
}

TEST_CASE("malformed and oversized error bodies degrade to the status") {
  for (std::string body : {std::string("{"), std::string("[1,2]"), std::string("null"), std::string("\"s\""),
                           std::string(R"({"__type":5,"message":[]})"), std::string(100000, '['),
                           R"({"__type":"Big","message":")" + std::string(kMaxErrorBodyBytes, 'x') + "\"}"}) {
    AwsError e = parse_json_error(500, body, std::nullopt);
    CHECK(e.code == "HTTP 500");
    CHECK(e.retryable);
  }
  std::string body = R"({"__type":"ThrottlingException","message":"Rate exceeded"})";
  for (size_t n = 0; n < body.size(); ++n) CHECK(parse_json_error(400, body.substr(0, n), std::nullopt).code == "HTTP 400");
}
