#include <doctest/doctest.h>

#include "base/json.h"
#include "imps/string_map.h"

#include <set>

using namespace imps;

TEST_CASE("string maps read from JSON objects of strings") {
  auto doc = Json::parse(R"({"b":"2","a":"1"})");
  auto m = parse_string_map(doc->get(), "labels");
  REQUIRE(m.ok());
  CHECK(*m == StringMap{{"a", "1"}, {"b", "2"}});
  CHECK(parse_string_map(nullptr, "x")->empty());
  auto null = Json::parse("null");
  CHECK(parse_string_map(null->get(), "x")->empty());
  for (const char* bad : {"[]", "\"s\"", R"({"a":1})", R"({"a":null})", R"({"a":{}})"}) {
    CAPTURE(bad);
    auto j = Json::parse(bad);
    auto r = parse_string_map(j->get(), "labels");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("labels: ", 0) == 0);
  }
}

TEST_CASE("string maps render sorted and are omitted when empty") {
  Json o = Json::object();
  add_string_map(o.get(), "empty", {});
  add_string_map(o.get(), "m", {{"z", "1"}, {"a", "2"}});
  CHECK(o.dump() == R"({"m":{"a":"2","z":"1"}})");
}

TEST_CASE("quoted cuts long text") {
  CHECK(quoted("x") == "\"x\"");
  CHECK(quoted(std::string(10000, 'a')).size() < 400);
}

TEST_CASE("bookkeeping name lists split on commas, blanks and empty items dropped") {
  CHECK(split_name_list("").empty());
  CHECK(split_name_list(",, ,").empty());
  CHECK(split_name_list("a") == std::vector<std::string>{"a"});
  CHECK(split_name_list("b, a,,c ") == std::vector<std::string>{"b", "a", "c"});
}

TEST_CASE("name lists join in order and split back") {
  CHECK(join_names(std::vector<std::string>{}).empty());
  CHECK(join_names(std::set<std::string>{"b", "a"}) == "a,b");
  StringMap map{{"team", "x"}, {"app", "y"}};
  CHECK(join_names(keys_of(map)) == "app,team");
  CHECK(split_name_list(join_names(keys_of(map))) == std::vector<std::string>{"app", "team"});
  CHECK(join_names(std::vector<std::string>{"one", "", "three"}, "; ") == "one; ; three");
}
