// Clock-skew correction: which rejections are about time, and how the offset follows the
// responses' Date (threshold, hysteresis, recovery, bad headers).
#include "aws/clock_skew.h"

#include <doctest/doctest.h>

namespace imps::aws {
namespace {

constexpr int64_t kServerMs = 1714564800000;  // Wed, 01 May 2024 12:00:00 GMT
constexpr const char* kServerDate = "Wed, 01 May 2024 12:00:00 GMT";
constexpr Millis kMinute = 60'000;

TEST_CASE("rejections for the request's time are recognised in ECR (JSON) and STS (XML) bodies") {
  CHECK(is_clock_skew_error(
      400, R"j({"__type":"InvalidSignatureException","message":"Signature expired: 20170111T204052Z is now earlier than 20170111T225449Z (20170111T230949Z - 15 min.)"})j"));
  CHECK(is_clock_skew_error(
      400, R"j({"__type":"InvalidSignatureException","message":"Signature not yet current: 20170111T235449Z is still later than 20170111T231949Z (20170111T230449Z + 15 min.)"})j"));
  CHECK(is_clock_skew_error(403, "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"
                                 "<Message>Signature expired: 20170111T204052Z is now earlier than ...</Message></Error></ErrorResponse>"));
  CHECK(is_clock_skew_error(403, "<Error><Code>RequestTimeTooSkewed</Code></Error>"));
  CHECK(is_clock_skew_error(400, R"j({"__type":"RequestExpired","message":"Request has expired."})j"));

  CHECK_FALSE(is_clock_skew_error(400, R"j({"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"})j"));
  CHECK_FALSE(is_clock_skew_error(400, R"j({"__type":"UnrecognizedClientException","message":"Signature expired"})j"));
  CHECK_FALSE(is_clock_skew_error(200, "RequestExpired"));
  CHECK_FALSE(is_clock_skew_error(500, "RequestTimeTooSkewed"));
  CHECK_FALSE(is_clock_skew_error(400, ""));
}

TEST_CASE("a Date more than 4 minutes off sets the offset; within 4 minutes nothing changes") {
  ClockSkew skew;
  CHECK_FALSE(skew.observe(kServerDate, kServerMs - 4 * kMinute));
  CHECK(skew.offset_ms() == 0);
  CHECK(skew.observe(kServerDate, kServerMs - 30 * kMinute));  // we are 30 minutes behind
  CHECK(skew.offset_ms() == 30 * kMinute);
  CHECK(skew.corrected_unix_ms(kServerMs - 30 * kMinute) == kServerMs);
  // The offset holds: later answers agree with the corrected clock, give or take delays.
  CHECK_FALSE(skew.observe(kServerDate, kServerMs - 30 * kMinute - 2000));
  CHECK(skew.offset_ms() == 30 * kMinute);
}

TEST_CASE("a clock ahead gives a negative offset, and a fixed clock returns it to 0") {
  ClockSkew skew;
  CHECK(skew.observe(kServerDate, kServerMs + 30 * kMinute));
  CHECK(skew.offset_ms() == -30 * kMinute);
  CHECK(skew.observe(kServerDate, kServerMs + 1000));  // NTP caught up
  CHECK(skew.offset_ms() == 0);
}

TEST_CASE("absent or malformed Date headers change nothing") {
  ClockSkew skew;
  for (const char* bad : {"", "yesterday", "2024-05-01T12:00:00Z", "Wed, 01 May 2024 12:00:00 UTC"}) {
    CAPTURE(bad);
    CHECK_FALSE(skew.observe(bad, kServerMs + 60 * kMinute));
    CHECK(skew.offset_ms() == 0);
  }
}

}  // namespace
}  // namespace imps::aws
