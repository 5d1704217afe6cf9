// The reconciler against a fake API: AlreadyExists on create of somebody else's Secret, the
// conflict reported in status (through the coalescing StatusWriter), and a repeat reconcile of
// an unchanged world sending nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "kube/fake_transport.h"
#include "modes/reconciler.h"
#include "obs/log.h"

using namespace imps;
using namespace imps::modes;
using namespace imps::kube::testing;

namespace {

// No resource here uses ECR; a fetch would be a test bug.
class NoFetcher : public aws::TokenFetcher {
 public:
  void fetch(const aws::CredentialSet&, Done) override { FAIL("unexpected ECR fetch"); }
};

constexpr const char* kResource = R"({"metadata":{"name":"r","uid":"r-uid","resourceVersion":"5",
  "creationTimestamp":"2024-01-01T00:00:00Z"},"spec":{"registry":{"credentials":[{"namespace":"src","name":"docker"}]},
  "target":{"secret":{"name":"pull"},"namespaces":{"names":["a"]}}}})";

constexpr const char* kAlreadyExists = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
  "message":"secrets \"pull\" already exists","reason":"AlreadyExists","code":409})";

constexpr const char* kForeignSecret = R"({"kind":"Secret","apiVersion":"v1","type":"Opaque",
  "metadata":{"name":"pull","namespace":"a","uid":"s-uid","resourceVersion":"9"},"data":{"x":"eA=="}})";

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeApi api;
  Random random{3};
  obs::Registry registry;
  kube::Client client{loop, std::make_unique<FakeTransport>(api), kube::TokenSource()};
  NoFetcher fetcher;
  EcrTokens ecr{loop, fetcher, random, registry};
  SourceWatches sources{loop, client, random, SourceWatchHandlers{[](auto&, auto&) {}, [](auto&) {}}};
  ControllerCache cache;
  EventRecorder events{client, clock};
  StatusWriter status{loop, client, cache, 1'000};
  Reconciler reconciler{client, cache, sources, ecr, events, status, clock};
  std::vector<ReconcileResult> results;

  Fixture() {
    obs::configure_logging(obs::LogLevel::Error, obs::LogFormat::Json);
    auto resource = parse_image_pull_secret(std::string_view(kResource));
    REQUIRE(resource.ok());
    cache.resources.emplace("r", std::move(resource).value());
    cache.namespaces.set("a", {});
  }
  void reconcile() {
    reconcile_namespace("");
  }
  void reconcile_namespace(std::string_view ns) {
    reconciler.reconcile("r", ns, [this](ReconcileResult r) { results.push_back(std::move(r)); });
    pump();
  }
  void pump() {
    for (int i = 0; i < 5; ++i) REQUIRE(loop.run_once(0).ok());
  }
  // Index of the last request with this method whose target contains `part`.
  size_t find(std::string_view method, std::string_view part) {
    for (size_t i = api.sent.size(); i-- > 0;)
      if (api.sent[i].request.method == method && api.sent[i].request.target.find(part) != std::string::npos) return i;
    FAIL("no " << method << " " << part);
    return 0;
  }
};

}  // namespace

TEST_CASE("reconciler: a foreign Secret found on create is left alone and reported; a repeat sends nothing") {
  Fixture f;
  f.reconcile();
  size_t create = f.find("POST", "/namespaces/a/secrets");
  size_t event = f.find("POST", "/namespaces/default/events");
  f.api.reply(event, response(201, "{}"));
  f.api.reply(create, response(409, kAlreadyExists));
  f.pump();
  size_t get = f.find("GET", "/namespaces/a/secrets/pull");
  f.api.reply(get, response(200, kForeignSecret));
  f.pump();
  // The reconcile ends with its Secret requests; the missing source makes the status Failed too,
  // and the writer sends it at once (nothing was written before).
  REQUIRE(f.results.size() == 1);
  size_t first_status = f.find("PUT", "/imagepullsecrets/r/status");
  f.cache.resources.at("r").status =
      parse_status(json_member(Json::parse(f.api.sent[first_status].request.body)->get(), "status"));
  f.api.reply(first_status, response(200, "{}"));
  f.pump();
  CHECK(f.results[0].status.ok());
  CHECK(f.results[0].again);
  CHECK(f.cache.foreign.count("a/pull") == 1);
  CHECK(f.cache.managed.empty());

  size_t before = f.api.sent.size();
  f.reconcile();
  REQUIRE(f.results.size() == 2);
  // A second status within the writer's interval waits for it to pass.
  CHECK(f.find("PUT", "/imagepullsecrets/r/status") == first_status);
  f.clock.advance(1'000);
  f.pump();
  size_t status = f.find("PUT", "/imagepullsecrets/r/status");
  CHECK(status >= before);
  for (size_t i = before; i < f.api.sent.size(); ++i)
    CHECK(f.api.sent[i].request.target.find("/secrets") == std::string::npos);  // no Secret writes
  auto body = Json::parse(f.api.sent[status].request.body);
  REQUIRE(body.ok());
  const cJSON* written = json_member(body->get(), "status");
  CHECK(json_string_or(written, "status") == "Failed");
  CHECK(json_string_or(written, "reason").find("a/pull exists and is not managed by imps") != std::string::npos);
  CHECK(json_string_or(json_member(body->get(), "metadata"), "resourceVersion") == "5");

  // The status write answered: the cache now holds it, as the watch would.
  f.cache.resources.at("r").status = parse_status(written);
  f.api.reply(status, response(200, "{}"));
  for (size_t i = before; i < f.api.sent.size(); ++i)
    if (f.api.sent[i].done) f.api.reply(i, response(201, "{}"));
  f.pump();

  before = f.api.sent.size();
  f.reconcile();
  CHECK(f.api.sent.size() == before);  // same plan, same status, events already sent this period
  REQUIRE(f.results.size() == 3);
  CHECK(f.results[2].status.ok());
}

TEST_CASE("reconciler: a failed create is an error to retry and a SecretReconciliationError event") {
  Fixture f;
  f.reconcile();
  size_t create = f.find("POST", "/namespaces/a/secrets");
  f.api.fail(create, make_error(ErrorKind::Forbidden, "secrets is forbidden", 403));
  f.pump();
  std::vector<std::string> reasons;
  for (const Exchange& e : f.api.sent)
    if (e.request.target.find("/namespaces/default/events") != std::string::npos)
      reasons.push_back(json_string_or(Json::parse(e.request.body)->get(), "reason"));
  CHECK(std::count(reasons.begin(), reasons.end(), "SecretReconciliationError") == 1);
  REQUIRE(f.results.size() == 1);
  size_t status = f.find("PUT", "/imagepullsecrets/r/status");
  auto written = Json::parse(f.api.sent[status].request.body);
  CHECK(json_string_or(json_member(written->get(), "status"), "reason").find("forbidden") != std::string::npos);
  CHECK_FALSE(f.results[0].status.ok());
  CHECK(f.results[0].status.error().kind == ErrorKind::Forbidden);
}

TEST_CASE("reconciler: a resource that is gone needs nothing") {
  Fixture f;
  f.cache.resources.clear();
  f.reconcile();
  REQUIRE(f.results.size() == 1);
  CHECK_FALSE(f.results[0].reconciled);
  CHECK(f.api.sent.empty());
}

TEST_CASE("reconciler: a failing source keeps the target's entries: one GET, no Secret write") {
  Fixture f;
  const ImagePullSecret& resource = f.cache.resources.at("r");
  DesiredSecret desired = desired_secret(resource, R"({"auths":{"kept.example.com":{"auth":"a2VwdA=="}}})");
  Json secret = create_body(desired, "a");
  cJSON* meta = cJSON_GetObjectItemCaseSensitive(secret.get(), "metadata");
  json_set_string(meta, "uid", "s-uid");
  json_set_string(meta, "resourceVersion", "7");
  auto observed = observe_secret(secret.get());
  REQUIRE(observed.ok());
  f.cache.store_managed(std::move(observed).value());

  f.reconcile();  // the source src/docker does not exist
  size_t get = f.find("GET", "/namespaces/a/secrets/pull");
  f.api.reply(get, response(200, secret.dump()));
  f.pump();
  size_t status = f.find("PUT", "/imagepullsecrets/r/status");
  auto body = Json::parse(f.api.sent[status].request.body);
  REQUIRE(body.ok());
  const cJSON* written = json_member(body->get(), "status");
  CHECK(json_string_or(written, "status") == "Failed");
  CHECK(json_string_or(written, "reason").find("source src.docker") != std::string::npos);
  f.cache.resources.at("r").status = parse_status(written);
  f.api.reply(status, response(200, "{}"));
  f.pump();
  for (const Exchange& e : f.api.sent) {
    const bool secret_write = e.request.target.find("/secrets") != std::string::npos && e.request.method != "GET";
    CHECK_MESSAGE(!secret_write, e.request.method << " " << e.request.target);
  }
  REQUIRE(f.results.size() == 1);
  CHECK(f.results[0].status.ok());
  CHECK(f.results[0].requeue_after_ms == 0);  // nothing kept expires

  // The Secret's data is unchanged: its document is known, no second GET.
  size_t before = f.api.sent.size();
  f.reconcile();
  for (size_t i = before; i < f.api.sent.size(); ++i) CHECK(f.api.sent[i].request.target.find("/secrets") == std::string::npos);
  REQUIRE(f.results.size() == 2);
}

TEST_CASE("reconciler: when the current Secret cannot be read nothing is written and the reconcile is retried") {
  Fixture f;
  const ImagePullSecret& resource = f.cache.resources.at("r");
  DesiredSecret desired = desired_secret(resource, R"({"auths":{}})");
  Json secret = create_body(desired, "a");
  json_set_string(cJSON_GetObjectItemCaseSensitive(secret.get(), "metadata"), "uid", "s-uid");
  auto observed = observe_secret(secret.get());
  REQUIRE(observed.ok());
  f.cache.store_managed(std::move(observed).value());
  f.reconcile();
  f.api.reply(f.find("GET", "/namespaces/a/secrets/pull"), response(500, R"({"kind":"Status","code":500})"));
  f.pump();
  REQUIRE(f.results.size() == 1);
  CHECK(!f.results[0].status.ok());
  for (const Exchange& e : f.api.sent) CHECK(e.request.target.find("/imagepullsecrets") == std::string::npos);
}

TEST_CASE("reconciler: a plan of one namespace widens to the whole resource when it cannot decide alone") {
  Fixture f;
  f.reconcile_namespace("a");  // no status yet (not Ready): the reason may name other namespaces
  REQUIRE(f.results.size() == 1);
  CHECK(f.results[0].widen);
  CHECK_FALSE(f.results[0].reconciled);
  f.cache.resources.at("r").status.status = "Ready";
  f.reconcile_namespace("a");  // Ready, but its source is missing: kept credentials are per resource
  REQUIRE(f.results.size() == 2);
  CHECK(f.results[1].widen);
  CHECK(f.api.sent.empty());  // nothing written, no event
}

TEST_CASE("reconciler: a plan of hundreds of writes keeps at most kActionsInFlight of them outstanding") {
  Fixture f;
  constexpr int kNamespaces = 3 * kActionsInFlight + 5;
  std::string names;
  for (int i = 0; i < kNamespaces; ++i) {
    const std::string ns = "n" + std::to_string(i);
    names += (i ? ",\"" : "\"") + ns + "\"";
    f.cache.namespaces.set(ns, {});
  }
  std::string text = kResource;
  text.replace(text.find(R"(["a"])"), 5, "[" + names + "]");
  auto many = parse_image_pull_secret(std::string_view(text));
  REQUIRE(many.ok());
  f.cache.resources.insert_or_assign("r", std::move(many).value());

  f.reconcile();
  std::set<std::string> created;
  size_t most_outstanding = 0;
  for (size_t answered = 0, rounds = 0; f.results.empty(); ++rounds) {
    REQUIRE(rounds < 1'000);  // or the reconcile is stuck
    most_outstanding = std::max(most_outstanding, f.client.outstanding_requests());
    for (size_t end = f.api.sent.size(); answered < end; ++answered) {
      Exchange& e = f.api.sent[answered];
      if (e.request.method == "POST" && e.request.target.find("/secrets") != std::string::npos)
        created.insert(e.request.target);
      f.api.reply(answered, response(201, e.request.body));  // a Secret's create answers the Secret
    }
    f.clock.advance(100);  // the client's rate limit (20 qps) lets two more through
    f.pump();
  }
  CHECK(created.size() == kNamespaces);
  // The plan's writes, plus the source's warning Event and the status write at most.
  CHECK(most_outstanding <= kActionsInFlight + 2);
  CHECK(most_outstanding >= kActionsInFlight);
  CHECK(f.results[0].status.ok());
}
