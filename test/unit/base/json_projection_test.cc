#include <doctest/doctest.h>

#include <string>

#include "base/json_projection.h"

using namespace imps;

namespace {

// Drops metadata.managedFields, keeps the rest.
constexpr JsonProjection::Member kMetadataMembers[] = {{"managedFields", nullptr}};
constexpr JsonProjection kMetadata{kMetadataMembers, true};
constexpr JsonProjection::Member kObjectMembers[] = {{"metadata", &kMetadata}};
constexpr JsonProjection kWithoutManagedFields{kObjectMembers, true};

// Keeps only metadata.name and metadata.labels of each item, and the list's metadata.
constexpr JsonProjection::Member kItemMetaMembers[] = {{"name", &kJsonWhole}, {"labels", &kJsonWhole}};
constexpr JsonProjection kItemMeta{kItemMetaMembers, false};
constexpr JsonProjection::Member kItemMembers[] = {{"metadata", &kItemMeta}};
constexpr JsonProjection kItem{kItemMembers, false};
constexpr JsonProjection::Member kListMembers[] = {{"metadata", &kJsonWhole}, {"items", &kItem}};
constexpr JsonProjection kList{kListMembers, false};

std::string projected(std::string_view text, const JsonProjection& projection) {
  auto doc = parse_projected(text, projection);
  return doc.ok() ? doc->dump() : "error: " + doc.error().message;
}

}  // namespace

TEST_CASE("a whole projection parses like Json::parse") {
  for (std::string_view text :
       {R"({"a":[1,-2.5e3,true,false,null,"x\"y\u00e9"],"b":{},"c":[],"d":{"e":{"f":0}}})", R"("s")", "7", "null",
        " [ 1 , { \"k\" : \"v\" } ] "}) {
    CAPTURE(text);
    auto full = Json::parse(text);
    REQUIRE(full.ok());
    CHECK(projected(text, kJsonWhole) == full->dump());
  }
}

TEST_CASE("listed members get their projection, dropped ones are gone, others follow keep_others") {
  CHECK(projected(R"({"kind":"Pod","metadata":{"name":"p","managedFields":[{"manager":"m","fieldsV1":{"f:a":{}}}],"uid":"u"},"spec":{"x":1}})",
                  kWithoutManagedFields) == R"({"kind":"Pod","metadata":{"name":"p","uid":"u"},"spec":{"x":1}})");
  CHECK(projected(R"({"apiVersion":"v1","metadata":{"resourceVersion":"9","continue":""},"items":[)"
                  R"({"metadata":{"name":"a","labels":{"l":"1"},"annotations":{"big":"..."}},"spec":{}},)"
                  R"({"metadata":{"name":"b"},"status":{"phase":"Running"}}]})",
                  kList) == R"({"metadata":{"resourceVersion":"9","continue":""},"items":[{"metadata":{"name":"a","labels":{"l":"1"}}},{"metadata":{"name":"b"}}]})");
}

TEST_CASE("a projection meets other shapes than it expects without failing") {
  // A scalar or array where an object was expected is kept as it is; null items stay null.
  CHECK(projected(R"({"metadata":"odd","items":[null,3,"s",[{"metadata":{"name":"n","x":1}}]]})", kList) ==
        R"({"metadata":"odd","items":[null,3,"s",[{"metadata":{"name":"n"}}]]})");
  CHECK(projected("[]", kList) == "[]");
  CHECK(projected("{}", kList) == "{}");
}

TEST_CASE("member names with escapes are matched after unescaping") {
  CHECK(projected(R"({"meta\u0064ata":{"n\u0061me":"a","x":1},"items":[]})", kList) ==
        R"({"metadata":{"name":"a","x":1},"items":[]})");
  CHECK(projected(R"({"items":[{"meta\u0064ata":{"n\u0061me":"a","x":1}}]})", kList) ==
        R"({"items":[{"metadata":{"name":"a"}}]})");
}

TEST_CASE("skipped parts are checked: malformed input fails wherever it is") {
  const char* malformed[] = {
      R"({"metadata":{"managedFields":[{"a":1,}]}})",      // trailing comma in a dropped member
      R"({"metadata":{"managedFields":[{"a":01}]}})",      // leading zero
      R"({"metadata":{"managedFields":"\q"}})",            // bad escape
      R"({"metadata":{"managedFields":"\u12G4"}})",        // bad \u
      "{\"metadata\":{\"managedFields\":\"a\x01\"}}",      // raw control character
      R"({"metadata":{"managedFields":tru}})",             // truncated literal
      R"({"metadata":{"managedFields":[1 2]}})",           // missing comma
      R"({"metadata":{"managedFields":{"a" 1}}})",         // missing colon
      R"({"metadata":{"managedFields":{1:1}}})",           // non-string name
      R"({"metadata":{"managedFields":"unterminated}})",   // unterminated string
      R"({"metadata":{"managedFields":-}})",               // lone minus
      R"({"metadata":{"managedFields":1.}})",              // no fraction digits
      R"({"metadata":{"managedFields":1e}})",              // no exponent digits
      R"({"metadata":{"name":"a"})",                       // unclosed object
      R"({"metadata":{"name":"a"}} x)",                    // trailing data
      "",
      "   ",
  };
  for (const char* text : malformed) {
    CAPTURE(text);
    auto doc = parse_projected(text, kWithoutManagedFields);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().kind == ErrorKind::Invalid);
    CHECK(doc.error().message.find("JSON") != std::string::npos);
  }
  auto trailing = parse_projected(R"({"a":1} x)", kJsonWhole);
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.error().message == "trailing data after JSON document at byte 8");
  auto truncated = parse_projected(R"({"metadata":{"managedFields":[{"a":)", kWithoutManagedFields);
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().message == "malformed JSON near byte 35");
}

TEST_CASE("nesting is bounded in kept and skipped parts alike") {
  std::string deep = "{\"metadata\":{\"managedFields\":" + std::string(5000, '[') + std::string(5000, ']') + "}}";
  CHECK_FALSE(parse_projected(deep, kWithoutManagedFields).ok());
  CHECK_FALSE(parse_projected(deep, kJsonWhole).ok());
  std::string fine = "{\"metadata\":{\"managedFields\":" + std::string(500, '[') + std::string(500, ']') + "}}";
  CHECK(parse_projected(fine, kWithoutManagedFields).ok());
}

TEST_CASE("an oversized dropped member costs no tree: the result holds only what was kept") {
  std::string fields;
  for (int i = 0; i < 20000; ++i) fields += (i ? "," : "") + std::string(R"({"manager":"kubectl","fieldsV1":{"f:x":{}}})");
  const std::string text = R"({"metadata":{"name":"big","managedFields":[)" + fields + "]}}";
  CHECK(text.size() > 800'000);
  CHECK(projected(text, kWithoutManagedFields) == R"({"metadata":{"name":"big"}})");
}
