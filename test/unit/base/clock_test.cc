#include <doctest/doctest.h>

#include <string>

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

TEST_CASE("HTTP dates (IMF-fixdate) parse to unix milliseconds") {
  CHECK(parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777000);
  CHECK(parse_http_date_ms("Wed, 01 May 2024 12:00:00 GMT") == 1714564800000);
  CHECK(parse_http_date_ms("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
}

TEST_CASE("HTTP date parsing rejects other forms and malformed dates") {
  const std::string good = "Sun, 06 Nov 1994 08:49:37 GMT";
  for (const char* bad : {"", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                          "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
                          "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:37 GMTx", "Sun, 06 Nov 19a4 08:49:37 GMT"}) {
    CAPTURE(bad);
    CHECK(parse_http_date_ms(bad) == -1);
  }
  for (size_t n = 0; n < good.size(); ++n) CHECK(parse_http_date_ms(good.substr(0, n)) == -1);  // every prefix
}
