#include <doctest/doctest.h>

#include "base/bytes.h"
#include "base/json.h"
#include "imps/map_digest.h"

using namespace imps;

namespace {

Result<MapDigest> parse(const char* text) {
  auto doc = Json::parse(text);
  REQUIRE(doc.ok());
  return MapDigest::parse(doc->get(), "metadata.labels");
}

}  // namespace

TEST_CASE("a digest parsed from JSON equals the digest of the same map") {
  auto parsed = parse(R"({"team":"a","istio.io/rev":"1-22","empty":""})");
  REQUIRE(parsed.ok());
  CHECK(*parsed == MapDigest(StringMap{{"empty", ""}, {"istio.io/rev", "1-22"}, {"team", "a"}}));
  CHECK(parsed->size() == 3);
  CHECK(parsed->find(content_hash("team")) == content_hash("a"));
  CHECK(parsed->find(content_hash("empty")) == content_hash(""));
  CHECK_FALSE(parsed->find(content_hash("a")).has_value());
  CHECK(parsed->contains("istio.io/rev"));
  CHECK(parsed->contains("istio.io/rev", "1-22"));
  CHECK_FALSE(parsed->contains("istio.io/rev", "1-2"));
  CHECK_FALSE(parsed->contains("istio.io"));
  CHECK_FALSE(parsed->contains("missing", ""));
  CHECK(*parse("null") == MapDigest());
  CHECK(*parse("{}") == MapDigest());
}

TEST_CASE("of repeated keys the last one counts, as for a JSON object") {
  auto parsed = parse(R"({"k":"1","x":"y","k":"2"})");
  REQUIRE(parsed.ok());
  CHECK(parsed->size() == 2);
  CHECK(parsed->find(content_hash("k")) == content_hash("2"));
}

TEST_CASE("a digest rejects what parse_string_map rejects, with the same message") {
  for (const char* bad : {R"([1])", R"("x")", R"({"a":1})", R"({"a":{"b":"c"}})", R"({"a":null})"}) {
    CAPTURE(bad);
    auto doc = Json::parse(bad);
    auto digest = MapDigest::parse(doc->get(), "metadata.labels");
    auto map = parse_string_map(doc->get(), "metadata.labels");
    REQUIRE_FALSE(digest.ok());
    REQUIRE_FALSE(map.ok());
    CHECK(digest.error().message == map.error().message);
  }
}
