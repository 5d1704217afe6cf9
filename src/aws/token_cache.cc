#include "aws/token_cache.h"

#include <algorithm>

#include "aws/crypto.h"
#include "base/bytes.h"
#include "obs/log.h"

namespace imps::aws {
namespace {

// 48 bits of SHA-256 tell rotated secrets apart; collisions between live sets are not a concern.
constexpr size_t kSecretHashHexDigits = 12;
// Doubling stops here; the cap bounds the delay long before.
constexpr int kMaxBackoffDoublings = 20;

}  // namespace

std::string credential_set_id(const CredentialSet& set) {
  std::string id = set.ambient() ? std::string("ambient") : set.access_key_id;
  id += "/" + set.region;
  if (!set.role_arn.empty()) id += "/" + set.role_arn;
  std::string material = set.secret_access_key;
  material.push_back('\0');
  material += set.session_token;
  id += "#" + hex_encode(sha256(material)).substr(0, kSecretHashHexDigits);
  return id;
}

struct TokenCache::Entry {
  CredentialSet set;
  std::optional<EcrToken> token;
  std::optional<Error> error;  // the last failure; cleared by a success
  bool in_flight = false;
  int failures = 0;            // consecutive
  Millis last_used = 0;
  loop::Timer timer;
};

TokenCache::TokenCache(loop::EventLoop& loop, TokenFetcher& fetcher, Random& random, obs::Registry& metrics,
                       TokenCacheOptions options)
    : loop_(loop),
      fetcher_(fetcher),
      random_(random),
      options_(options),
      refresh_success_(metrics.counter("imps_ecr_token_refreshes_total", "ECR token fetches by result",
                                       {{"result", "success"}})),
      refresh_failure_(metrics.counter("imps_ecr_token_refreshes_total", "ECR token fetches by result",
                                       {{"result", "failure"}})),
      expiry_gauge_(metrics.gauge("imps_ecr_token_expiry_timestamp_seconds",
                                  "Unix time when the earliest ECR token held expires (0: none held)")) {}

TokenCache::~TokenCache() { *alive_ = false; }

Result<EcrToken> TokenCache::token(const CredentialSet& set) {
  const std::string id = credential_set_id(set);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    auto entry = std::make_unique<Entry>();
    entry->set = set;
    entry->timer.bind(loop_);
    it = entries_.emplace(id, std::move(entry)).first;
    start_fetch(id);
  }
  Entry& entry = *it->second;
  entry.last_used = loop_.now();
  if (entry.token && loop_.clock().wall_unix_ms() < entry.token->expires_at_unix_ms) return *entry.token;
  if (entry.error) return *entry.error;
  return make_error(ErrorKind::Transient, "waiting for the first ECR token");
}

bool TokenCache::pending(const CredentialSet& set) const {
  auto it = entries_.find(credential_set_id(set));
  return it != entries_.end() && !it->second->token && !it->second->error;
}

int64_t TokenCache::earliest_expiry_ms() const {
  int64_t earliest = 0;
  for (const auto& [id, entry] : entries_) {
    if (!entry->token) continue;
    if (earliest == 0 || entry->token->expires_at_unix_ms < earliest) earliest = entry->token->expires_at_unix_ms;
  }
  return earliest;
}

void TokenCache::start_fetch(const std::string& id) {
  Entry& entry = *entries_.at(id);
  entry.in_flight = true;
  std::weak_ptr<bool> alive = alive_;
  fetcher_.fetch(entry.set, [this, alive, id](Result<EcrToken> result) {
    if (alive.expired()) return;
    finish_fetch(id, std::move(result));
  });
}

void TokenCache::finish_fetch(const std::string& id, Result<EcrToken> result) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& entry = *it->second;
  entry.in_flight = false;
  const int64_t wall_now = loop_.clock().wall_unix_ms();

  if (result.ok()) {
    refresh_success_.inc();
    EcrToken token = std::move(result).value();
    if (!token.has_expiry) {
      token.has_expiry = true;
      token.expires_at_unix_ms = wall_now + kEcrAssumedValidityMs;
    }
    const Millis validity = token.expires_at_unix_ms - wall_now;
    entry.token = std::move(token);
    entry.error.reset();
    entry.failures = 0;
    entry.timer.start(std::max(validity / 2, options_.min_refresh_ms), [this, id] { on_timer(id); });
    obs::info("ECR token refreshed", {{"credentials", id}, {"valid_seconds", static_cast<long long>(validity / 1000)}});
    update_expiry_gauge();
    notify(id);
    return;
  }

  refresh_failure_.inc();
  Error error = std::move(result).error();
  ++entry.failures;
  Millis delay = backoff_delay(entry, error);
  obs::warn("ECR token fetch failed", {{"credentials", id}, {"error", error.message},
                                       {"retry_in_ms", static_cast<long long>(delay)}});
  bool changed = false;
  if (entry.token) {
    const Millis left = entry.token->expires_at_unix_ms - wall_now;
    if (left <= 0) {
      entry.token.reset();
      changed = true;
    } else {
      delay = std::min(delay, left);
    }
  }
  if (!entry.token) changed = changed || !entry.error || entry.error->message != error.message;
  entry.error = std::move(error);
  entry.timer.start(delay, [this, id] { on_timer(id); });
  update_expiry_gauge();
  if (changed) notify(id);
}

void TokenCache::on_timer(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  const bool idle = loop_.now() - it->second->last_used > options_.idle_eviction_ms;
  if (idle && !(in_use_ && in_use_(id))) {
    obs::info("ECR credentials unused, token dropped", {{"credentials", id}});
    entries_.erase(it);
    update_expiry_gauge();
    return;
  }
  start_fetch(id);
}

Millis TokenCache::backoff_delay(const Entry& entry, const Error& error) {
  const Millis base = error.code == kThrottledCode ? options_.throttled_backoff_ms : options_.initial_backoff_ms;
  Millis delay = base;
  for (int i = 1; i < std::min(entry.failures, kMaxBackoffDoublings) && delay < options_.max_backoff_ms; ++i) delay *= 2;
  delay = std::min(delay, options_.max_backoff_ms);
  // Equal jitter: at least half the delay, so backoff still grows, spread so replicas desynchronise.
  return delay / 2 + static_cast<Millis>(random_.uniform() * static_cast<double>(delay / 2));
}

void TokenCache::update_expiry_gauge() {
  expiry_gauge_.set(static_cast<double>(earliest_expiry_ms()) / 1000.0);
}

void TokenCache::notify(const std::string& id) {
  if (on_change_) on_change_(id);
}

}  // namespace imps::aws
