// Source Secret watches on a fake API: a field selector per source (never a namespace's whole
// Secret list), reflectors only for new sources, stored projections dropped when a relist lacks them.
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
  CHECK_FALSE(f.watches.synced("n", "a"));
  f.api.reply(0, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10"},"items":[)" + secret("a", "9") + "]}"));
  f.pump();
  CHECK(f.watches.synced("n", "a"));
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

TEST_CASE("source watches: several sources in a namespace → one field selector each, never the whole namespace") {
  Fixture f;
  f.watches.set_wanted({{"n", {"a", "b"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  CHECK(f.target(0).find("fieldSelector=metadata.name%3Da") != std::string::npos);
  CHECK(f.target(1).find("fieldSelector=metadata.name%3Db") != std::string::npos);
  // A server that ignored the selector: the other names are not taken for the source.
  f.api.reply(0, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10"},"items":[)" + secret("a", "7") +
                                   "," + secret("other", "8") + "]}"));
  f.pump();
  CHECK(f.watches.find("n", "a") != nullptr);
  CHECK(f.watches.find("n", "other") == nullptr);
  CHECK(f.watches.synced("n", "a"));  // a does not wait for b
  CHECK_FALSE(f.watches.synced("n", "b"));
  CHECK_FALSE(f.watches.all_synced());
  CHECK(f.synced == std::vector<std::string>{"n"});
  f.api.reply(1, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10"},"items":[]})"));
  f.pump();
  CHECK(f.watches.synced("n", "b"));
  CHECK(f.watches.all_synced());
  CHECK(f.watches.find("n", "b") == nullptr);
  size_t watch_b = f.api.sent.size() - 1;
  REQUIRE(f.target(watch_b).find("fieldSelector=metadata.name%3Db") != std::string::npos);
  f.api.head(watch_b, response(200));
  size_t before = f.changed.size();
  f.api.data(watch_b, R"({"type":"ADDED","object":)" + secret("unrelated", "11") + "}\n");
  f.api.data(watch_b, R"({"type":"ADDED","object":)" + secret("b", "12") + "}\n");
  f.pump();
  CHECK(f.changed.size() == before + 1);
  CHECK(f.changed.back() == "n.b");
  CHECK(f.watches.find("n", "b") != nullptr);
}

TEST_CASE("source watches: only new sources start; dropped ones stop") {
  Fixture f;
  f.watches.set_wanted({{"x", {"a"}}, {"y", {"b"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  f.watches.set_wanted({{"x", {"a"}}, {"y", {"b", "c"}}});
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.target(2).find("/namespaces/y/secrets") != std::string::npos);
  CHECK(f.target(2).find("fieldSelector=metadata.name%3Dc") != std::string::npos);
  f.watches.set_wanted({{"x", {"a"}}});
  f.pump();
  CHECK(f.api.sent.size() == 3);
  CHECK(f.api.sent[1].done == nullptr);  // y's lists were cancelled
  CHECK(f.api.sent[2].done == nullptr);
  CHECK_FALSE(f.watches.synced("y", "b"));
  CHECK(f.watches.find("y", "b") == nullptr);
}

TEST_CASE("source watches: a relist that no longer holds the source drops it") {
  Fixture f;
  f.watches.set_wanted({{"n", {"a"}}});
  f.pump();
  f.api.reply(0, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"10"},"items":[)" + secret("a", "7") + "]}"));
  f.pump();
  CHECK(f.watches.find("n", "a") != nullptr);
  // The watch's history is gone: the relist finds a deleted meanwhile.
  size_t watch = f.api.sent.size() - 1;
  f.api.head(watch, response(200));
  f.api.data(watch, R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}})"
                    "\n");
  f.pump();
  size_t relist = f.api.sent.size() - 1;
  CHECK(f.target(relist).find("watch=1") == std::string::npos);
  f.changed.clear();
  f.api.reply(relist, response(200, R"({"kind":"SecretList","metadata":{"resourceVersion":"20"},"items":[]})"));
  f.pump();
  CHECK(f.watches.find("n", "a") == nullptr);
  CHECK(f.changed == std::vector<std::string>{"n.a"});
}
