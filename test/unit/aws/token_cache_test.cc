#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "aws/token_cache.h"

using namespace imps;
using namespace imps::aws;

namespace {

constexpr Millis kHour = 3'600'000;

// Records fetches; the test completes them when it wants, from "the loop" (never inside fetch()).
class FakeFetcher : public TokenFetcher {
 public:
  struct Call {
    CredentialSet set;
    Done done;
  };
  void fetch(const CredentialSet& set, Done done) override { calls.push_back({set, std::move(done)}); }
  void succeed(int64_t expires_at_ms, std::string password = "pw") {
    REQUIRE(!calls.empty());
    Done done = std::move(calls.front().done);
    calls.pop_front();
    EcrToken token;
    token.authorization_token = "QVdTO" + password;
    token.password = std::move(password);
    token.has_expiry = expires_at_ms != 0;
    token.expires_at_unix_ms = expires_at_ms;
    done(token);
  }
  void fail(Error error) {
    REQUIRE(!calls.empty());
    Done done = std::move(calls.front().done);
    calls.pop_front();
    done(std::move(error));
  }
  std::deque<Call> calls;
};

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeFetcher fetcher;
  Random random;
  obs::Registry metrics;
  TokenCache cache;
  std::vector<std::string> changes;
  CredentialSet set{"AKIDEXAMPLE", "secret", "", "us-west-2", ""};

  explicit Fixture(TokenCacheOptions options = {}, uint64_t seed = 42)
      : random(seed), cache(loop, fetcher, random, metrics, options) {
    cache.on_change([this](const std::string& id) { changes.push_back(id); });
  }
  void advance(Millis ms) {
    clock.advance(ms);
    REQUIRE(loop.run_once(0).ok());
  }
  int64_t wall() const { return clock.wall_unix_ms(); }
  double counter(const char* result) {
    return metrics.counter("imps_ecr_token_refreshes_total", "ECR token fetches by result", {{"result", result}})
        .value();
  }
};

Error throttled() { return make_error(ErrorKind::Transient, "ThrottlingException: Rate exceeded", kThrottledCode); }

}  // namespace

TEST_CASE("credential set ids name the key, region and role but never the secret or session token") {
  CredentialSet a{"AKID1", "topsecret", "sessiontok", "eu-west-1", "arn:aws:iam::123456789012:role/x"};
  const std::string id = credential_set_id(a);
  CHECK(id.rfind("AKID1/eu-west-1/arn:aws:iam::123456789012:role/x#", 0) == 0);
  CHECK(id.find("topsecret") == std::string::npos);
  CHECK(id.find("sessiontok") == std::string::npos);
  CredentialSet rotated = a;
  rotated.secret_access_key = "othersecret";
  CHECK(credential_set_id(rotated) != id);
  CHECK(credential_set_id(CredentialSet{"", "", "", "us-east-1", ""}).rfind("ambient/us-east-1#", 0) == 0);
}

TEST_CASE("first request starts one fetch and reports pending until the token arrives") {
  Fixture f;
  auto first = f.cache.token(f.set);
  REQUIRE(!first.ok());
  CHECK(first.error().kind == ErrorKind::Transient);
  CHECK(f.cache.pending(f.set));
  CHECK(f.fetcher.calls.size() == 1);
  CHECK(!f.cache.token(f.set).ok());
  CHECK(f.fetcher.calls.size() == 1);  // no second fetch while one is in flight

  f.fetcher.succeed(f.wall() + 12 * kHour);
  CHECK(!f.cache.pending(f.set));
  auto token = f.cache.token(f.set);
  REQUIRE(token.ok());
  CHECK(token->password == "pw");
  CHECK(f.changes == std::vector<std::string>{credential_set_id(f.set)});
  CHECK(f.counter("success") == 1);
  CHECK(f.cache.earliest_expiry_ms() == f.wall() + 12 * kHour);
}

TEST_CASE("tokens refresh when half their validity has passed, not before") {
  Fixture f;
  (void)f.cache.token(f.set);
  f.fetcher.succeed(f.wall() + 12 * kHour, "one");
  f.advance(6 * kHour - 1);
  CHECK(f.fetcher.calls.empty());
  (void)f.cache.token(f.set);  // a user keeps the set alive
  f.advance(1);
  REQUIRE(f.fetcher.calls.size() == 1);
  CHECK(f.cache.token(f.set)->password == "one");  // still served while the refresh runs
  f.fetcher.succeed(f.wall() + 12 * kHour, "two");
  CHECK(f.cache.token(f.set)->password == "two");
  CHECK(f.changes.size() == 2);
}

TEST_CASE("a response without expiresAt is assumed valid for 20 minutes") {
  Fixture f;
  (void)f.cache.token(f.set);
  f.fetcher.succeed(0);
  auto token = f.cache.token(f.set);
  REQUIRE(token.ok());
  CHECK(token->expires_at_unix_ms == f.wall() + kEcrAssumedValidityMs);
  f.advance(kEcrAssumedValidityMs / 2);
  CHECK(f.fetcher.calls.size() == 1);
}

TEST_CASE("failed refreshes back off exponentially with jitter and keep the last good token until it expires") {
  Fixture f;
  (void)f.cache.token(f.set);
  f.fetcher.succeed(f.wall() + 60'000, "good");  // refresh due at 30 s, expiry at 60 s
  f.advance(30'000);
  REQUIRE(f.fetcher.calls.size() == 1);

  std::vector<Millis> delays;
  for (int i = 0; i < 4; ++i) {
    f.fetcher.fail(make_error(ErrorKind::Transient, "ServerException (HTTP 500): internal error", 500));
    CHECK(f.cache.token(f.set)->password == "good");
    Millis waited = 0;
    while (f.fetcher.calls.empty()) {
      f.advance(10);
      waited += 10;
      REQUIRE(waited < 60'000);
    }
    delays.push_back(waited);
  }
  // Equal jitter over 1 s, 2 s, 4 s, 8 s: each delay lies in [base/2, base].
  for (size_t i = 0; i < delays.size(); ++i) {
    const Millis base = 1000 << i;
    CHECK(delays[i] >= base / 2);
    CHECK(delays[i] <= base + 10);
  }
  CHECK(f.changes.size() == 1);  // failures behind a good token are not news
  CHECK(f.counter("failure") == 4);
}

TEST_CASE("when a failing set's token expires it is dropped and users are told") {
  Fixture f;
  (void)f.cache.token(f.set);
  f.fetcher.succeed(f.wall() + 4'000, "short");
  f.advance(2'000);
  REQUIRE(f.fetcher.calls.size() == 1);
  int rounds = 0;
  while (f.cache.token(f.set).ok()) {
    f.fetcher.fail(throttled());
    while (f.fetcher.calls.empty()) f.advance(10);
    REQUIRE(++rounds < 10);
  }
  // The retry was pulled in to the expiry: the failure at expiry dropped the token.
  auto now = f.cache.token(f.set);
  if (!f.fetcher.calls.empty()) f.fetcher.fail(throttled());
  now = f.cache.token(f.set);
  REQUIRE(!now.ok());
  CHECK(now.error().code == kThrottledCode);
  CHECK(f.changes.size() == 2);
  CHECK(f.cache.earliest_expiry_ms() == 0);
}

TEST_CASE("throttling backs off from a longer base") {
  Fixture f;
  (void)f.cache.token(f.set);
  f.fetcher.fail(throttled());
  Millis waited = 0;
  while (f.fetcher.calls.empty()) {
    f.advance(10);
    waited += 10;
  }
  CHECK(waited >= TokenCacheOptions{}.throttled_backoff_ms / 2);
}

TEST_CASE("a first failure is reported; the same failure again is not news, a different one is") {
  Fixture f;
  (void)f.cache.token(f.set);
  const Error bad = make_error(ErrorKind::Unauthorized, "UnrecognizedClientException (HTTP 400): invalid", 400);
  f.fetcher.fail(bad);
  auto result = f.cache.token(f.set);
  REQUIRE(!result.ok());
  CHECK(result.error().message == bad.message);
  CHECK(!f.cache.pending(f.set));
  CHECK(f.changes.size() == 1);
  while (f.fetcher.calls.empty()) f.advance(100);
  f.fetcher.fail(bad);
  CHECK(f.changes.size() == 1);
  while (f.fetcher.calls.empty()) f.advance(100);
  f.fetcher.fail(throttled());
  CHECK(f.changes.size() == 2);
  while (f.fetcher.calls.empty()) f.advance(100);
  f.fetcher.succeed(f.wall() + kHour);
  CHECK(f.cache.token(f.set).ok());
  CHECK(f.changes.size() == 3);
}

TEST_CASE("one token per credential set, shared by every user; different sets are separate") {
  Fixture f;
  for (int i = 0; i < 5; ++i) (void)f.cache.token(f.set);
  CredentialSet other = f.set;
  other.region = "cn-north-1";
  (void)f.cache.token(other);
  CredentialSet role = f.set;
  role.role_arn = "arn:aws:iam::123456789012:role/r";
  (void)f.cache.token(role);
  CHECK(f.fetcher.calls.size() == 3);
  CHECK(f.cache.size() == 3);
  CHECK(f.fetcher.calls[1].set.region == "cn-north-1");
  f.fetcher.succeed(f.wall() + 2 * kHour, "a");
  f.fetcher.succeed(f.wall() + kHour, "b");
  f.fetcher.succeed(f.wall() + 3 * kHour, "c");
  CHECK(f.cache.token(f.set)->password == "a");
  CHECK(f.cache.token(other)->password == "b");
  CHECK(f.cache.token(role)->password == "c");
  CHECK(f.cache.earliest_expiry_ms() == f.wall() + kHour);
  CHECK(f.metrics.gauge("imps_ecr_token_expiry_timestamp_seconds", "").value() ==
        doctest::Approx(static_cast<double>(f.wall() + kHour) / 1000.0));
}

TEST_CASE("a set nobody uses is dropped at its next refresh instead of being fetched") {
  TokenCacheOptions options;
  options.idle_eviction_ms = kHour;
  Fixture f(options, 1);
  (void)f.cache.token(CredentialSet{"AKID", "s", "", "us-east-1", ""});
  f.fetcher.succeed(f.wall() + 12 * kHour);
  f.advance(6 * kHour);
  CHECK(f.fetcher.calls.empty());
  CHECK(f.cache.size() == 0);
}

TEST_CASE("a set its owner claims as in use is refreshed however long since it was asked for") {
  TokenCacheOptions options;
  options.idle_eviction_ms = kHour;
  Fixture f(options, 1);
  f.cache.keep_while([](const std::string&) { return true; });
  (void)f.cache.token(CredentialSet{"AKID", "s", "", "us-east-1", ""});
  f.fetcher.succeed(f.wall() + 12 * kHour);
  f.advance(6 * kHour);
  CHECK(f.fetcher.calls.size() == 1);
  CHECK(f.cache.size() == 1);
}

TEST_CASE("a fetch completing after the cache is gone is ignored") {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeFetcher fetcher;
  Random random{1};
  obs::Registry metrics;
  {
    TokenCache cache{loop, fetcher, random, metrics};
    (void)cache.token(CredentialSet{"AKID", "s", "", "us-east-1", ""});
  }
  fetcher.succeed(clock.wall_unix_ms() + kHour);
  CHECK(fetcher.calls.empty());
}
