// The Reflector executing its state machine through a kube::Client on a fake transport.
#include <doctest/doctest.h>

#include "fake_transport.h"
#include "kube/reflector.h"
#include "obs/log.h"

using namespace imps;
using namespace imps::kube;
using namespace imps::kube::testing;

namespace {

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeApi api;
  Random random{7};
  Client client{loop, std::make_unique<FakeTransport>(api), TokenSource()};
  std::vector<std::string> replaced;  // "begin", "page:name,name,", "end:rv"
  std::vector<std::string> applied;   // "TYPE name"
  std::unique_ptr<Reflector> reflector;

  Fixture() {
    obs::configure_logging(obs::LogLevel::Error, obs::LogFormat::Json);  // keep test output readable
    ReflectorTarget target{kSecrets, "", "owner=1", "", Shape::Full};
    ReflectorHandlers handlers;
    handlers.begin_replace = [this] { replaced.push_back("begin"); };
    handlers.replace_page = [this](std::vector<Json> items) {
      std::string names;
      for (const Json& item : items) names += json_string_or(json_member(item.get(), "metadata"), "name") + ",";
      replaced.push_back("page:" + names);
    };
    handlers.end_replace = [this](const std::string& rv) { replaced.push_back("end:" + rv); };
    handlers.apply = [this](WatchEvent::Type type, const Json& object) {
      applied.push_back(std::string(to_string(type)) + " " +
                        json_string_or(json_member(object.get(), "metadata"), "name"));
    };
    reflector = std::make_unique<Reflector>(loop, client, random, target, handlers);
  }
  void pump() {
    for (int i = 0; i < 3; ++i) REQUIRE(loop.run_once(0).ok());
  }
  const std::string& target(size_t i) { return api.sent.at(i).request.target; }
};

std::string event(const char* type, const char* name, const char* rv) {
  return std::string(R"({"type":")") + type + R"(","object":{"kind":"Secret","apiVersion":"v1","metadata":{"name":")" +
         name + R"(","namespace":"x","resourceVersion":")" + rv + "\"}}}\n";
}

const char* kGoneEvent =
    R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 21 (40)","reason":"Expired","code":410}})j"
    "\n";

}  // namespace

TEST_CASE("reflector run: list → watch → events → clean end → re-watch → 410 → relist twice") {
  Fixture f;
  f.reflector->start();
  CHECK(f.api.sent.empty());
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  CHECK(f.target(0) == "/api/v1/secrets?labelSelector=owner%3D1&limit=500");
  CHECK(!f.reflector->synced());
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"10"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})"));
  CHECK(f.reflector->synced());
  CHECK(f.replaced == std::vector<std::string>{"begin", "page:a,b,", "end:10"});

  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  CHECK(f.target(1).find("watch=1") != std::string::npos);
  CHECK(f.target(1).find("resourceVersion=10") != std::string::npos);
  CHECK(f.target(1).find("allowWatchBookmarks=true") != std::string::npos);
  CHECK(f.target(1).find("labelSelector=owner%3D1") != std::string::npos);
  CHECK(f.target(1).find("timeoutSeconds=") != std::string::npos);

  f.api.head(1, response(200));
  f.api.data(1, event("ADDED", "c", "11") + event("BOOKMARK", "", "20") + event("MODIFIED", "a", "21"));
  CHECK(f.applied == std::vector<std::string>{"ADDED c", "MODIFIED a"});
  CHECK(f.reflector->resource_version() == "21");

  f.clock.advance(2'000);
  f.api.end(1);
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.target(2).find("resourceVersion=21") != std::string::npos);
  CHECK(f.reflector->counters().watch_restarts == 1);
  CHECK(f.reflector->counters().relists == 0);

  f.api.head(2, response(200));
  f.api.data(2, kGoneEvent);
  CHECK(f.api.sent[2].cancelled);
  f.pump();
  REQUIRE(f.api.sent.size() == 4);
  CHECK(f.target(3).find("resourceVersion=21") != std::string::npos);
  CHECK(f.target(3).find("resourceVersionMatch=NotOlderThan") != std::string::npos);
  CHECK(f.target(3).find("watch=1") == std::string::npos);
  f.api.reply(3, response(410, R"({"kind":"Status","reason":"Expired","code":410})"));
  f.pump();
  REQUIRE(f.api.sent.size() == 5);
  CHECK(f.target(4) == "/api/v1/secrets?labelSelector=owner%3D1&limit=500");
  f.api.reply(4, response(200, R"({"metadata":{"resourceVersion":"50"},"items":[{"metadata":{"name":"c"}}]})"));
  // The consumer drops what it did not see since begin: a and b are gone.
  CHECK(f.replaced == std::vector<std::string>{"begin", "page:a,b,", "end:10", "begin", "page:c,", "end:50"});
  CHECK(f.reflector->counters().relists == 2);

  f.pump();
  REQUIRE(f.api.sent.size() == 6);
  CHECK(f.target(5).find("resourceVersion=50") != std::string::npos);
}

TEST_CASE("reflector run: failures back off before the next request") {
  Fixture f;
  f.reflector->start();
  f.pump();
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"10"},"items":[]})"));
  f.pump();
  REQUIRE(f.api.sent.size() == 2);

  SUBCASE("a 500 on watch start relists after backoff") {
    f.api.head(1, response(500));
    f.api.end(1);
    f.pump();
    CHECK(f.api.sent.size() == 2);
    f.clock.advance(799);
    f.pump();
    CHECK(f.api.sent.size() == 2);
    f.clock.advance(801);  // the jittered first delay is within [800, 1600]
    f.pump();
    REQUIRE(f.api.sent.size() == 3);
    CHECK(f.target(2).find("watch=1") == std::string::npos);
    CHECK(f.target(2).find("resourceVersion=10") != std::string::npos);
  }
  SUBCASE("a 429 on watch start re-watches after backoff") {
    f.api.head(1, response(429, "slow down", {{"Content-Type", "text/plain"}}));
    f.api.end(1);
    f.clock.advance(1'600);
    f.pump();
    REQUIRE(f.api.sent.size() == 3);
    CHECK(f.target(2).find("watch=1") != std::string::npos);
  }
  SUBCASE("an immediate empty end counts as a failure") {
    f.api.head(1, response(200));
    f.api.end(1);
    f.pump();
    CHECK(f.api.sent.size() == 2);
    f.clock.advance(1'600);
    f.pump();
    REQUIRE(f.api.sent.size() == 3);
    CHECK(f.target(2).find("watch=1") == std::string::npos);
  }
  SUBCASE("a connection broken mid-stream resumes from the last event") {
    f.api.head(1, response(200));
    f.api.data(1, event("ADDED", "z", "12") + "{\"type\":\"MOD");
    f.api.end(1, make_error(ErrorKind::Transient, "connection reset", 104));
    f.pump();
    REQUIRE(f.api.sent.size() == 3);
    CHECK(f.target(2).find("watch=1") != std::string::npos);
    CHECK(f.target(2).find("resourceVersion=12") != std::string::npos);
  }
}

TEST_CASE("reflector run: a destroyed reflector ignores its list's late answer") {
  Fixture f;
  f.reflector->start();
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  f.reflector.reset();
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"10"},"items":[]})"));
  f.pump();
  CHECK(f.replaced.empty());
  CHECK(f.api.sent.size() == 1);
}

TEST_CASE("reflector run: pages reach the consumer one at a time; an expired continue token begins again") {
  Fixture f;
  f.reflector->start();
  f.pump();
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"10","continue":"t1"},"items":[{"metadata":{"name":"a"}}]})"));
  CHECK(f.replaced == std::vector<std::string>{"begin", "page:a,"});
  CHECK(!f.reflector->synced());
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  CHECK(f.target(1).find("continue=t1") != std::string::npos);
  f.api.reply(1, response(200, R"({"metadata":{"resourceVersion":"10","continue":"t2"},"items":[{"metadata":{"name":"b"}}]})"));
  CHECK(f.replaced.back() == "page:b,");
  f.pump();
  f.api.reply(2, response(410, R"({"kind":"Status","reason":"Expired","code":410})"));
  f.pump();
  REQUIRE(f.api.sent.size() == 4);
  CHECK(f.target(3) == "/api/v1/secrets?labelSelector=owner%3D1&limit=500");
  f.api.reply(3, response(200, R"({"metadata":{"resourceVersion":"30"},"items":[{"metadata":{"name":"b"}}]})"));
  CHECK(f.replaced ==
        std::vector<std::string>{"begin", "page:a,", "page:b,", "begin", "page:b,", "end:30"});
  CHECK(f.reflector->synced());
  CHECK(f.reflector->resource_version() == "30");
}

TEST_CASE("reflector run: a list failing midway ends without end_replace and relists from a new begin") {
  Fixture f;
  f.reflector->start();
  f.pump();
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"10","continue":"t1"},"items":[{"metadata":{"name":"a"}}]})"));
  f.pump();
  f.api.reply(1, response(403, R"({"kind":"Status","reason":"Forbidden","code":403})"));
  CHECK(f.replaced == std::vector<std::string>{"begin", "page:a,"});
  CHECK(!f.reflector->synced());
  f.clock.advance(1'600);
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  f.api.reply(2, response(200, R"({"metadata":{"resourceVersion":"20"},"items":[]})"));
  CHECK(f.replaced == std::vector<std::string>{"begin", "page:a,", "begin", "page:", "end:20"});
  CHECK(f.reflector->synced());
}

TEST_CASE("reflector run: a reflector destroyed between pages asks for no more") {
  Fixture f;
  f.reflector->start();
  f.pump();
  f.api.reply(0, response(200, R"({"metadata":{"resourceVersion":"10","continue":"t1"},"items":[{"metadata":{"name":"a"}}]})"));
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  f.reflector.reset();
  f.api.reply(1, response(200, R"({"metadata":{"resourceVersion":"10","continue":"t2"},"items":[{"metadata":{"name":"b"}}]})"));
  f.pump();
  CHECK(f.api.sent.size() == 2);
  CHECK(f.replaced == std::vector<std::string>{"begin", "page:a,"});
}
