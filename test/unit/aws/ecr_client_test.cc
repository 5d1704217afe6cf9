#include <doctest/doctest.h>

#include "aws/ecr_client.h"
#include "aws/sts_client.h"
#include "aws/token_cache.h"

using namespace imps;
using namespace imps::aws;

namespace {

http::Response response(int status, std::string body, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace

TEST_CASE("ECR errors name the AWS error type and message") {
  Error e = ecr_error(response(
      400, R"({"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."})"));
  CHECK(e.kind == ErrorKind::Unauthorized);
  CHECK(e.message.find("UnrecognizedClientException") != std::string::npos);
  CHECK(e.message.find("The security token included in the request is invalid.") != std::string::npos);
  CHECK(e.code == 400);
}

TEST_CASE("ECR throttling is marked so the cache backs off longer; server faults are plain transient errors") {
  Error throttled = ecr_error(response(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})"));
  CHECK(throttled.kind == ErrorKind::Transient);
  CHECK(throttled.code == kThrottledCode);
  Error server = ecr_error(response(500, R"({"__type":"ServerException","message":"x"})"));
  CHECK(server.kind == ErrorKind::Transient);
  CHECK(server.code == 500);
}

TEST_CASE("ECR errors fall back to the error-type header and the status; oversized bodies are not read") {
  Error header = ecr_error(response(400, "", {{"x-amzn-ErrorType", "AccessDeniedException:http://x"}}));
  CHECK(header.message.find("AccessDeniedException") != std::string::npos);
  CHECK(header.kind == ErrorKind::Forbidden);
  Error huge = ecr_error(response(503, std::string(kMaxErrorBodyBytes + 1, '{')));
  CHECK(huge.kind == ErrorKind::Transient);
  CHECK(huge.message.size() < 200);
}

TEST_CASE("STS errors name the STS code and operation") {
  Error e = sts_error("STS AssumeRole",
                      response(403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                                    "<Message>not authorized</Message></Error></ErrorResponse>"));
  CHECK(e.message.find("STS AssumeRole: AccessDenied") == 0);
  CHECK(e.kind == ErrorKind::Forbidden);
  Error garbage = sts_error("STS AssumeRole", response(502, "<not xml"));
  CHECK(garbage.kind == ErrorKind::Transient);
}
