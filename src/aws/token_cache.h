// ECR authorization tokens, one per distinct credential set (keys, region, role), shared by every
// user of that set, and kept fresh on the event loop:
//  - an unknown set starts a fetch at once; until it completes token() says "pending";
//  - after a success the next fetch runs when half the token's validity has passed (validity from
//    expiresAt, kEcrAssumedValidityMs when absent);
//  - after a failure the fetch is retried with exponential backoff and equal jitter (throttling
//    starts from a longer base), while the last good token stays in use until it expires; a retry
//    is never scheduled past that expiry, so an expired token is dropped promptly;
//  - on_change(set id) fires when a set's token changed, its first fetch failed (or failed
//    differently) or its token expired unreplaced: exactly the moments its users must re-render;
//  - a set nobody asked for during idle_eviction_ms, and that the in-use predicate (when set)
//    does not claim, is dropped at its next timer instead of being fetched again, so deleted
//    sources stop costing AWS calls.
// Keys and tokens are held in memory only; set ids, logs and errors never contain them.
// Does not know how a token is fetched (TokenFetcher) nor who the users are (the caller maps ids).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aws/ecr.h"
#include "base/random.h"
#include "base/result.h"
#include "loop/event_loop.h"
#include "obs/metrics.h"

namespace imps::aws {

// What decides which token a source gets. Empty keys mean the pod's ambient identity.
struct CredentialSet {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string region;
  std::string role_arn;

  bool ambient() const { return access_key_id.empty() && secret_access_key.empty(); }
};

// "<key id or 'ambient'>/<region>[/<role arn>]#<12 hex digits>": the hash covers the secret and the
// session token, so a rotated secret is a new set, without the id revealing either.
std::string credential_set_id(const CredentialSet& set);

// An Error carrying this code was throttled by AWS (whatever the HTTP status): back off longer.
constexpr int kThrottledCode = 429;

class TokenFetcher {
 public:
  using Done = std::function<void(Result<EcrToken>)>;
  virtual ~TokenFetcher() = default;
  // Calls `done` exactly once, never from inside fetch(), and not after the fetcher is destroyed.
  virtual void fetch(const CredentialSet& set, Done done) = 0;
};

struct TokenCacheOptions {
  Millis initial_backoff_ms = 1'000;     // a network blip usually clears within a second
  Millis throttled_backoff_ms = 5'000;   // ECR's token bucket refills within seconds
  Millis max_backoff_ms = 300'000;       // no slower than the default resync
  Millis min_refresh_ms = 1'000;         // a token valid for less still must not cause a busy loop
  Millis idle_eviction_ms = 3'600'000;   // above the resync interval, so live users always touch a set
};

class TokenCache {
 public:
  using OnChange = std::function<void(const std::string& set_id)>;

  // `fetcher`, `random` and `metrics` must outlive the cache.
  TokenCache(loop::EventLoop& loop, TokenFetcher& fetcher, Random& random, obs::Registry& metrics,
             TokenCacheOptions options = {});
  ~TokenCache();
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  void on_change(OnChange handler) { on_change_ = std::move(handler); }
  // Sets for which this returns true are never dropped for idleness (their users are known).
  void keep_while(std::function<bool(const std::string& set_id)> in_use) { in_use_ = std::move(in_use); }

  // The current token of this set (expires_at_unix_ms always set), or why there is none:
  // Transient "waiting for the first ECR token" while the first fetch runs, else the last error.
  Result<EcrToken> token(const CredentialSet& set);
  // True while the set's first fetch is in flight (no token and no error yet).
  bool pending(const CredentialSet& set) const;

  // Earliest expiry of the tokens held (unix ms), 0 when none.
  int64_t earliest_expiry_ms() const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry;
  void start_fetch(const std::string& id);
  void finish_fetch(const std::string& id, Result<EcrToken> result);
  void on_timer(const std::string& id);
  Millis backoff_delay(const Entry& entry, const Error& error);
  void update_expiry_gauge();
  void notify(const std::string& id);

  loop::EventLoop& loop_;
  TokenFetcher& fetcher_;
  Random& random_;
  TokenCacheOptions options_;
  obs::Counter& refresh_success_;
  obs::Counter& refresh_failure_;
  obs::Gauge& expiry_gauge_;
  OnChange on_change_;
  std::function<bool(const std::string&)> in_use_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  // Fetch completions check this, so a cache destroyed with a fetch in flight is never touched.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace imps::aws
