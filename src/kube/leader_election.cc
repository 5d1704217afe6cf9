#include "kube/leader_election.h"

#include <cstdio>

#include "obs/log.h"

namespace imps::kube {

namespace {

constexpr int64_t kMillisPerSecond = 1000;
// leaseDurationSeconds of a released Lease: client-go's ReleaseOnCancel value, so standbys take
// over about a second later instead of a whole lease duration.
constexpr int64_t kReleasedLeaseSeconds = 1;

std::string dump_node(const cJSON* node) {
  if (!node) return {};
  char* text = cJSON_PrintUnformatted(node);
  std::string out = text ? text : "";
  cJSON_free(text);
  return out;
}

void set_number(cJSON* obj, const char* key, double value) {
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  cJSON_AddNumberToObject(obj, key, value);
}

std::string_view holder_of(const cJSON* lease) {
  return json_string(json_member(lease, "spec"), "holderIdentity").value_or(std::string_view());
}

// A server answer of any kind (even a refusal) shows the API server is reachable.
bool reached_server(const Result<Json>& result) { return result.ok() || result.error().code != 0; }

}  // namespace

void ClientLeaseApi::get(std::string_view ns, std::string_view name, Client::JsonCallback done) {
  client_.get(kLeases, ns, name, std::move(done));
}

void ClientLeaseApi::create(std::string_view ns, const Json& lease, Client::JsonCallback done) {
  client_.create(kLeases, ns, lease, std::move(done));
}

void ClientLeaseApi::update(std::string_view ns, std::string_view name, const Json& lease,
                            Client::JsonCallback done) {
  client_.update(kLeases, ns, name, lease, std::move(done));
}

std::string make_identity(std::string_view hostname, Random& random) {
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random.next()));
  return std::string(hostname) + "_" + suffix;
}

std::string lease_namespace(std::string_view configured, std::string_view cluster_namespace) {
  if (!configured.empty()) return std::string(configured);
  return cluster_namespace.empty() ? "default" : std::string(cluster_namespace);
}

LeaderElector::LeaderElector(loop::EventLoop& loop, LeaseApi& api, Random& random, LeaderElectionConfig config,
                             LeaderCallbacks callbacks)
    : loop_(loop),
      api_(api),
      random_(random),
      config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      retry_timer_(loop),
      deadline_timer_(loop) {}

LeaderElector::~LeaderElector() = default;

void LeaderElector::start() {
  state_ = State::Acquiring;
  obs::info("leader election started", {{"lease", config_.ns + "/" + config_.name}, {"identity", config_.identity}});
  retry_timer_.start(0, [this] { attempt(); });
}

bool LeaderElector::healthy() const {
  if (state_ == State::Leading) return true;
  return state_ == State::Acquiring && last_contact_ >= 0 && loop_.now() - last_contact_ < config_.lease_duration_ms;
}

void LeaderElector::attempt() {
  try_acquire_or_renew([this](bool acquired) { attempt_done(acquired); });
}

void LeaderElector::attempt_done(bool acquired) {
  if (state_ == State::Acquiring && !acquired) {
    const double jitter = 1.0 + random_.uniform() * kAcquireJitter;
    retry_timer_.start(static_cast<Millis>(config_.retry_period_ms * jitter), [this] { attempt(); });
    return;
  }
  if (acquired) deadline_timer_.start(config_.renew_deadline_ms, [this] { lose(); });
  retry_timer_.start(config_.retry_period_ms, [this] { attempt(); });
  if (state_ == State::Acquiring) {
    state_ = State::Leading;
    obs::info("became leader", {{"lease", config_.ns + "/" + config_.name}, {"identity", config_.identity}});
    if (callbacks_.on_started_leading) callbacks_.on_started_leading();
  }
}

void LeaderElector::try_acquire_or_renew(Outcome outcome) {
  const bool lease_valid = loop_.now() < observed_at_ + observed_duration_ms_;
  if (state_ != State::Leading || !cached_ || !lease_valid) {
    slow_path(std::move(outcome));
    return;
  }
  // Fast path: our own last write is the current Lease unless someone else wrote since.
  api_.update(config_.ns, config_.name, lease_body(&cached_, config_.identity, config_.lease_duration_ms, Write::Renew),
              guard([this, outcome](Result<Json> result) {
                if (result.ok()) {
                  written(std::move(result), outcome);
                } else {
                  slow_path(outcome);
                }
              }));
}

void LeaderElector::slow_path(Outcome outcome) {
  api_.get(config_.ns, config_.name, guard([this, outcome](Result<Json> result) {
    if (!result.ok()) {
      if (result.error().kind != ErrorKind::NotFound) {
        obs::debug("lease read failed", {{"lease", config_.name}, {"error", result.error().message}});
        outcome(false);
        return;
      }
      api_.create(config_.ns, lease_body(nullptr, config_.identity, config_.lease_duration_ms, Write::TakeOver),
                  guard([this, outcome](Result<Json> created) { written(std::move(created), outcome); }));
      return;
    }
    observed(*result);
    const std::string_view holder = holder_of(result->get());
    const bool ours = holder == config_.identity;
    if (!holder.empty() && !ours && loop_.now() < observed_at_ + observed_duration_ms_) {
      outcome(false);
      return;
    }
    const Write kind = ours ? Write::Renew : Write::TakeOver;
    api_.update(config_.ns, config_.name, lease_body(&*result, config_.identity, config_.lease_duration_ms, kind),
                guard([this, outcome](Result<Json> updated) { written(std::move(updated), outcome); }));
  }));
}

void LeaderElector::observed(const Json& lease) {
  const cJSON* spec = json_member(lease.get(), "spec");
  std::string dump = dump_node(spec);
  if (dump != observed_spec_) {
    observed_spec_ = std::move(dump);
    observed_at_ = loop_.now();
  }
  // Absent means 0: the Lease counts as expired, as in client-go.
  observed_duration_ms_ = static_cast<Millis>(json_number(spec, "leaseDurationSeconds").value_or(0) * kMillisPerSecond);
}

void LeaderElector::written(Result<Json> result, Outcome outcome) {
  if (!result.ok()) {
    // Conflict / AlreadyExists: another candidate wrote first; anything else: try again later.
    obs::debug("lease write failed", {{"lease", config_.name}, {"error", result.error().message}});
    outcome(false);
    return;
  }
  cached_ = std::move(*result);
  observed(cached_);
  outcome(true);
}

void LeaderElector::lose() {
  state_ = State::Lost;
  ++epoch_;
  retry_timer_.cancel();
  deadline_timer_.cancel();
  obs::warn("leadership lost: no renewal within the renew deadline",
            {{"lease", config_.ns + "/" + config_.name}, {"identity", config_.identity}});
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
}

void LeaderElector::release(std::function<void()> done) {
  retry_timer_.cancel();
  deadline_timer_.cancel();
  ++epoch_;
  const bool was_leading = state_ == State::Leading && cached_;
  state_ = State::Released;
  if (!was_leading) {
    loop_.defer(std::move(done));
    return;
  }
  write_release(cached_, [this, done](Result<Json> result) {
    if (!result.ok() && result.error().kind == ErrorKind::Conflict) {
      // Our copy is stale: a renew we stopped listening to has landed. Release the server's
      // version, as long as it is still ours.
      api_.get(config_.ns, config_.name, guard([this, done](Result<Json> fetched) {
        if (!fetched.ok() || holder_of(fetched->get()) != config_.identity) {
          done();
          return;
        }
        write_release(*fetched, [done](Result<Json>) { done(); });
      }));
      return;
    }
    done();
  });
}

void LeaderElector::write_release(const Json& base, std::function<void(Result<Json>)> then) {
  api_.update(config_.ns, config_.name, lease_body(&base, "", kReleasedLeaseSeconds * kMillisPerSecond, Write::Release),
              guard([this, then = std::move(then)](Result<Json> result) {
                if (result.ok()) {
                  obs::info("lease released", {{"lease", config_.ns + "/" + config_.name}});
                } else {
                  obs::warn("lease release failed", {{"lease", config_.name}, {"error", result.error().message}});
                }
                then(std::move(result));
              }));
}

Json LeaderElector::lease_body(const Json* base, std::string_view holder, Millis duration_ms, Write kind) const {
  Json lease = base ? Json(cJSON_Duplicate(base->get(), true)) : Json::object();
  if (!base) {
    json_set_string(lease.get(), "apiVersion", api_version(kLeases));
    json_set_string(lease.get(), "kind", kLeases.kind);
    cJSON* metadata = json_add_object(lease.get(), "metadata");
    json_set_string(metadata, "name", config_.name);
    json_set_string(metadata, "namespace", config_.ns);
  }
  cJSON* spec = cJSON_GetObjectItemCaseSensitive(lease.get(), "spec");
  if (!cJSON_IsObject(spec)) {
    cJSON_DeleteItemFromObjectCaseSensitive(lease.get(), "spec");
    spec = json_add_object(lease.get(), "spec");
  }
  const std::string now = now_micro();
  json_set_string(spec, "holderIdentity", holder);
  set_number(spec, "leaseDurationSeconds", static_cast<double>(duration_ms / kMillisPerSecond));
  json_set_string(spec, "renewTime", now);
  if (kind != Write::Renew) json_set_string(spec, "acquireTime", now);
  if (kind == Write::TakeOver) {
    const double transitions = json_number(spec, "leaseTransitions").value_or(-1);
    set_number(spec, "leaseTransitions", base ? transitions + 1 : 0);
  }
  return lease;
}

std::string LeaderElector::now_micro() const {
  return format_rfc3339_micro(loop_.clock().wall_unix_ms() * kMillisPerSecond);
}

Client::JsonCallback LeaderElector::guard(std::function<void(Result<Json>)> fn) {
  std::weak_ptr<bool> alive = alive_;
  const uint64_t epoch = epoch_;
  return [this, alive, epoch, fn = std::move(fn)](Result<Json> result) {
    if (alive.expired() || epoch != epoch_) return;
    if (reached_server(result)) last_contact_ = loop_.now();
    fn(std::move(result));
  };
}

}  // namespace imps::kube
