// kube::Client request building and the cross-cutting behaviour (auth, retries, rate limit,
// pagination), driven through a fake transport and a ManualClock.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "fake_transport.h"
#include "kube/client.h"

using namespace imps;
using namespace imps::kube;
using namespace imps::kube::testing;

namespace {

using Fixture = ClientFixture;

struct Captured {
  bool called = false;
  Result<Json> result = make_error(ErrorKind::Fatal, "not called");
  Client::JsonCallback callback() {
    return [this](Result<Json> r) {
      called = true;
      result = std::move(r);
    };
  }
};

Json parse(const char* text) { return std::move(Json::parse(text).value()); }

}  // namespace

TEST_CASE("client: GET builds path, Accept, User-Agent and Bearer; answers are parsed JSON") {
  Fixture f;
  Captured got;
  f.client->get(kSecrets, "app", "db", got.callback());
  CHECK(f.api.sent.empty());  // sent from the loop, never inline
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  const Exchange& e = f.api.last();
  CHECK(e.request.method == "GET");
  CHECK(e.request.target == "/api/v1/namespaces/app/secrets/db");
  CHECK(e.header("Accept") == "application/json");
  CHECK(e.header("Authorization") == "Bearer t0ken");
  CHECK(e.header("User-Agent").rfind("imps/", 0) == 0);
  CHECK(e.header("User-Agent").find("(linux/") != std::string::npos);
  CHECK(e.header("Content-Type") == "<none>");

  f.api.reply(0, response(200, R"({"metadata":{"name":"db","resourceVersion":"7"}})"));
  REQUIRE(got.called);
  REQUIRE(got.result.ok());
  CHECK(json_string_or(json_member(got.result->get(), "metadata"), "resourceVersion") == "7");
  CHECK(f.client->request_counts().get == 1);
}

TEST_CASE("client: the component ends the User-Agent, so audit logs tell the modes apart") {
  CHECK(default_user_agent("refresher").rfind(default_user_agent() + " refresher", 0) == 0);
  ClientOptions options;
  options.component = "controller";
  Fixture f(options);
  f.client->get(kNamespaces, "", "ns", [](Result<Json>) {});
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  CHECK(f.api.sent[0].header("User-Agent") == default_user_agent() + " controller");
}

TEST_CASE("client: metadata-only requests ask for PartialObjectMetadata[List]") {
  Fixture f;
  Captured a, b;
  f.client->get(kPods, "app", "web-1", a.callback(), Shape::MetadataOnly);
  ListOptions options;
  options.label_selector = "app=web";
  f.client->list(kPods, "", options, b.callback(), Shape::MetadataOnly);
  Watch w = f.client->watch(kPods, "", WatchOptions{}, {}, Shape::MetadataOnly);
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  // The watch is not rate limited and goes out first.
  CHECK(f.api.sent[0].header("Accept") == kAcceptMetadata);
  CHECK(f.api.sent[0].request.target.rfind("/api/v1/pods?watch=1", 0) == 0);
  CHECK(f.api.sent[1].header("Accept") == kAcceptMetadata);
  CHECK(f.api.sent[2].header("Accept") == kAcceptMetadataList);
  CHECK(f.api.sent[2].request.target == "/api/v1/pods?labelSelector=app%3Dweb");
}

TEST_CASE("client: writes carry their method, path, content type and body") {
  ClientOptions wide;
  wide.max_writes_in_flight = 5;  // all at once: the window has its own test
  Fixture f(wide);
  Captured c1, c2, c3, c4, c5, c6;
  Json secret = parse(R"({"metadata":{"name":"db","resourceVersion":"5"}})");
  f.client->create(kSecrets, "app", secret, c1.callback());
  f.client->update(kSecrets, "app", "db", secret, c2.callback());
  f.client->update_status(kImagePullSecrets, "", "ips", parse(R"({"status":{}})"), c3.callback());
  f.client->merge_patch(kSecrets, "app", "db", parse(R"({"metadata":{"labels":{"a":null}}})"), c4.callback());
  f.client->remove(kSecrets, "app", "db", Preconditions{"uid-1", "5"}, c5.callback());
  f.client->remove(kSecrets, "app", "old", {}, c6.callback());
  f.pump();
  REQUIRE(f.api.sent.size() == 6);

  CHECK(f.api.sent[0].request.method == "POST");
  CHECK(f.api.sent[0].request.target == "/api/v1/namespaces/app/secrets");
  CHECK(f.api.sent[0].header("Content-Type") == "application/json");
  CHECK(f.api.sent[0].request.body == secret.dump());

  CHECK(f.api.sent[1].request.method == "PUT");
  CHECK(f.api.sent[1].request.target == "/api/v1/namespaces/app/secrets/db");
  CHECK(f.api.sent[1].request.body.find(R"("resourceVersion":"5")") != std::string::npos);

  CHECK(f.api.sent[2].request.method == "PUT");
  CHECK(f.api.sent[2].request.target == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/ips/status");

  CHECK(f.api.sent[3].request.method == "PATCH");
  CHECK(f.api.sent[3].header("Content-Type") == "application/merge-patch+json");
  CHECK(f.api.sent[3].request.body == R"({"metadata":{"labels":{"a":null}}})");

  CHECK(f.api.sent[4].request.method == "DELETE");
  Json options = parse(f.api.sent[4].request.body.c_str());
  CHECK(json_string_or(options.get(), "kind") == "DeleteOptions");
  CHECK(json_string_or(json_member(options.get(), "preconditions"), "uid") == "uid-1");
  CHECK(json_string_or(json_member(options.get(), "preconditions"), "resourceVersion") == "5");
  CHECK(f.api.sent[5].request.body.empty());

  const RequestCounts& counts = f.client->request_counts();
  CHECK(counts.create == 1);
  CHECK(counts.update == 2);
  CHECK(counts.patch == 1);
  CHECK(counts.remove == 2);
  CHECK(counts.get == 0);

  f.api.reply(5, response(200, R"({"kind":"Status","status":"Success"})"));
  CHECK(c6.result.ok());
  f.api.reply(4, response(202, ""));  // accepted without a body
  CHECK(c5.result.ok());
}

TEST_CASE("client: a server URL path is a prefix of every request") {
  Fixture f({}, TokenSource(), "/k8s/clusters/c-1");
  Captured got;
  f.client->get(kNamespaces, "", "app", got.callback());
  f.pump();
  CHECK(f.api.last().request.target == "/k8s/clusters/c-1/api/v1/namespaces/app");
  CHECK(f.api.last().header("Authorization") == "<none>");  // no token source: no header
}

TEST_CASE("client: non-2xx answers become typed errors with the HTTP code") {
  Fixture f;
  Captured got;
  f.client->get(kSecrets, "app", "db", got.callback());
  f.pump();
  f.api.reply(0, response(404, R"({"kind":"Status","status":"Failure","message":"secrets \"db\" not found","reason":"NotFound","code":404})"));
  REQUIRE(got.called);
  REQUIRE(!got.result.ok());
  CHECK(got.result.error().kind == ErrorKind::NotFound);
  CHECK(got.result.error().code == 404);
  CHECK(got.result.error().message.find("GET /api/v1/namespaces/app/secrets/db") != std::string::npos);
  CHECK(got.result.error().message.find("t0ken") == std::string::npos);

  SUBCASE("a connection failure keeps its kind") {
    Captured again;
    f.client->get(kSecrets, "app", "db", again.callback());
    f.pump();
    f.api.fail(1, make_error(ErrorKind::Transient, "connection refused", 111));
    CHECK(again.result.error().kind == ErrorKind::Transient);
  }
  SUBCASE("a 2xx with a malformed body is Invalid") {
    Captured again;
    f.client->get(kSecrets, "app", "db", again.callback());
    f.pump();
    f.api.reply(1, response(200, "{not json"));
    CHECK(again.result.error().kind == ErrorKind::Invalid);
  }
}

TEST_CASE("client: 401 re-reads the token file and retries once") {
  char path[] = "/tmp/imps-token-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "old\n";
  ManualClock token_clock;
  Fixture f({}, TokenSource::from_file(path, token_clock));
  Captured got;
  f.client->get(kSecrets, "app", "db", got.callback());
  f.pump();
  CHECK(f.api.last().header("Authorization") == "Bearer old");

  std::ofstream(path) << "new\n";  // rotated; the cached copy is still fresh
  f.api.reply(0, response(401, R"({"kind":"Status","reason":"Unauthorized","code":401})"));
  CHECK(!got.called);
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  CHECK(f.api.last().header("Authorization") == "Bearer new");

  SUBCASE("a second 401 is the answer") {
    f.api.reply(1, response(401, R"({"kind":"Status","reason":"Unauthorized","code":401})"));
    f.pump();
    CHECK(f.api.sent.size() == 2);
    REQUIRE(got.called);
    CHECK(got.result.error().kind == ErrorKind::Unauthorized);
  }
  SUBCASE("success after re-reading") {
    f.api.reply(1, response(200, "{}"));
    CHECK(got.result.ok());
  }
  CHECK(f.client->request_counts().get == 2);
  unlink(path);
}

TEST_CASE("client: 429/5xx with Retry-After are retried after the delay, at most 10 times") {
  Fixture f;
  Captured got;
  f.client->get(kSecrets, "app", "db", got.callback());
  f.pump();
  f.api.reply(0, response(429, "Too many requests, please try again later.",
                          {{"Content-Type", "text/plain; charset=utf-8"}, {"Retry-After", "2"}}));
  f.pump();
  CHECK(f.api.sent.size() == 1);  // waiting out Retry-After
  f.clock.advance(1'999);
  f.pump();
  CHECK(f.api.sent.size() == 1);
  f.clock.advance(1);
  f.pump();
  REQUIRE(f.api.sent.size() == 2);

  for (size_t i = 1; i <= 10; ++i) {
    f.api.reply(i, response(503, R"({"kind":"Status","reason":"ServiceUnavailable","code":503})",
                            {{"Retry-After", "1"}}));
    f.clock.advance(1'000);
    f.pump();
  }
  CHECK(f.api.sent.size() == 11);  // the first try and 10 retries
  REQUIRE(got.called);
  CHECK(got.result.error().code == 503);
  CHECK(got.result.error().kind == ErrorKind::Transient);
}

TEST_CASE("client: an eviction's 429 is the caller's, Retry-After or not; its 5xx are retried") {
  // A PodDisruptionBudget refusal (or throttled evictions): the stuck-pod restarter, which knows
  // what a refused eviction means, is the one place that retries it.
  Fixture f;
  Captured refused, unavailable;
  f.client->evict("app", "web-1", "uid-1", refused.callback());
  f.client->evict("app", "web-2", "", unavailable.callback());
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  CHECK(f.api.sent[0].request.target == "/api/v1/namespaces/app/pods/web-1/eviction");
  f.api.reply(0, response(429, R"({"kind":"Status","reason":"TooManyRequests","code":429,)"
                               R"("message":"Cannot evict pod as it would violate the pod's disruption budget.",)"
                               R"("details":{"retryAfterSeconds":10,"causes":[{"reason":"DisruptionBudget"}]}})",
                          {{"Retry-After", "10"}}));
  REQUIRE(refused.called);
  CHECK(refused.result.error().kind == ErrorKind::Transient);
  CHECK(refused.result.error().code == 429);
  f.api.reply(1, response(503, R"({"kind":"Status","reason":"ServiceUnavailable","code":503})", {{"Retry-After", "1"}}));
  CHECK(!unavailable.called);
  f.clock.advance(10'000);
  f.pump();
  REQUIRE(f.api.sent.size() == 3);  // the 503 once more, the 429 never
  CHECK(f.api.sent[2].request.target == "/api/v1/namespaces/app/pods/web-2/eviction");
  f.api.reply(2, response(201, R"({"kind":"Status","status":"Success"})"));
  CHECK(unavailable.result.ok());
  CHECK(f.client->request_counts().create == 3);
}

TEST_CASE("client: 5xx and 429 without Retry-After are surfaced as Transient at once") {
  Fixture f;
  Captured got, html;
  f.client->get(kSecrets, "app", "db", got.callback());
  f.client->get(kSecrets, "app", "other", html.callback());
  f.pump();
  f.api.reply(0, response(500, R"({"kind":"Status","reason":"InternalError","code":500})"));
  f.api.reply(1, response(503, "<html>bad gateway</html>", {{"Content-Type", "text/html"}}));
  CHECK(got.result.error().kind == ErrorKind::Transient);
  CHECK(html.result.error().kind == ErrorKind::Transient);
  CHECK(html.result.error().code == 503);
  f.pump();
  CHECK(f.api.sent.size() == 2);
}

TEST_CASE("client: the rate limiter queues requests beyond the burst; watches are exempt") {
  ClientOptions options;
  options.qps = 2;
  options.burst = 3;
  Fixture f(options);
  std::vector<Captured> got(6);
  for (auto& g : got) f.client->get(kNamespaces, "", "ns", g.callback());
  f.pump();
  CHECK(f.api.sent.size() == 3);  // the burst
  Watch w = f.client->watch(kNamespaces, "", WatchOptions{}, {});
  CHECK(f.api.sent.size() == 4);  // straight through
  f.clock.advance(499);
  f.pump();
  CHECK(f.api.sent.size() == 4);
  f.clock.advance(1);
  f.pump();
  CHECK(f.api.sent.size() == 5);  // one token every 500 ms
  f.clock.advance(1'000);
  f.pump();
  CHECK(f.api.sent.size() == 7);
  // In submission order.
  for (size_t i = 0; i < f.api.sent.size(); ++i) {
    CHECK(f.api.sent[i].request.target.rfind(i == 3 ? "/api/v1/namespaces?watch=1" : "/api/v1/namespaces/ns", 0) == 0);
  }
  CHECK(f.client->request_counts().get == 6);
  CHECK(f.client->request_counts().watch == 1);
}

TEST_CASE("client: object writes enter the rate limiter through a bounded window; reads and status pass it") {
  ClientOptions options;
  options.qps = 0;  // unlimited: only the window holds requests back
  options.max_writes_in_flight = 2;
  Fixture f(options);
  std::vector<Captured> writes(5);
  Json body = parse(R"({"metadata":{"name":"s"}})");
  f.client->create(kSecrets, "a", body, writes[0].callback());
  f.client->merge_patch(kSecrets, "b", "s", body, writes[1].callback());
  f.client->update(kSecrets, "c", "s", body, writes[2].callback());
  f.client->remove(kSecrets, "d", "s", Preconditions{}, writes[3].callback());
  f.client->create(kSecrets, "e", body, writes[4].callback());
  Captured read, status;
  f.client->get(kSecrets, "x", "s", read.callback());
  f.client->update_status(kImagePullSecrets, "", "r", body, status.callback());
  f.pump();
  REQUIRE(f.api.sent.size() == 4);  // two writes, then the read and the status write past the queue
  CHECK(f.api.sent[0].request.method == "POST");
  CHECK(f.api.sent[1].request.method == "PATCH");
  CHECK(f.api.sent[2].request.method == "GET");
  CHECK(f.api.sent[3].request.target == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/r/status");
  // An answer (success or failure) frees a place for the next write, in submission order.
  f.api.reply(1, response(200, "{}"));
  f.pump();
  REQUIRE(f.api.sent.size() == 5);
  CHECK(f.api.sent[4].request.method == "PUT");
  CHECK(writes[1].called);
  f.api.fail(0, make_error(ErrorKind::Transient, "connection reset", 104));
  f.pump();
  REQUIRE(f.api.sent.size() == 6);
  CHECK(f.api.sent[5].request.method == "DELETE");
  // A write waiting out Retry-After lends its place meanwhile (the next two tests say more).
  f.api.reply(4, response(429, "", {{"Retry-After", "1"}}));
  f.pump();
  REQUIRE(f.api.sent.size() == 7);
  CHECK(f.api.sent[6].request.target == "/api/v1/namespaces/e/secrets");
}

TEST_CASE("client: writes waiting out Retry-After leave the window to other writes") {
  // The API server's priority-and-fairness (or a webhook) throttling one namespace's writes
  // must not stall every other Secret write behind them.
  ClientOptions options;
  options.qps = 0;  // unlimited: only the window holds requests back
  Fixture f(options);
  REQUIRE(options.max_writes_in_flight == 4);
  Json body = parse(R"({"metadata":{"name":"s"}})");
  std::vector<Captured> throttled(4), others(4);
  for (int i = 0; i < 4; ++i) f.client->create(kSecrets, "throttled-" + std::to_string(i), body, throttled[i].callback());
  for (int i = 0; i < 4; ++i) f.client->create(kSecrets, "other-" + std::to_string(i), body, others[i].callback());
  f.pump();
  REQUIRE(f.api.sent.size() == 4);
  for (size_t i = 0; i < 4; ++i) f.api.reply(i, response(429, "", {{"Retry-After", "1"}}));
  f.pump();
  REQUIRE(f.api.sent.size() == 8);  // the other namespaces' writes, while the throttled ones wait
  for (size_t i = 4; i < 8; ++i) {
    CHECK(f.api.sent[i].request.target == "/api/v1/namespaces/other-" + std::to_string(i - 4) + "/secrets");
    f.api.reply(i, response(201, "{}"));
    CHECK(others[i - 4].result.ok());
  }
  f.pump();
  CHECK(f.api.sent.size() == 8);
  f.clock.advance(1'000);
  f.pump();
  REQUIRE(f.api.sent.size() == 12);  // each throttled write once more, in order
  for (size_t i = 8; i < 12; ++i) {
    CHECK(f.api.sent[i].request.target == "/api/v1/namespaces/throttled-" + std::to_string(i - 8) + "/secrets");
    f.api.reply(i, response(201, "{}"));
    CHECK(throttled[i - 8].result.ok());
  }
  CHECK(f.client->request_counts().create == 12);
}

TEST_CASE("client: a write due after Retry-After takes its place again ahead of later writes") {
  ClientOptions options;
  options.qps = 0;
  options.max_writes_in_flight = 1;
  Fixture f(options);
  Json body = parse(R"({"metadata":{"name":"s"}})");
  std::vector<Captured> got(3);
  for (int i = 0; i < 3; ++i) f.client->create(kSecrets, "ns-" + std::to_string(i), body, got[i].callback());
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  f.api.reply(0, response(503, "", {{"Retry-After", "1"}}));
  f.pump();
  REQUIRE(f.api.sent.size() == 2);  // the window's one place went to the next write
  CHECK(f.api.sent[1].request.target == "/api/v1/namespaces/ns-1/secrets");
  f.clock.advance(1'000);
  f.pump();
  CHECK(f.api.sent.size() == 2);  // due, but the window is full: it waits for a place
  f.api.reply(1, response(201, "{}"));
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.api.sent[2].request.target == "/api/v1/namespaces/ns-0/secrets");  // before ns-2: submitted first
  f.api.reply(2, response(201, "{}"));
  f.pump();
  REQUIRE(f.api.sent.size() == 4);
  CHECK(f.api.sent[3].request.target == "/api/v1/namespaces/ns-2/secrets");
  f.api.reply(3, response(201, "{}"));
  for (const Captured& g : got) CHECK(g.result.ok());
}

TEST_CASE("client: request counts add up across clients") {
  RequestCounts a, b;
  a.get = 1;
  a.answered[{Verb::Get, 200}] = 1;
  b.get = 2;
  b.update = 3;
  b.answered[{Verb::Get, 200}] = 2;
  b.answered[{Verb::Update, 409}] = 1;
  a += b;
  CHECK(a.get == 3);
  CHECK(a.update == 3);
  const std::map<std::pair<Verb, int>, uint64_t> expected = {{{Verb::Get, 200}, 3}, {{Verb::Update, 409}, 1}};
  CHECK(a.answered == expected);
}

TEST_CASE("client: a low-priority status write waits until no normal request is waiting") {
  ClientOptions options;
  options.qps = 2;
  options.burst = 2;
  Fixture f(options);
  Json body = parse(R"({"metadata":{"name":"r"}})");
  std::vector<Captured> got(4);
  f.client->create(kSecrets, "a", body, got[0].callback());
  f.client->create(kSecrets, "b", body, got[1].callback());
  f.client->update_status(kImagePullSecrets, "", "r", body, got[2].callback(), Priority::Low);
  f.pump();
  CHECK(f.api.sent.size() == 2);  // the burst went to the Secret writes
  f.client->create(kSecrets, "c", body, got[3].callback());  // later, yet before the status
  f.clock.advance(500);
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.api.sent[2].request.target == "/api/v1/namespaces/c/secrets");
  f.clock.advance(499);
  f.pump();
  CHECK(f.api.sent.size() == 3);
  f.clock.advance(1);
  f.pump();
  REQUIRE(f.api.sent.size() == 4);
  CHECK(f.api.sent[3].request.target == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/r/status");
  // It took its token: the next normal request waits for a fresh one.
  Captured next;
  f.client->create(kSecrets, "d", body, next.callback());
  f.pump();
  CHECK(f.api.sent.size() == 4);
}

// qps 2, burst 1: a token every 500 ms. In both tests the low-priority status write went out
// with the spare token at t=0, and Secret create "a" reserved the next one (t=500).
TEST_CASE("client: a low-priority write re-sent after Retry-After is still low priority") {
  ClientOptions options;
  options.qps = 2;
  options.burst = 1;
  Fixture f(options);
  Json body = parse(R"({"metadata":{"name":"r"}})");
  Captured status, a, b, c;
  f.client->update_status(kImagePullSecrets, "", "r", body, status.callback(), Priority::Low);
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  f.client->create(kSecrets, "a", body, a.callback());
  f.api.reply(0, response(429, "", {{"Retry-After", "1"}}));
  f.clock.advance(500);
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  CHECK(f.api.sent[1].request.target == "/api/v1/namespaces/a/secrets");
  f.client->create(kSecrets, "b", body, b.callback());  // reserves the token of t=1000
  f.clock.advance(500);
  f.pump();  // t=1000: the status write is due again, and "b" takes the token
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.api.sent[2].request.target == "/api/v1/namespaces/b/secrets");
  f.client->create(kSecrets, "c", body, c.callback());  // later, yet before the status write
  f.clock.advance(500);
  f.pump();
  REQUIRE(f.api.sent.size() == 4);
  CHECK(f.api.sent[3].request.target == "/api/v1/namespaces/c/secrets");
  f.clock.advance(500);
  f.pump();
  REQUIRE(f.api.sent.size() == 5);
  CHECK(f.api.sent[4].request.target == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/r/status");
  f.api.reply(4, response(200, "{}"));
  CHECK(status.result.ok());
  CHECK(f.client->request_counts().update == 2);
}

TEST_CASE("client: a low-priority write re-sent after a 401 is still low priority") {
  ClientOptions options;
  options.qps = 2;
  options.burst = 1;
  Fixture f(options);
  Json body = parse(R"({"metadata":{"name":"r"}})");
  Captured status, a, b;
  f.client->update_status(kImagePullSecrets, "", "r", body, status.callback(), Priority::Low);
  f.pump();
  REQUIRE(f.api.sent.size() == 1);
  f.client->create(kSecrets, "a", body, a.callback());
  f.api.reply(0, response(401, R"({"kind":"Status","reason":"Unauthorized","code":401})"));
  f.client->create(kSecrets, "b", body, b.callback());  // after the 401, yet before the status write
  f.pump();
  CHECK(f.api.sent.size() == 1);
  f.clock.advance(500);
  f.pump();
  REQUIRE(f.api.sent.size() == 2);
  CHECK(f.api.sent[1].request.target == "/api/v1/namespaces/a/secrets");
  f.clock.advance(500);
  f.pump();
  REQUIRE(f.api.sent.size() == 3);
  CHECK(f.api.sent[2].request.target == "/api/v1/namespaces/b/secrets");
  f.clock.advance(500);
  f.pump();
  REQUIRE(f.api.sent.size() == 4);
  CHECK(f.api.sent[3].request.target == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/r/status");
  f.api.reply(3, response(200, "{}"));
  CHECK(status.result.ok());
}

TEST_CASE("client: answers are counted by verb and HTTP status, retries and failures included") {
  Fixture f;
  Captured retried, missing, refused, created, queued;
  f.client->get(kSecrets, "app", "db", retried.callback());
  f.client->get(kSecrets, "app", "gone", missing.callback());
  f.client->list(kSecrets, "app", ListOptions{}, refused.callback());
  f.client->create(kSecrets, "app", parse(R"({"metadata":{"name":"db"}})"), created.callback());
  f.client->remove(kSecrets, "app", "db", Preconditions{}, queued.callback());
  f.pump();
  REQUIRE(f.api.sent.size() == 5);
  f.api.reply(0, response(429, "", {{"Retry-After", "1"}}));
  f.api.reply(1, response(404, R"({"kind":"Status","reason":"NotFound","code":404})"));
  f.api.fail(2, make_error(ErrorKind::Transient, "connection refused", 111));
  f.api.reply(3, response(201, "{}"));
  f.clock.advance(1'000);
  f.pump();
  REQUIRE(f.api.sent.size() == 6);
  f.api.reply(5, response(200, "{}"));
  REQUIRE(retried.result.ok());

  const RequestCounts& counts = f.client->request_counts();
  const std::map<std::pair<Verb, int>, uint64_t> expected = {{{Verb::Get, 429}, 1},
                                                             {{Verb::Get, 200}, 1},
                                                             {{Verb::Get, 404}, 1},
                                                             {{Verb::List, kNoAnswer}, 1},
                                                             {{Verb::Create, 201}, 1}};
  CHECK(counts.answered == expected);  // the DELETE is still unanswered
  CHECK(counts.get == 3);
  CHECK(counts.remove == 1);
}

TEST_CASE("client: verb names are Kubernetes' lower-case verbs") {
  CHECK(std::string(verb_name(Verb::Get)) == "get");
  CHECK(std::string(verb_name(Verb::List)) == "list");
  CHECK(std::string(verb_name(Verb::Watch)) == "watch");
  CHECK(std::string(verb_name(Verb::Create)) == "create");
  CHECK(std::string(verb_name(Verb::Update)) == "update");
  CHECK(std::string(verb_name(Verb::Patch)) == "patch");
  CHECK(std::string(verb_name(Verb::Delete)) == "delete");
}

TEST_CASE("client: destroying the client drops queued and in-flight requests silently") {
  Fixture f;
  Captured a, b;
  f.client->get(kNamespaces, "", "a", a.callback());
  f.pump();
  f.client->get(kNamespaces, "", "b", b.callback());
  f.client.reset();
  f.pump();
  CHECK(f.api.sent.size() == 1);
  CHECK(f.api.sent[0].cancelled);
  CHECK(!a.called);
  CHECK(!b.called);
}
