// Source Secret watches on a fake API: a field selector for a namespace's only source, the
// namespace's Secrets filtered here when it has several, restarts only where the set changed.
#include <doctest/doctest.h>

#include "kube/fake_transport.h"
#include "modes/source_watches.h"
#include "obs/log.h"

using namespace imps;
using namespace imps::modes;
using namespace imps::kube::testing;

namespace {

std::string secret(const char* name, const char* rv) {
  return std::string(R"({"kind":"Secret","apiVersion":"v1","type":"kubernetes.io/dockerconfigjson","metadata":{"name":")") +
         name + R"(","namespace":"n","resourceVersion":")" + rv + R"("},"data":{".dockerconfigjson":"e30="}})";
}

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeApi api;
  Random random{5};
  kube::Client client{loop, std::make_unique<FakeTransport>(api), kube::TokenSource()};
  std::vector<std::string> changed, synced;
  SourceWatches watches{loop, client, random,
                        SourceWatchHandlers{[this](const std::string& ns, const std::string& name) { changed.push_back(ns + "." + name); },
                                            [this](const std::string& ns) { synced.push_back(ns); }}};

  Fixture() { obs::configure_logging(obs::LogLevel::Error, obs::LogFormat::Json); }
  void pump() {
    for (int i = 0; i < 5; ++i) REQUIRE(loop.run_once(0).ok());
  }
  const std::string& target(size_t i) { return api.sent.at(i).request.target; }
};

}  // namespace

TEST_CASE("source watches: one source → fieldSelector; list, then events for wanted names only") {
  Fixture f;
  f.watches.set_wanted({{"n", {"a"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  CHECK(f.target(0).find("/api/v1/namespaces/n/secrets?") == 0);
  CHECK(f.target(0).find("fieldSelector=metadata.name%3Da") != std::string::npos);
  CHECK_FALSE(f.watches.synced("n"));
  f.api.reply(0, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10"},"items":[)" + secret("a", "9") + "]}"));
  f.pump();
  CHECK(f.watches.synced("n"));
  CHECK(f.watches.all_synced());
  CHECK(f.synced == std::vector<std::string>{"n"});
  CHECK(f.changed == std::vector<std::string>{"n.a"});
  REQUIRE(f.watches.find("n", "a") != nullptr);
  CHECK(f.watches.find("n", "a")->type == "kubernetes.io/dockerconfigjson");
  CHECK(f.watches.find("n", "b") == nullptr);

  size_t watch = f.api.sent.size() - 1;
  CHECK(f.target(watch).find("watch=1") != std::string::npos);
  f.api.head(watch, response(200));
  f.api.data(watch, R"({"type":"DELETED","object":)" + secret("a", "11") + "}\n");
  f.pump();
  CHECK(f.watches.find("n", "a") == nullptr);
  CHECK(f.changed.back() == "n.a");
}

TEST_CASE("source watches: several sources in a namespace → the namespace's Secrets, filtered") {
  Fixture f;
  f.watches.set_wanted({{"n", {"a", "b"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  CHECK(f.target(0).find("fieldSelector") == std::string::npos);
  f.api.reply(0, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10"},"items":[)" + secret("a", "7") +
                                   "," + secret("other", "8") + "]}"));
  f.pump();
  CHECK(f.watches.find("n", "a") != nullptr);
  CHECK(f.watches.find("n", "other") == nullptr);
  size_t watch = f.api.sent.size() - 1;
  f.api.head(watch, response(200));
  size_t before = f.changed.size();
  f.api.data(watch, R"({"type":"ADDED","object":)" + secret("unrelated", "11") + "}\n");
  f.api.data(watch, R"({"type":"ADDED","object":)" + secret("b", "12") + "}\n");
  f.pump();
  CHECK(f.changed.size() == before + 1);
  CHECK(f.changed.back() == "n.b");
  CHECK(f.watches.find("n", "b") != nullptr);
}

TEST_CASE("source watches: only namespaces whose set changed restart; dropped ones stop") {
  Fixture f;
  f.watches.set_wanted({{"x", {"a"}}, {"y", {"b"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  f.watches.set_wanted({{"x", {"a"}}, {"y", {"b", "c"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.target(2).find("/namespaces/y/secrets") != std::string::npos);
  CHECK(f.target(2).find("fieldSelector") == std::string::npos);
  f.watches.set_wanted({{"x", {"a"}}});
  f.pump();
  CHECK(f.api.sent.size() == 3);
  CHECK_FALSE(f.watches.synced("y"));
  CHECK(f.watches.find("y", "b") == nullptr);
}

TEST_CASE("source watches: a list paged in stores each page at once and drops what a relist lacks") {
  Fixture f;
  f.watches.set_wanted({{"n", {"a", "b"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  f.api.reply(0, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10","continue":"t"},"items":[)" +
                                   secret("a", "7") + "]}"));
  CHECK(f.watches.find("n", "a") != nullptr);  // before the next page
  CHECK_FALSE(f.watches.synced("n"));
  CHECK(f.synced.empty());
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  f.api.reply(1, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10"},"items":[)" + secret("b", "8") + "]}"));
  f.pump();
  CHECK(f.watches.synced("n"));
  CHECK(f.synced == std::vector<std::string>{"n"});
  CHECK(f.watches.find("n", "a") != nullptr);
  CHECK(f.watches.find("n", "b") != nullptr);

  // The watch's history is gone: the relist no longer has a, even after a restarted first page.
  size_t watch = f.api.sent.size() - 1;
  f.api.head(watch, response(200));
  f.api.data(watch, R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}})"
                    "\n");
  f.pump();
  size_t relist = f.api.sent.size() - 1;
  CHECK(f.target(relist).find("watch=1") == std::string::npos);
  f.api.reply(relist, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"20","continue":"u"},"items":[)" +
                                        secret("a", "7") + "]}"));
  f.pump();
  f.api.reply(relist + 1, response(410, R"({"kind":"Status","reason":"Expired","code":410})"));
  f.pump();
  CHECK(f.target(relist + 2).find("continue") == std::string::npos);
  f.changed.clear();
  f.api.reply(relist + 2, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"30"},"items":[)" +
                                            secret("b", "9") + "]}"));
  f.pump();
  CHECK(f.watches.find("n", "a") == nullptr);
  CHECK(f.watches.find("n", "b") != nullptr);
  CHECK(f.changed == std::vector<std::string>{"n.a", "n.b"});
}
