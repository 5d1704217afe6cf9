#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kube/watch_decoder.h"

using namespace imps;
using namespace imps::kube;

namespace {

const std::string kAdded = R"({"type":"ADDED","object":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db","resourceVersion":"101"}}})";
const std::string kBookmark =
    R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"3845","creationTimestamp":null},"spec":{"containers":null},"status":{}}})";
const std::string kGone =
    R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1000 (2500)","reason":"Expired","code":410}})json";

std::vector<std::string> drain(WatchLineSplitter& s) {
  std::vector<std::string> out;
  while (auto line = s.next_line()) out.push_back(*line);
  return out;
}

}  // namespace

TEST_CASE("splitter yields the same lines for every split point of a stream") {
  const std::string stream = kAdded + "\n" + kBookmark + "\n" + kGone + "\n";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    WatchLineSplitter s;
    REQUIRE(s.feed(std::string_view(stream).substr(0, cut)).ok());
    auto lines = drain(s);
    REQUIRE(s.feed(std::string_view(stream).substr(cut)).ok());
    for (auto& l : drain(s)) lines.push_back(l);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == kAdded);
    CHECK(lines[1] == kBookmark);
    CHECK(lines[2] == kGone);
    CHECK(s.pending_bytes() == 0);
  }
}

TEST_CASE("splitter fed one byte at a time") {
  const std::string stream = kAdded + "\n" + kGone + "\n" + kBookmark;  // last line incomplete
  WatchLineSplitter s;
  std::vector<std::string> lines;
  for (char c : stream) {
    REQUIRE(s.feed(std::string_view(&c, 1)).ok());
    for (auto& l : drain(s)) lines.push_back(l);
  }
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == kGone);
  CHECK(s.pending_bytes() == kBookmark.size());
}

TEST_CASE("splitter: several events in one chunk, blank lines and CRLF") {
  WatchLineSplitter s;
  REQUIRE(s.feed("a\n\n\r\nb\r\nc\n").ok());
  CHECK(drain(s) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("splitter rejects a line over the cap and stays failed") {
  SUBCASE("in one chunk") {
    WatchLineSplitter s(8);
    CHECK(s.feed("12345678\n").ok());
    auto st = s.feed("123456789\n");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::TooLarge);
    CHECK(s.pending_bytes() == 0);
  }
  SUBCASE("growing across chunks without a newline") {
    WatchLineSplitter s(8);
    CHECK(s.feed("1234").ok());
    CHECK(s.feed("5678").ok());
    CHECK(s.feed("9").error().kind == ErrorKind::TooLarge);
    CHECK(s.feed("\n").error().kind == ErrorKind::TooLarge);
    CHECK_FALSE(s.next_line().has_value());
  }
  SUBCASE("a large event in many small chunks, polled after each") {
    WatchLineSplitter s(1 << 20);
    const std::string big(1 << 20, 'x');
    for (size_t at = 0; at < big.size(); at += 64) {
      REQUIRE(s.feed(std::string_view(big).substr(at, 64)).ok());
      REQUIRE_FALSE(s.next_line().has_value());
    }
    REQUIRE(s.feed("\n").ok());
    CHECK(s.next_line()->size() == big.size());
    CHECK(s.pending_bytes() == 0);
  }
  SUBCASE("the cap applies per line, not per stream") {
    WatchLineSplitter s(8);
    for (int i = 0; i < 1000; ++i) {
      REQUIRE(s.feed("1234567\n").ok());
      REQUIRE(s.next_line() == std::optional<std::string>("1234567"));
    }
  }
}

TEST_CASE("decode ADDED/MODIFIED/DELETED carry the object and its resourceVersion") {
  auto ev = decode_watch_event(kAdded);
  REQUIRE(ev.ok());
  CHECK(ev->type == WatchEvent::Type::Added);
  CHECK(ev->resource_version == "101");
  CHECK(json_string(json_member(ev->object.get(), "metadata"), "name").value() == "db");
  CHECK(decode_watch_event(R"({"type":"MODIFIED","object":{"metadata":{"resourceVersion":"2"}}})")->type ==
        WatchEvent::Type::Modified);
  CHECK(decode_watch_event(R"({"object":{"metadata":{"resourceVersion":"3"}},"type":"DELETED"})")->type ==
        WatchEvent::Type::Deleted);
}

TEST_CASE("decode BOOKMARK stubs with nulls") {
  auto ev = decode_watch_event(kBookmark);
  REQUIRE(ev.ok());
  CHECK(ev->type == WatchEvent::Type::Bookmark);
  CHECK(ev->resource_version == "3845");
  auto cr = decode_watch_event(
      R"({"type":"BOOKMARK","object":{"kind":"ImagePullSecret","apiVersion":"images.banzaicloud.io/v1alpha1","metadata":{"resourceVersion":"9","annotations":{"k8s.io/initial-events-end":"true"}}}})");
  REQUIRE(cr.ok());
  CHECK(cr->resource_version == "9");
}

TEST_CASE("decode ERROR carries the Status as an error") {
  auto ev = decode_watch_event(kGone);
  REQUIRE(ev.ok());
  CHECK(ev->type == WatchEvent::Type::Error);
  CHECK(ev->error.kind == ErrorKind::Gone);
  CHECK(ev->error.code == 410);
  CHECK(ev->error.message == "too old resource version: 1000 (2500) (410 Expired)");
  CHECK(ev->resource_version.empty());

  auto internal = decode_watch_event(R"({"type":"ERROR","object":{"kind":"Status","message":"boom"}})");
  REQUIRE(internal.ok());
  CHECK(internal->error.kind == ErrorKind::Transient);
  CHECK(internal->error.code == 500);
}

TEST_CASE("decode rejects malformed events with context") {
  struct Case {
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {"", "watch event: malformed JSON"},
      {"{\"type\":\"ADDED\",\"object\":{", "watch event: malformed JSON"},
      {"[1,2]", "watch event: not a JSON object"},
      {"{\"object\":{}}", "watch event: missing \"type\""},
      {"{\"type\":7,\"object\":{}}", "watch event: missing \"type\""},
      {"{\"type\":\"RENAMED\",\"object\":{}}", "watch event: unknown type \"RENAMED\""},
      {"{\"type\":\"ADDED\"}", "watch event: ADDED without an object"},
      {"{\"type\":\"ADDED\",\"object\":\"x\"}", "watch event: ADDED without an object"},
      {"{\"type\":\"ERROR\",\"object\":null}", "watch event: ERROR without an object"},
      {"{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}", "watch event: ADDED object without metadata.resourceVersion"},
      {"{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"\"}}}",
       "watch event: BOOKMARK object without metadata.resourceVersion"},
      {"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"1\"}}} x", "watch event: trailing data"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.line);
    auto ev = decode_watch_event(c.line);
    REQUIRE_FALSE(ev.ok());
    CHECK(ev.error().kind == ErrorKind::Invalid);
    CHECK(ev.error().message.rfind(c.message, 0) == 0);
  }
}

TEST_CASE("decode bounds the quoted unknown type") {
  const std::string line = "{\"type\":\"" + std::string(1000, 'X') + "\",\"object\":{}}";
  auto ev = decode_watch_event(line);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.error().message.size() < 100);
}
