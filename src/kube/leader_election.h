// Leader election over a coordination.k8s.io/v1 Lease, client-go's algorithm
// (k8s.io/client-go/tools/leaderelection), so imps and the original operator contend for the same Lease.
//  - Expiry is judged on the local steady clock: a Lease is held while its spec last changed less
//    than its leaseDurationSeconds ago (observedTime), never by comparing renewTime with our wall
//    clock, so clock skew between nodes cannot make two leaders.
//  - Acquiring: try every retry period × (1 + rand·1.2). Leading: renew every retry period (the
//    cached Lease first, the GET path when that fails); no successful renew for renew_deadline →
//    leadership is lost: timers stop and on_stopped_leading runs (the caller exits).
//  - release() hands the Lease over at once: holder "", leaseDurationSeconds 1.
// Invariants: at most one request in flight; after release() or losing leadership nothing is
// sent any more; callbacks never run from inside start() or release().
// Does not: record Events on the Lease, or decide what leader-only work is (the callbacks do).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/random.h"
#include "kube/client.h"
#include "loop/event_loop.h"

namespace imps::kube {

// The original operator's Lease name (controller-runtime LeaderElectionID): old and new contend
// for it during a migration, so never both write.
inline constexpr std::string_view kLeaseName = "73de1ad9.banzaicloud.io";
// client-go's JitterFactor for the acquire loop: spreads replicas that started together.
inline constexpr double kAcquireJitter = 1.2;

// The three Lease verbs election needs; the kube Client in production, a fake in tests.
class LeaseApi {
 public:
  virtual ~LeaseApi() = default;
  virtual void get(std::string_view ns, std::string_view name, Client::JsonCallback done) = 0;
  virtual void create(std::string_view ns, const Json& lease, Client::JsonCallback done) = 0;
  virtual void update(std::string_view ns, std::string_view name, const Json& lease,
                      Client::JsonCallback done) = 0;
};

class ClientLeaseApi : public LeaseApi {
 public:
  explicit ClientLeaseApi(Client& client) : client_(client) {}
  void get(std::string_view ns, std::string_view name, Client::JsonCallback done) override;
  void create(std::string_view ns, const Json& lease, Client::JsonCallback done) override;
  void update(std::string_view ns, std::string_view name, const Json& lease, Client::JsonCallback done) override;

 private:
  Client& client_;
};

struct LeaderElectionConfig {
  std::string ns;
  std::string name{kLeaseName};
  std::string identity;  // unique per process start: make_identity()
  Millis lease_duration_ms = 15'000;
  Millis renew_deadline_ms = 10'000;
  Millis retry_period_ms = 2'000;
};

struct LeaderCallbacks {
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;  // leadership lost (not called by release())
};

// "<hostname>_<16 hex digits>", client-go's convention.
std::string make_identity(std::string_view hostname, Random& random);
// --config-namespace when given, else the cluster config's namespace (in a pod: its own, from the
// service-account namespace file; else the kubeconfig context's), else "default".
std::string lease_namespace(std::string_view configured, std::string_view cluster_namespace);

class LeaderElector {
 public:
  LeaderElector(loop::EventLoop& loop, LeaseApi& api, Random& random, LeaderElectionConfig config,
                LeaderCallbacks callbacks);
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Starts acquiring (the first attempt runs on the loop, right away).
  void start();
  // Stops trying; if leading, writes the released Lease first. `done` runs on the loop once the
  // Lease is released (or the write failed, or there was nothing to release).
  void release(std::function<void()> done);

  bool leading() const { return state_ == State::Leading; }
  // For /readyz: leading, or a standby that heard from the API server within a lease duration.
  bool healthy() const;
  const std::string& identity() const { return config_.identity; }

 private:
  enum class State { Idle, Acquiring, Leading, Lost, Released };
  // Renew keeps acquireTime and leaseTransitions; TakeOver sets acquireTime and counts a
  // transition (0 for a new Lease); Release sets acquireTime and keeps the count.
  enum class Write { Renew, TakeOver, Release };
  using Outcome = std::function<void(bool acquired)>;

  void attempt();
  void attempt_done(bool acquired);
  void try_acquire_or_renew(Outcome outcome);
  void slow_path(Outcome outcome);
  void observed(const Json& lease);
  void write(const Json& fetched, bool create, Outcome outcome);
  void written(Result<Json> result, Outcome outcome);
  void lose();
  void write_release(const Json& base, std::function<void(Result<Json>)> then);
  Json lease_body(const Json* base, std::string_view holder, Millis duration_ms, Write kind) const;
  std::string now_micro() const;
  // Wraps a completion so it is dropped if this elector is gone or a newer epoch began.
  Client::JsonCallback guard(std::function<void(Result<Json>)> fn);

  loop::EventLoop& loop_;
  LeaseApi& api_;
  Random& random_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  State state_ = State::Idle;
  loop::Timer retry_timer_;
  loop::Timer deadline_timer_;  // leading: fires when no renew succeeded within renew_deadline
  Json cached_;                 // the Lease as we last wrote it (fast-path renew, release)
  std::string observed_spec_;   // the last spec we saw, compact JSON
  Millis observed_at_ = 0;      // steady time it last changed
  Millis observed_duration_ms_ = 0;  // its leaseDurationSeconds
  Millis last_contact_ = -1;    // steady time of the last answer from the API server
  uint64_t epoch_ = 0;          // bumped on release/loss: in-flight completions are ignored
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace imps::kube
