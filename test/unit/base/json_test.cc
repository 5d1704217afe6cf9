#include <doctest/doctest.h>

#include "base/json.h"

using namespace imps;

TEST_CASE("JSON parse reads members and rejects trailing data") {
  auto doc = Json::parse(R"({"metadata":{"name":"a"},"n":1.7385984915E9})");
  REQUIRE(doc.ok());
  CHECK(json_string(json_path(doc->get(), {"metadata"}), "name").value() == "a");
  CHECK(json_number(doc->get(), "n").value() == doctest::Approx(1738598491.5));
  CHECK_FALSE(json_string(doc->get(), "missing").has_value());
  CHECK_FALSE(Json::parse(R"({"a":1} x)").ok());
  CHECK(Json::parse("{\"a\":1}\n").ok());
  CHECK_FALSE(Json::parse(R"({"a":)").ok());
  CHECK_FALSE(Json::parse("").ok());
}

TEST_CASE("JSON parse bounds nesting depth") {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  CHECK_FALSE(Json::parse(deep).ok());
}
