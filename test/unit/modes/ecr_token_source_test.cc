#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "base/bytes.h"
#include "modes/ecr_token_source.h"

using namespace imps;
using namespace imps::modes;

namespace {

class FakeFetcher : public aws::TokenFetcher {
 public:
  void fetch(const aws::CredentialSet& set, Done done) override { calls.push_back({set, std::move(done)}); }
  void succeed(int64_t expires_at_ms) {
    Done done = std::move(calls.front().second);
    calls.pop_front();
    aws::EcrToken token;
    token.authorization_token = "QVdTOnB3";  // AWS:pw
    token.has_expiry = true;
    token.expires_at_unix_ms = expires_at_ms;
    done(token);
  }
  std::deque<std::pair<aws::CredentialSet, Done>> calls;
};

EcrSourceConfig config(std::string key, std::string region = "us-east-1") {
  EcrSourceConfig c;
  c.access_key_id = std::move(key);
  c.secret_key = "secret";
  c.region = std::move(region);
  c.account_id = "123456789012";
  return c;
}

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeFetcher fetcher;
  Random random{7};
  obs::Registry metrics;
  EcrTokens tokens{loop, fetcher, random, metrics};
  std::vector<std::string> notified;
  Fixture() {
    tokens.on_change([this](const std::string& user) { notified.push_back(user); });
  }
  void use(const std::string& user, std::vector<EcrSourceConfig> configs) {
    auto scope = tokens.user_scope(user);
    for (const auto& c : configs) (void)tokens.token_for(c);
  }
};

}  // namespace

TEST_CASE("resources sharing a credential set share one fetch and are all notified, others are not") {
  Fixture f;
  f.use("a", {config("K1")});
  f.use("b", {config("K1")});
  f.use("c", {config("K2")});
  CHECK(f.fetcher.calls.size() == 2);
  f.fetcher.succeed(f.clock.wall_unix_ms() + 3'600'000);
  CHECK(f.notified == std::vector<std::string>{"a", "b"});
  auto token = f.tokens.token_for(config("K1"));
  REQUIRE(token.ok());
  CHECK(token->authorization_token == "QVdTOnB3");
  CHECK(token->expires_at == (f.clock.wall_unix_ms() + 3'600'000) / 1000);
}

TEST_CASE("a user that stopped using a set is no longer notified") {
  Fixture f;
  f.use("a", {config("K1")});
  f.use("a", {config("K2")});  // the resource's source changed
  f.fetcher.succeed(f.clock.wall_unix_ms() + 3'600'000);  // K1's token
  CHECK(f.notified.empty());
  f.fetcher.succeed(f.clock.wall_unix_ms() + 3'600'000);  // K2's token
  CHECK(f.notified == std::vector<std::string>{"a"});
}

TEST_CASE("a set with a user survives idleness; once its last user is forgotten it is dropped") {
  ManualClock clock;
  loop::EventLoop loop{clock};
  FakeFetcher fetcher;
  Random random{7};
  obs::Registry metrics;
  aws::TokenCacheOptions options;
  options.idle_eviction_ms = 60'000;
  EcrTokens tokens{loop, fetcher, random, metrics, options};
  {
    auto scope = tokens.user_scope("a");
    (void)tokens.token_for(config("K1"));
  }
  fetcher.succeed(clock.wall_unix_ms() + 3'600'000);
  clock.advance(1'800'000);
  REQUIRE(loop.run_once(0).ok());
  REQUIRE(fetcher.calls.size() == 1);  // refreshed although not asked for in 30 minutes
  fetcher.succeed(clock.wall_unix_ms() + 3'600'000);
  tokens.forget_user("a");
  clock.advance(1'800'000);
  REQUIRE(loop.run_once(0).ok());
  CHECK(fetcher.calls.empty());  // dropped instead of refreshed
}

TEST_CASE("tokens asked for outside a scope are not attributed to anyone") {
  Fixture f;
  (void)f.tokens.token_for(config("K1"));
  f.fetcher.succeed(f.clock.wall_unix_ms() + 3'600'000);
  CHECK(f.notified.empty());
}

TEST_CASE("first tokens: fetches start for ECR sources only, and the user is notified when they arrive") {
  Fixture f;
  SourceSecret ecr{std::string(kTypeEcrLoginConfig),
                   {{"accessKeyID", base64_encode("K1")}, {"secretKey", base64_encode("s")},
                    {"region", base64_encode("us-east-1")}, {"accountID", base64_encode("123456789012")}}};
  SourceSecret docker{std::string(kTypeDockerConfigJson), {{".dockerconfigjson", base64_encode(R"({"auths":{}})")}}};
  CHECK(f.tokens.first_tokens_pending("r", {&ecr, &docker, nullptr}));
  CHECK(f.fetcher.calls.size() == 1);
  CHECK(f.tokens.first_tokens_pending("r", {&ecr}));
  CHECK(f.fetcher.calls.size() == 1);
  f.fetcher.succeed(f.clock.wall_unix_ms() + 3'600'000);
  CHECK(f.notified == std::vector<std::string>{"r"});
  CHECK(!f.tokens.first_tokens_pending("r", {&ecr, &docker}));
  CHECK(!f.tokens.first_tokens_pending("r", {&docker}));
}
