#include <doctest/doctest.h>

#include "base/bytes.h"

using namespace imps;

TEST_CASE("base64 round-trips every length and matches RFC 4648 vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); ++n) {
    auto back = base64_decode(base64_encode(all.substr(0, n)));
    REQUIRE(back.ok());
    CHECK(*back == all.substr(0, n));
  }
}

TEST_CASE("base64 decode rejects malformed input") {
  CHECK_FALSE(base64_decode("Zg=").ok());
  CHECK_FALSE(base64_decode("Z===").ok());
  CHECK_FALSE(base64_decode("Zm9v!A==").ok());
  CHECK_FALSE(base64_decode("Zg==Zg==").ok());
  CHECK_FALSE(base64_decode("Z=g=").ok());
  CHECK(base64_decode("QVdTOnBhc3N3b3Jk").value() == "AWS:password");
}

TEST_CASE("hex is lowercase") { CHECK(hex_encode("\x01\xab\xff") == "01abff"); }
