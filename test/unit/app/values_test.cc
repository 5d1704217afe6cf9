#include "app/values.h"

#include <doctest/doctest.h>

using namespace imps::app;

TEST_CASE("durations: Go syntax in whole milliseconds") {
  CHECK(parse_duration_ms("15s").value() == 15'000);
  CHECK(parse_duration_ms("250ms").value() == 250);
  CHECK(parse_duration_ms("1m30s").value() == 90'000);
  CHECK(parse_duration_ms("1.5s").value() == 1'500);
  CHECK(parse_duration_ms(".5s").value() == 500);
  CHECK(parse_duration_ms("2h").value() == 7'200'000);
  CHECK(parse_duration_ms("1h1m1s1ms").value() == 3'661'001);
  CHECK(parse_duration_ms("0.0015s").value() == 1);
}

TEST_CASE("durations: every bad form is rejected with a reason") {
  for (const char* bad : {"", "15", "s", "1x", "1.5.5s", "-1s", "+1s", " 1s", "1s ", "1 s", "1us", "1ns", "1d", ".s",
                          "1..5s", "0s", "0.0001s", "99999999999999999999s", "400000h"}) {
    CAPTURE(bad);
    auto r = parse_duration_ms(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == imps::ErrorKind::Invalid);
    CHECK_FALSE(r.error().message.empty());
  }
  CHECK(parse_duration_ms("1d").error().message.find("ms, s, m or h") != std::string::npos);
  CHECK(parse_duration_ms("15").error().message.find("expected a duration") != std::string::npos);
  CHECK(parse_duration_ms("0s").error().message.find("at least 1ms") != std::string::npos);
  CHECK(parse_duration_ms("400000h").error().message.find("too long") != std::string::npos);
}

TEST_CASE("positive whole numbers") {
  CHECK(parse_positive_int("40").value() == 40);
  CHECK(parse_positive_int("2147483647").value() == 2147483647);
  for (const char* bad : {"", "0", "-1", "+1", "1.0", "1e3", " 1", "1 ", "0x10", "2147483648", "abc"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_positive_int(bad).ok());
  }
}

TEST_CASE("positive numbers") {
  CHECK(parse_positive_number("20").value() == 20);
  CHECK(parse_positive_number("0.5").value() == 0.5);
  CHECK(parse_positive_number(".5").value() == 0.5);
  CHECK(parse_positive_number("007").value() == 7);
  for (const char* bad : {"", "0", "0.0", "-1", "+1", "1.", ".", "1e3", "inf", "nan", "0x1", "1,5", " 1", "1.2.3"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_positive_number(bad).ok());
  }
}

TEST_CASE("booleans as Go spells them") {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) CHECK(parse_bool(t).value());
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) CHECK_FALSE(parse_bool(f).value());
  for (const char* bad : {"", "yes", "tRUE", "2", " true"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_bool(bad).ok());
  }
}

TEST_CASE("object references split at the first dot") {
  CHECK(parse_object_ref("default.ecr-pull").value() == ObjectRef{"default", "ecr-pull"});
  CHECK(parse_object_ref("kube-system.my.secret.v1").value() == ObjectRef{"kube-system", "my.secret.v1"});
  CHECK(parse_object_ref("nodot").error().message.find("no dot") != std::string::npos);
  CHECK(parse_object_ref(".name").error().message.find("empty part") != std::string::npos);
  CHECK(parse_object_ref("ns.").error().message.find("empty part") != std::string::npos);
  CHECK(parse_object_ref("Default.x").error().message.find("invalid namespace") != std::string::npos);
  CHECK(parse_object_ref("ns.bad_name").error().message.find("invalid object name") != std::string::npos);
  CHECK(parse_object_ref("ns.a..b").error().message.find("invalid object name") != std::string::npos);
  CHECK(parse_object_ref("ns.-a").error().message.find("invalid object name") != std::string::npos);
  CHECK_FALSE(parse_object_ref(std::string(64, 'a') + ".x").ok());
  CHECK(parse_object_ref(std::string(63, 'a') + ".x").ok());
  CHECK_FALSE(parse_object_ref("ns." + std::string(254, 'a')).ok());
}

TEST_CASE("DNS labels") {
  CHECK(valid_dns_label("a"));
  CHECK(valid_dns_label("kube-system"));
  CHECK(valid_dns_label("0abc9"));
  for (const char* bad : {"", "-a", "a-", "A", "a.b", "a_b", "a b"}) {
    CAPTURE(bad);
    CHECK_FALSE(valid_dns_label(bad));
  }
}

TEST_CASE("listen addresses") {
  CHECK(parse_listen_address(":8080").value() == ListenAddress{"", 8080});
  CHECK(parse_listen_address("127.0.0.1:9000").value() == ListenAddress{"127.0.0.1", 9000});
  CHECK(parse_listen_address("[::1]:443").value() == ListenAddress{"::1", 443});
  CHECK(parse_listen_address("localhost:0").value() == ListenAddress{"localhost", 0});
  CHECK(parse_listen_address(":65535").value().port == 65535);
  for (const char* bad : {"", "8080", ":", ":65536", ":-1", ":http", "::1:80", "[]:80", "a b:80", ": 80", ":80 "}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_listen_address(bad).ok());
  }
}

TEST_CASE("values in error messages are bounded and printable") {
  CHECK(quote_for_error("abc") == "\"abc\"");
  CHECK(quote_for_error("a\nb\x01\xff") == "\"a?b??\"");
  CHECK(quote_for_error(std::string(1000, 'x')) == "\"" + std::string(64, 'x') + "...\"");
  const std::string message = parse_duration_ms(std::string(10000, '\n')).error().message;
  CHECK(message.size() < 200);
  CHECK(message.find('\n') == std::string::npos);
}
