// kube::Client watches and paginated lists through the fake transport.
#include <doctest/doctest.h>

#include "fake_transport.h"
#include "kube/client.h"

using namespace imps;
using namespace imps::kube;
using namespace imps::kube::testing;

namespace {

using Fixture = ClientFixture;

struct Recorder {
  bool opened = false;
  std::vector<std::string> events;  // "TYPE rv"
  std::vector<Error> errors;        // ERROR events' errors
  int ends = 0;
  Status end;

  WatchHandlers handlers() {
    WatchHandlers h;
    h.on_open = [this] { opened = true; };
    h.on_event = [this](WatchEvent e) {
      events.push_back(std::string(to_string(e.type)) + " " + e.resource_version);
      if (e.type == WatchEvent::Type::Error) errors.push_back(e.error);
    };
    h.on_end = [this](Status s) {
      ++ends;
      end = std::move(s);
    };
    return h;
  }
};

const std::string kStream =
    R"({"type":"ADDED","object":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"a","namespace":"x","resourceVersion":"11"}}})"
    "\n"
    R"({"type":"BOOKMARK","object":{"kind":"Secret","apiVersion":"v1","metadata":{"resourceVersion":"20"}}})"
    "\n"
    R"({"type":"DELETED","object":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"a","namespace":"x","resourceVersion":"31"}}})"
    "\n";

}  // namespace

TEST_CASE("watch: request carries the watch query, Bearer, and the inactivity timeout") {
  ClientOptions options;
  options.watch_inactivity_ms = 123'000;
  Fixture f(options);
  Recorder r;
  WatchOptions wo;
  wo.resource_version = "100";
  wo.timeout_seconds = 321;
  wo.label_selector = "a=b";
  Watch w = f.client->watch(kSecrets, "x", wo, r.handlers());
  REQUIRE(f.api.sent.size() == 1);
  const Exchange& e = f.api.last();
  CHECK(e.request.target.rfind("/api/v1/namespaces/x/secrets?watch=1", 0) == 0);
  CHECK(e.request.target.find("resourceVersion=100") != std::string::npos);
  CHECK(e.request.target.find("allowWatchBookmarks=true") != std::string::npos);
  CHECK(e.request.target.find("timeoutSeconds=321") != std::string::npos);
  CHECK(e.request.target.find("labelSelector=a%3Db") != std::string::npos);
  CHECK(e.header("Authorization") == "Bearer t0ken");
  CHECK(e.request.timeout_ms == 123'000);
  CHECK(f.client->request_counts().watch == 1);
}

TEST_CASE("watch: events split at every byte boundary decode the same") {
  for (size_t split = 0; split <= kStream.size(); ++split) {
    CAPTURE(split);
    Fixture f;
    Recorder r;
    Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
    f.api.head(0, response(200));
    CHECK(r.opened);
    f.api.data(0, std::string_view(kStream).substr(0, split));
    f.api.data(0, std::string_view(kStream).substr(split));
    f.api.end(0);
    REQUIRE(r.events.size() == 3);
    CHECK(r.events[0] == "ADDED 11");
    CHECK(r.events[1] == "BOOKMARK 20");
    CHECK(r.events[2] == "DELETED 31");
    CHECK(r.ends == 1);
    CHECK(r.end.ok());
  }
}

TEST_CASE("watch: byte-at-a-time delivery") {
  Fixture f;
  Recorder r;
  Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
  f.api.head(0, response(200));
  for (char c : kStream) f.api.data(0, std::string_view(&c, 1));
  CHECK(r.events.size() == 3);
}

TEST_CASE("watch: an ERROR event is delivered with its typed error") {
  Fixture f;
  Recorder r;
  Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
  f.api.head(0, response(200));
  f.api.data(0, R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}})j"
                "\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].kind == ErrorKind::Gone);
  CHECK(r.errors[0].code == 410);
}

TEST_CASE("watch: stopping from inside a handler stops everything") {
  Fixture f;
  Recorder r;
  Watch w;
  WatchHandlers h = r.handlers();
  h.on_event = [&](WatchEvent) {
    r.events.push_back("x");
    w.stop();
  };
  w = f.client->watch(kSecrets, "", WatchOptions{}, std::move(h));
  f.api.head(0, response(200));
  f.api.data(0, kStream);
  CHECK(r.events.size() == 1);
  CHECK(f.api.sent[0].cancelled);
  CHECK(!w.active());
  f.api.end(0);
  CHECK(r.ends == 0);
}

TEST_CASE("watch: malformed and oversized events end the stream with an error") {
  SUBCASE("malformed") {
    Fixture f;
    Recorder r;
    Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
    f.api.head(0, response(200));
    f.api.data(0, "{not json}\n" + kStream);
    CHECK(r.events.empty());
    CHECK(r.ends == 1);
    CHECK(r.end.error().kind == ErrorKind::Invalid);
    CHECK(f.api.sent[0].cancelled);
  }
  SUBCASE("oversized") {
    ClientOptions options;
    options.max_watch_event_bytes = 64;
    Fixture f(options);
    Recorder r;
    Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
    f.api.head(0, response(200));
    for (int i = 0; i < 10 && r.ends == 0; ++i) f.api.data(0, std::string(16, 'x'));
    CHECK(r.ends == 1);
    CHECK(r.end.error().kind == ErrorKind::TooLarge);
    CHECK(f.api.sent[0].cancelled);
  }
}

TEST_CASE("watch: a non-2xx answer ends the watch with a typed error, body bounded") {
  Fixture f;
  Recorder r;
  Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
  f.api.head(0, response(403));
  f.api.data(0, R"({"kind":"Status","status":"Failure","message":"secrets is forbidden","reason":"Forbidden","code":403})");
  for (int i = 0; i < 100; ++i) f.api.data(0, std::string(4096, ' '));  // junk after it: cut, not kept
  f.api.end(0);
  CHECK(!r.opened);
  CHECK(r.ends == 1);
  CHECK(r.end.error().kind == ErrorKind::Forbidden);
  CHECK(r.end.error().code == 403);
}

TEST_CASE("watch: 429 keeps its code for the reflector") {
  Fixture f;
  Recorder r;
  Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
  f.api.head(0, response(429, "", {{"Content-Type", "text/plain"}, {"Retry-After", "1"}}));
  f.api.data(0, "Too many requests, please try again later.");
  f.api.end(0);
  CHECK(r.end.error().code == 429);
}

TEST_CASE("watch: 401 re-sends once, then reports") {
  Fixture f;
  Recorder r;
  Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
  f.api.head(0, response(401));
  f.api.end(0);
  REQUIRE(f.api.sent.size() == 2);
  CHECK(r.ends == 0);
  CHECK(f.client->request_counts().watch == 2);
  f.api.head(1, response(401));
  f.api.end(1);
  CHECK(f.api.sent.size() == 2);
  CHECK(r.ends == 1);
  CHECK(r.end.error().kind == ErrorKind::Unauthorized);
}

TEST_CASE("watch: answers are counted by status when the head arrives, failures before a head as no answer") {
  Fixture f;
  Recorder r;
  Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
  f.api.head(0, response(401));
  f.api.end(0);
  REQUIRE(f.api.sent.size() == 2);
  f.api.head(1, response(200));
  f.api.data(1, kStream);
  f.api.end(1, make_error(ErrorKind::Transient, "connection reset", 104));  // after the head
  Watch refused = f.client->watch(kSecrets, "", WatchOptions{}, {});
  f.api.end(2, make_error(ErrorKind::Transient, "connection refused", 111));
  Watch gone = f.client->watch(kSecrets, "", WatchOptions{}, {});
  f.api.head(3, response(410, R"({"kind":"Status","reason":"Expired","code":410})"));
  Watch open = f.client->watch(kSecrets, "", WatchOptions{}, {});  // sent, no head yet

  const std::map<std::pair<Verb, int>, uint64_t> expected = {
      {{Verb::Watch, 401}, 1}, {{Verb::Watch, 200}, 1}, {{Verb::Watch, 410}, 1}, {{Verb::Watch, kNoAnswer}, 1}};
  CHECK(f.client->request_counts().answered == expected);
  CHECK(f.client->request_counts().watch == 5);
}

TEST_CASE("watch: a broken connection is reported as the end's error") {
  Fixture f;
  Recorder r;
  Watch w = f.client->watch(kSecrets, "", WatchOptions{}, r.handlers());
  f.api.head(0, response(200));
  f.api.data(0, kStream.substr(0, 20));
  f.api.end(0, make_error(ErrorKind::Transient, "connection reset", 104));
  CHECK(r.ends == 1);
  CHECK(r.end.error().kind == ErrorKind::Transient);
}

namespace {

// What list_pages delivered: one "first|next:rv:name,name," per page, then "done:rv" or the error.
struct PageRecorder {
  std::vector<std::string> pages;
  std::string done;
  bool more = true;  // on_page's answer
  ListPageHandlers handlers() {
    ListPageHandlers h;
    h.on_page = [this](ListPage page) {
      std::string line = std::string(page.first ? "first:" : "next:") + page.resource_version + ":";
      for (const Json& item : page.items) line += json_string_or(json_member(item.get(), "metadata"), "name") + ",";
      pages.push_back(line);
      return more;
    };
    h.on_done = [this](Result<std::string> rv) { done = rv.ok() ? "done:" + *rv : "error:" + rv.error().message; };
    return h;
  }
};

}  // namespace

TEST_CASE("list_pages: delivers each page as it arrives, following continue from the first page's snapshot") {
  Fixture f;
  PageRecorder r;
  ListOptions options;
  options.resource_version = "50";
  options.resource_version_match = "NotOlderThan";
  options.label_selector = "a=b";
  f.client->list_pages(kSecrets, "", options, r.handlers());
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  std::string first = f.api.sent[0].request.target;
  CHECK(first.find("limit=500") != std::string::npos);
  CHECK(first.find("resourceVersion=50") != std::string::npos);
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"60","continue":"tok1"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})"));
  CHECK(r.pages == std::vector<std::string>{"first:60:a,b,"});  // before the next page is even asked for
  CHECK(r.done.empty());
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  std::string second = f.api.sent[1].request.target;
  CHECK(second.find("continue=tok1") != std::string::npos);
  CHECK(second.find("resourceVersion") == std::string::npos);
  CHECK(second.find("labelSelector=a%3Db") != std::string::npos);
  CHECK(second.find("limit=500") != std::string::npos);
  f.api.reply(1, response(200, R"({"metadata":{"resourceVersion":"61"},"items":[{"metadata":{"name":"c"}}]})"));
  CHECK(r.pages == std::vector<std::string>{"first:60:a,b,", "next:60:c,"});
  CHECK(r.done == "done:60");
  CHECK(f.client->request_counts().list == 2);
}

TEST_CASE("list_pages: an expired continue token restarts from a new first page") {
  Fixture f;
  PageRecorder r;
  f.client->list_pages(kSecrets, "", ListOptions{}, r.handlers());
  f.pump();
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"60","continue":"tok1"},"items":[{"metadata":{"name":"a"}}]})"));
  f.pump();
  f.api.reply(1, response(410, R"({"kind":"Status","reason":"Expired","code":410,"message":"The provided continue parameter is too old"})"));
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.api.sent[2].request.target.find("continue") == std::string::npos);
  f.api.reply(2, response(200, R"({"metadata":{"resourceVersion":"90"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})"));
  CHECK(r.pages == std::vector<std::string>{"first:60:a,", "first:90:a,b,"});
  CHECK(r.done == "done:90");
}

TEST_CASE("list_pages: gives up after a few expired continue tokens") {
  Fixture f;
  PageRecorder r;
  f.client->list_pages(kSecrets, "", ListOptions{}, r.handlers());
  for (size_t i = 0; i < 8; i += 2) {
    f.pump();
    REQUIRE(f.api.sent.size() == i + 1);
    f.api.reply(i, response(200, R"({"metadata":{"resourceVersion":"60","continue":"t"},"items":[]})"));
    f.pump();
    f.api.reply(i + 1, response(410, R"({"kind":"Status","reason":"Expired","code":410})"));
  }
  f.pump();
  CHECK(f.api.sent.size() == 8);
  CHECK(r.pages.size() == 4);
  CHECK(r.done.rfind("error:", 0) == 0);
}

TEST_CASE("list_pages: a consumer that declines stops the list") {
  Fixture f;
  PageRecorder r;
  r.more = false;
  f.client->list_pages(kSecrets, "", ListOptions{}, r.handlers());
  f.pump();
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"60","continue":"tok1"},"items":[{"metadata":{"name":"a"}}]})"));
  f.pump();
  CHECK(f.api.sent.size() == 1);
  CHECK(r.pages.size() == 1);
  CHECK(r.done.empty());
}

TEST_CASE("list_pages: 410 on the first page, bad items and empty lists") {
  Fixture f;
  PageRecorder gone, bad, empty;
  f.client->list_pages(kSecrets, "", ListOptions{}, gone.handlers());
  f.client->list_pages(kSecrets, "", ListOptions{}, bad.handlers());
  f.client->list_pages(kSecrets, "", ListOptions{}, empty.handlers());
  f.pump();
  f.api.reply(0, response(410, R"({"kind":"Status","reason":"Expired","code":410})"));
  f.api.reply(1, response(200, R"({"metadata":{"resourceVersion":"1"},"items":{"a":1}})"));
  f.api.reply(2, response(200, R"({"metadata":{"resourceVersion":"2"},"items":[]})"));
  f.pump();
  CHECK(f.api.sent.size() == 3);
  CHECK(gone.pages.empty());
  CHECK(gone.done.rfind("error:", 0) == 0);
  CHECK(bad.pages.empty());
  CHECK(bad.done == "error:list response: items is not an array");
  CHECK(empty.pages == std::vector<std::string>{"first:2:"});
  CHECK(empty.done == "done:2");
}
