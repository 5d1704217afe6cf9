// LeaderElector against a fake LeaseApi whose answers the tests give by hand, on a ManualClock.
#include "kube/leader_election.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "obs/log.h"

using namespace imps;
using namespace imps::kube;

namespace {

constexpr Millis kLease = 15'000, kRenew = 10'000, kRetry = 2'000;

struct FakeLeaseApi : LeaseApi {
  struct Call {
    std::string verb;  // get, create, update
    Json body;
    Client::JsonCallback done;
  };
  std::vector<Call> calls;

  void get(std::string_view, std::string_view, Client::JsonCallback done) override {
    calls.push_back({"get", Json(), std::move(done)});
  }
  void create(std::string_view, const Json& lease, Client::JsonCallback done) override {
    calls.push_back({"create", Json(cJSON_Duplicate(lease.get(), true)), std::move(done)});
  }
  void update(std::string_view, std::string_view, const Json& lease, Client::JsonCallback done) override {
    calls.push_back({"update", Json(cJSON_Duplicate(lease.get(), true)), std::move(done)});
  }
};

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeLeaseApi api;
  Random random{42};
  int started = 0, stopped = 0;
  LeaderElector elector{loop, api, random,
                        LeaderElectionConfig{"ops", std::string(kLeaseName), "me_1", kLease, kRenew, kRetry},
                        LeaderCallbacks{[this] { ++started; }, [this] { ++stopped; }}};

  Fixture() { obs::configure_logging(obs::LogLevel::Error, obs::LogFormat::Json); }

  void pump() { REQUIRE(loop.run_once(0).ok()); }
  void advance(Millis ms) {
    clock.advance(ms);
    pump();
  }
  FakeLeaseApi::Call& last() {
    REQUIRE(!api.calls.empty());
    return api.calls.back();
  }
  void reply(Result<Json> result) {
    auto done = std::move(last().done);
    done(std::move(result));
  }
  void reply_json(const std::string& text) { reply(Json::parse(text).value()); }
  // The server's answer to a write: the body it got, with a new resourceVersion.
  void accept_write(const char* rv) {
    Json stored(cJSON_Duplicate(last().body.get(), true));
    json_set_string(cJSON_GetObjectItemCaseSensitive(stored.get(), "metadata"), "resourceVersion", rv);
    reply(std::move(stored));
  }
  std::string spec(const char* key) { return json_string_or(json_member(last().body.get(), "spec"), key); }
  double spec_number(const char* key) {
    return json_number(json_member(last().body.get(), "spec"), key).value_or(-99);
  }
  // Becomes leader through a fresh Lease (404 → create).
  void lead() {
    elector.start();
    pump();
    reply(make_error(ErrorKind::NotFound, "leases not found", 404));
    accept_write("1");
    REQUIRE(elector.leading());
  }
};

std::string other_lease(const char* holder, const char* renew, int transitions = 3) {
  return std::string(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",)"
                     R"("metadata":{"name":"73de1ad9.banzaicloud.io","namespace":"ops","resourceVersion":"50"},)"
                     R"("spec":{"holderIdentity":")") +
         holder + R"(","leaseDurationSeconds":15,"acquireTime":"2020-01-01T00:00:00.000000Z","renewTime":")" +
         renew + R"(","leaseTransitions":)" + std::to_string(transitions) +
         R"(,"strategy":"OldestEmulationVersion","preferredHolder":"x"}})";
}

}  // namespace

TEST_CASE("no Lease yet: GET 404 → create with us as holder → leading") {
  Fixture f;
  f.elector.start();
  CHECK(f.api.calls.empty());  // never from inside start()
  f.pump();
  REQUIRE(f.api.calls.size() == 1);
  CHECK(f.last().verb == "get");
  f.reply(make_error(ErrorKind::NotFound, "not found", 404));
  REQUIRE(f.api.calls.size() == 2);
  CHECK(f.last().verb == "create");
  CHECK(json_string_or(json_member(f.last().body.get(), "metadata"), "name") == "73de1ad9.banzaicloud.io");
  CHECK(json_string_or(json_member(f.last().body.get(), "metadata"), "namespace") == "ops");
  CHECK(f.spec("holderIdentity") == "me_1");
  CHECK(f.spec_number("leaseDurationSeconds") == 15);
  CHECK(f.spec_number("leaseTransitions") == 0);
  CHECK(f.spec("acquireTime") == f.spec("renewTime"));
  CHECK(f.spec("renewTime") == "2023-11-14T22:13:20.000000Z");  // MicroTime: six digits, UTC
  CHECK(f.started == 0);
  f.accept_write("1");
  CHECK(f.elector.leading());
  CHECK(f.started == 1);
  CHECK(f.elector.healthy());
}

TEST_CASE("a Lease held by another is taken only after it stayed unchanged for its duration, on our clock") {
  Fixture f;
  f.elector.start();
  f.pump();
  // renewTime is years in the past by our wall clock: skew must not matter, only observation.
  f.reply_json(other_lease("them_2", "2020-01-01T00:00:00.000000Z"));
  CHECK(f.api.calls.size() == 1);
  CHECK(!f.elector.leading());
  CHECK(f.elector.healthy());  // a standby that hears from the server is ready

  // Retries come every retry period with jitter in [1, 2.2) × retry.
  f.advance(kRetry - 1);
  CHECK(f.api.calls.size() == 1);
  Millis waited = kRetry - 1;
  while (f.api.calls.size() == 1 && waited < kRetry * 23 / 10) {
    f.advance(100);
    waited += 100;
  }
  REQUIRE(f.api.calls.size() == 2);
  CHECK(waited >= kRetry);
  CHECK(waited <= kRetry * 22 / 10 + 100);
  f.reply_json(other_lease("them_2", "2020-01-01T00:00:00.000000Z"));
  CHECK(f.api.calls.size() == 2);

  // Past the lease duration since we first saw this spec: take over.
  for (int i = 0; i < 10 && f.last().verb == "get"; ++i) {
    f.advance(kRetry * 22 / 10);
    if (f.last().done) f.reply_json(other_lease("them_2", "2020-01-01T00:00:00.000000Z"));
  }
  REQUIRE(f.last().verb == "update");
  CHECK(f.spec("holderIdentity") == "me_1");
  CHECK(f.spec_number("leaseTransitions") == 4);
  CHECK(f.spec("acquireTime") == f.spec("renewTime"));
  CHECK(f.spec("strategy") == "OldestEmulationVersion");  // unknown and newer fields are kept
  CHECK(f.spec("preferredHolder") == "x");
  CHECK(json_string_or(json_member(f.last().body.get(), "metadata"), "resourceVersion") == "50");
  f.accept_write("51");
  CHECK(f.elector.leading());
  CHECK(f.started == 1);
}

TEST_CASE("a holder that keeps renewing is never taken over; a conflict on takeover means we lost the race") {
  Fixture f;
  f.elector.start();
  f.pump();
  int renewal = 0;
  for (int i = 0; i < 20; ++i) {
    if (f.last().done) {
      std::string stamp = "2020-01-01T00:00:" + std::to_string(10 + renewal++) + ".000000Z";
      f.reply_json(other_lease("them_2", stamp.c_str()));
    }
    f.advance(kRetry * 22 / 10);
  }
  for (const auto& call : f.api.calls) CHECK(call.verb == "get");

  Fixture g;
  g.elector.start();
  g.pump();
  g.reply_json(other_lease("", "2020-01-01T00:00:00.000000Z"));  // released: free at once
  REQUIRE(g.last().verb == "update");
  g.reply(make_error(ErrorKind::Conflict, "the object has been modified", 409));
  CHECK(!g.elector.leading());
  CHECK(g.started == 0);
  g.advance(kRetry * 22 / 10);
  CHECK(g.last().verb == "get");
}

TEST_CASE("leading: renew through the cached Lease, falling back to GET when that write fails") {
  Fixture f;
  f.lead();
  const std::string acquired = f.spec("acquireTime");
  f.advance(kRetry - 1);
  CHECK(f.api.calls.size() == 2);
  f.advance(1);
  REQUIRE(f.api.calls.size() == 3);
  CHECK(f.last().verb == "update");  // fast path: no GET
  CHECK(json_string_or(json_member(f.last().body.get(), "metadata"), "resourceVersion") == "1");
  CHECK(f.spec("acquireTime") == acquired);
  CHECK(f.spec("renewTime") != acquired);
  CHECK(f.spec_number("leaseTransitions") == 0);
  f.reply(make_error(ErrorKind::Conflict, "modified", 409));
  REQUIRE(f.api.calls.size() == 4);
  CHECK(f.last().verb == "get");
  f.reply_json(other_lease("me_1", "2023-11-14T22:13:22.000000Z", 0));
  REQUIRE(f.api.calls.size() == 5);
  CHECK(f.last().verb == "update");
  CHECK(f.spec_number("leaseTransitions") == 0);  // still ours: no transition
  CHECK(f.spec("acquireTime") == "2020-01-01T00:00:00.000000Z");
  f.accept_write("60");
  CHECK(f.elector.leading());
  CHECK(f.started == 1);
}

TEST_CASE("leading: no successful renew within the renew deadline → stop leading and stop sending") {
  Fixture f;
  f.lead();
  Millis elapsed = 0;
  while (f.stopped == 0 && elapsed < kLease) {
    f.advance(500);
    elapsed += 500;
    if (f.last().done) f.reply(make_error(ErrorKind::Transient, "internal error", 500));
  }
  CHECK(f.stopped == 1);
  CHECK(elapsed == kRenew);
  CHECK(!f.elector.leading());
  CHECK(!f.elector.healthy());
  const size_t sent = f.api.calls.size();
  f.advance(kLease);
  CHECK(f.api.calls.size() == sent);
}

TEST_CASE("leading: a renew that hangs past the deadline still steps down, and its late answer is ignored") {
  Fixture f;
  f.lead();
  f.advance(kRetry);
  REQUIRE(f.last().verb == "update");
  f.advance(kRenew - kRetry);
  CHECK(f.stopped == 1);
  f.accept_write("9");
  CHECK(!f.elector.leading());
  CHECK(f.started == 1);
}

TEST_CASE("release while leading writes holder \"\" with a 1 s lease, transitions kept; otherwise nothing") {
  Fixture f;
  f.lead();
  bool done = false;
  f.elector.release([&] { done = true; });
  REQUIRE(f.last().verb == "update");
  CHECK(f.spec("holderIdentity").empty());
  CHECK(f.spec_number("leaseDurationSeconds") == 1);
  CHECK(f.spec_number("leaseTransitions") == 0);
  CHECK(f.spec("acquireTime") == f.spec("renewTime"));
  CHECK(!done);
  f.accept_write("2");
  CHECK(done);
  CHECK(f.stopped == 0);  // release is the caller's decision, not a loss
  const size_t sent = f.api.calls.size();
  f.advance(kLease);
  CHECK(f.api.calls.size() == sent);

  Fixture g;
  g.elector.start();
  g.pump();
  bool released = false;
  g.elector.release([&] { released = true; });
  g.reply_json(other_lease("them", "2020-01-01T00:00:00.000000Z"));  // the in-flight GET answers late
  CHECK(!released);
  g.pump();
  CHECK(released);
  CHECK(g.api.calls.size() == 1);
}

TEST_CASE("malformed Lease bodies count as expired and are rewritten whole") {
  for (const char* body : {R"({"metadata":{"name":"l"},"spec":"nonsense"})", R"({"metadata":{"name":"l"}})",
                           R"({"metadata":{"name":"l"},"spec":{"holderIdentity":7,"leaseDurationSeconds":"x"}})"}) {
    Fixture f;
    f.elector.start();
    f.pump();
    f.reply_json(body);
    REQUIRE(f.last().verb == "update");
    CHECK(f.spec("holderIdentity") == "me_1");
    CHECK(f.spec_number("leaseDurationSeconds") == 15);
  }
}

TEST_CASE("a standby that cannot reach the server is not healthy") {
  Fixture f;
  CHECK(!f.elector.healthy());
  f.elector.start();
  f.pump();
  f.reply(make_error(ErrorKind::Transient, "connection refused"));  // no HTTP answer
  CHECK(!f.elector.healthy());
  f.advance(kRetry * 22 / 10);
  f.reply(make_error(ErrorKind::Forbidden, "forbidden", 403));
  CHECK(f.elector.healthy());
  f.advance(kLease);
  CHECK(!f.elector.healthy());
}

TEST_CASE("identity and Lease namespace") {
  Random random(1);
  const std::string a = make_identity("imps-7c9d-abcde", random);
  const std::string b = make_identity("imps-7c9d-abcde", random);
  CHECK(a.rfind("imps-7c9d-abcde_", 0) == 0);
  CHECK(a.size() == std::string("imps-7c9d-abcde_").size() + 16);
  CHECK(a != b);

  CHECK(lease_namespace("ops", "imps-system") == "ops");
  CHECK(lease_namespace("", "imps-system") == "imps-system");
  CHECK(lease_namespace("", "") == "default");
}

TEST_CASE("release with a stale cached Lease re-reads it and releases the server's copy if still ours") {
  Fixture f;
  f.lead();
  f.advance(kRetry);
  REQUIRE(f.last().verb == "update");  // a renew in flight...
  auto renew = std::move(f.last().done);
  bool done = false;
  f.elector.release([&] { done = true; });  // ...when SIGTERM arrives
  renew(Json::parse(other_lease("me_1", "2023-11-14T22:13:22.000000Z", 0)).value());  // ignored
  REQUIRE(f.last().verb == "update");
  CHECK(f.spec("holderIdentity").empty());
  f.reply(make_error(ErrorKind::Conflict, "modified", 409));
  REQUIRE(f.last().verb == "get");
  f.reply_json(other_lease("me_1", "2023-11-14T22:13:22.000000Z", 0));
  REQUIRE(f.last().verb == "update");
  CHECK(f.spec("holderIdentity").empty());
  CHECK(f.spec_number("leaseDurationSeconds") == 1);
  CHECK(json_string_or(json_member(f.last().body.get(), "metadata"), "resourceVersion") == "50");
  CHECK(!done);
  f.accept_write("51");
  CHECK(done);

  Fixture g;
  g.lead();
  bool released = false;
  g.elector.release([&] { released = true; });
  g.reply(make_error(ErrorKind::Conflict, "modified", 409));
  g.reply_json(other_lease("someone_else", "2023-11-14T22:13:22.000000Z"));  // not ours any more
  CHECK(released);
  CHECK(g.last().verb == "get");
}
