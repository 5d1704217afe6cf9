#include <doctest/doctest.h>

#include "base/json.h"
#include "kube/api_status.h"

using namespace imps;
using namespace imps::kube;

namespace {
constexpr const char* kJson = "application/json";
}

TEST_CASE("Status bodies become errors with kind, code and a readable message") {
  struct Case {
    int status;
    const char* body;
    ErrorKind kind;
    const char* message;
  };
  const Case cases[] = {
      {404, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets \"db\" not found","reason":"NotFound","details":{"name":"db","kind":"secrets"},"code":404})",
       ErrorKind::NotFound, "secrets \"db\" not found (404 NotFound)"},
      {409, R"({"kind":"Status","message":"secrets \"db\" already exists","reason":"AlreadyExists","code":409})",
       ErrorKind::AlreadyExists, "secrets \"db\" already exists (409 AlreadyExists)"},
      {409, R"({"kind":"Status","message":"Operation cannot be fulfilled on secrets \"db\": the object has been modified","reason":"Conflict","code":409})",
       ErrorKind::Conflict, "Operation cannot be fulfilled on secrets \"db\": the object has been modified (409 Conflict)"},
      {410, R"({"kind":"Status","message":"The provided continue parameter is too old","reason":"Expired","code":410})",
       ErrorKind::Gone, "The provided continue parameter is too old (410 Expired)"},
      {401, R"({"kind":"Status","message":"Unauthorized","reason":"Unauthorized","code":401})", ErrorKind::Unauthorized,
       "Unauthorized (401 Unauthorized)"},
      {403, R"({"kind":"Status","message":"secrets is forbidden","reason":"Forbidden","code":403})", ErrorKind::Forbidden,
       "secrets is forbidden (403 Forbidden)"},
      {422, R"({"kind":"Status","message":"Secret \"x\" is invalid","reason":"Invalid","code":422})", ErrorKind::Invalid,
       "Secret \"x\" is invalid (422 Invalid)"},
      {400, R"({"kind":"Status","message":"unable to parse requirement","reason":"BadRequest","code":400})",
       ErrorKind::Invalid, "unable to parse requirement (400 BadRequest)"},
      {500, R"({"kind":"Status","message":"etcd down","reason":"InternalError","code":500})", ErrorKind::Transient,
       "etcd down (500 InternalError)"},
      {504, R"({"kind":"Status","message":"Too large resource version","reason":"Timeout","code":504})",
       ErrorKind::Transient, "Too large resource version (504 Timeout)"},
      {404, R"({"kind":"Status","code":404})", ErrorKind::NotFound, "the server responded with HTTP 404 (404 NotFound)"},
      // The HTTP status wins over a disagreeing body code.
      {503, R"({"kind":"Status","message":"m","reason":"ServiceUnavailable","code":200})", ErrorKind::Transient,
       "m (503 ServiceUnavailable)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    const ApiError e = parse_api_error(c.status, kJson, c.body);
    CHECK(e.error.kind == c.kind);
    CHECK(e.error.code == c.status);
    CHECK(e.error.message == c.message);
  }
}

TEST_CASE("causes and retryAfterSeconds are exposed") {
  const ApiError e = parse_api_error(
      504, "application/json; charset=utf-8",
      R"({"kind":"Status","message":"Too large resource version: 9, current: 5","reason":"Timeout","code":504,)"
      R"("details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"},{"field":"spec.x"}],"retryAfterSeconds":1}})");
  CHECK(e.reason == "Timeout");
  CHECK(e.has_cause("ResourceVersionTooLarge"));
  CHECK_FALSE(e.has_cause("FieldValueInvalid"));
  REQUIRE(e.causes.size() == 2);
  CHECK(e.causes[1].field == "spec.x");
  CHECK(e.retry_after_seconds == 1);
}

TEST_CASE("non-JSON bodies are summarised from the status code") {
  const ApiError apf = parse_api_error(429, "text/plain; charset=utf-8", "Too many requests, please try again later.\n", "7");
  CHECK(apf.error.kind == ErrorKind::Transient);
  CHECK(apf.error.message == "Too many requests, please try again later. (429 TooManyRequests)");
  CHECK(apf.retry_after_seconds == 7);

  const ApiError html = parse_api_error(503, "text/html", "<html><body>upstream down</body></html>");
  CHECK(html.error.kind == ErrorKind::Transient);
  CHECK(html.error.message == "the server responded with HTTP 503 (503 ServiceUnavailable)");
  CHECK_FALSE(html.retry_after_seconds.has_value());

  // JSON content type, but not a Status (or not JSON at all): same synthesis.
  CHECK(parse_api_error(404, kJson, "{\"kind\":\"Secret\"}").error.message == "the server responded with HTTP 404 (404 NotFound)");
  CHECK(parse_api_error(502, kJson, "{\"kind\":").error.message == "the server responded with HTTP 502 (502 Unknown)");
  CHECK(parse_api_error(418, "", "").error.kind == ErrorKind::Invalid);
}

TEST_CASE("error text from the peer is bounded and one line") {
  const std::string long_text(100'000, 'x');
  const ApiError plain = parse_api_error(500, "text/plain", long_text);
  CHECK(plain.error.message.size() < kMaxStatusMessageChars + 64);
  const ApiError lines = parse_api_error(500, "text/plain", "a\nb\r\tc\x1b");
  CHECK(lines.error.message == "a b  c  (500 InternalError)");
  const std::string status = R"({"kind":"Status","code":500,"message":")" + long_text + "\"}";
  CHECK(parse_api_error(500, kJson, status).error.message == "the server responded with HTTP 500 (500 InternalError)");
  const std::string medium = R"({"kind":"Status","code":500,"message":")" + std::string(10'000, 'y') + "\"}";
  const ApiError truncated = parse_api_error(500, kJson, medium);
  CHECK(truncated.error.message.size() == kMaxStatusMessageChars + 3 + std::string(" (500 InternalError)").size());
}

TEST_CASE("Retry-After header accepts only delay-seconds within a day; it beats details") {
  const char* body = R"({"kind":"Status","reason":"TooManyRequests","code":429,"details":{"retryAfterSeconds":3}})";
  CHECK(parse_api_error(429, kJson, body).retry_after_seconds == 3);
  CHECK(parse_api_error(429, kJson, body, "5").retry_after_seconds == 5);
  CHECK(parse_api_error(429, kJson, body, " 5 ").retry_after_seconds == 5);
  CHECK(parse_api_error(429, kJson, body, "Wed, 21 Oct 2015 07:28:00 GMT").retry_after_seconds == 3);
  CHECK(parse_api_error(429, "text/plain", "", "-1").retry_after_seconds == std::nullopt);
  CHECK(parse_api_error(429, "text/plain", "", "999999").retry_after_seconds == std::nullopt);
  CHECK(parse_api_error(429, kJson, R"({"kind":"Status","code":429,"details":{"retryAfterSeconds":-4}})").retry_after_seconds ==
        std::nullopt);
}

TEST_CASE("kind mapping from status and reason") {
  CHECK(kind_for_status(410, "Gone") == ErrorKind::Gone);
  CHECK(kind_for_status(500, "Expired") == ErrorKind::Gone);
  CHECK(kind_for_status(413, "") == ErrorKind::TooLarge);
  CHECK(kind_for_status(408, "") == ErrorKind::Transient);
  CHECK(kind_for_status(415, "UnsupportedMediaType") == ErrorKind::Invalid);
}

TEST_CASE("watch ERROR Status objects without a code count as internal errors") {
  auto doc = Json::parse(R"({"kind":"Status","status":"Failure","message":"x"})");
  REQUIRE(doc.ok());
  const ApiError e = api_error_from_status(doc->get());
  CHECK(e.error.code == 500);
  CHECK(e.error.kind == ErrorKind::Transient);
  auto many = Json::parse(R"({"kind":"Status","code":422,"details":{"causes":[)" + [] {
    std::string s;
    for (int i = 0; i < 100; ++i) s += std::string(i ? "," : "") + "{\"reason\":\"r\"}";
    return s;
  }() + "]}}");
  REQUIRE(many.ok());
  CHECK(api_error_from_status(many->get()).causes.size() <= 16);
}
