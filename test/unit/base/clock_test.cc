#include <doctest/doctest.h>

#include "base/clock.h"

using namespace imps;

TEST_CASE("RFC 3339 formatting") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(1714564800) == "2024-05-01T12:00:00Z");
  CHECK(format_rfc3339_micro(1714564800123456) == "2024-05-01T12:00:00.123456Z");
}

TEST_CASE("RFC 3339 parsing accepts fractions of any length and offsets") {
  CHECK(parse_rfc3339_ms("2024-05-01T12:00:00Z") == 1714564800000);
  CHECK(parse_rfc3339_ms("2024-05-01T12:00:00.5Z") == 1714564800500);
  CHECK(parse_rfc3339_ms("2024-05-01T12:34:56.123456789Z") == 1714566896123);
  CHECK(parse_rfc3339_ms("2024-05-01T14:00:00+02:00") == 1714564800000);
  CHECK(parse_rfc3339_ms("2019-11-09T13:34:41Z") == 1573306481000);
}

TEST_CASE("RFC 3339 parsing rejects malformed times") {
  for (const char* bad : {"", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T12:00:00Z",
                          "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00Zjunk", "24-05-01T12:00:00Z",
                          "2024-05-01T12:00:00+0200"}) {
    CAPTURE(bad);
    CHECK(parse_rfc3339_ms(bad) == -1);
  }
}
