// spec.target.serviceAccounts: keeps the named ServiceAccounts' imagePullSecrets listing the
// target Secret in every namespace where that Secret is provisioned (imps/service_account_plan.h
// decides the patch; this class watches, plans from the cache and writes).
//
// What a ServiceAccount should list is level-triggered from the controller's cache: the target
// name of every resource that names it (or "*") and owns its target Secret in that namespace.
// So a rename, a deselected namespace, a removed name or a deleted resource all come down to
// "the Secret is no longer ours there", and imps takes out exactly the entries it recorded.
//  - The ServiceAccount watch (cluster-wide, full objects, reduced to a small projection) runs
//    only while some resource uses serviceAccounts, or while a cached ServiceAccount still
//    carries entries imps added (so that they are removed before the watch stops).
//  - Triggers: a reconcile of a resource (its Secrets may have come or gone: the namespaces it
//    served before and serves now are re-planned; after a one-namespace reconcile, that one), a ServiceAccount event (a later-created one
//    is patched at once), the first list, and the periodic resync. An unchanged cluster plans
//    nothing to write.
//  - One patch per ServiceAccount in flight; an event arriving meanwhile re-plans after the
//    answer. A 409 waits for the watch to deliver the newer object. Other failures are recorded
//    per ServiceAccount as problems of the resources involved (the controller folds them into
//    status.reason and a Warning event) and retried with backoff; other namespaces go on.
//  - While any resource's spec is unreadable nothing is removed (its wishes are unknown).
// Does not: create or delete ServiceAccounts, or touch ServiceAccounts no resource names.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/random.h"
#include "imps/service_account_plan.h"
#include "kube/backoff.h"
#include "kube/client.h"
#include "kube/reflector.h"
#include "loop/event_loop.h"
#include "modes/controller_cache.h"
#include "modes/key_set.h"

namespace imps::modes {

struct ServiceAccountHandlers {
  // The problems recorded for this resource changed: its status must be re-planned.
  std::function<void(const std::string& resource)> problems_changed;
  // A patch appended `secrets` to `account` in `ns`.
  std::function<void(const std::string& ns, const std::string& account, const std::vector<std::string>& secrets)>
      added;
  // No patch is in flight in `ns` any more.
  std::function<void(const std::string& ns)> settled;
};

class ServiceAccountSync {
 public:
  // `cache` outlives this object; only its service_account_problems are written here.
  ServiceAccountSync(loop::EventLoop& loop, kube::Client& client, Random& random, ControllerCache& cache,
                     ServiceAccountHandlers handlers);
  ServiceAccountSync(const ServiceAccountSync&) = delete;
  ServiceAccountSync& operator=(const ServiceAccountSync&) = delete;

  // The set of resources (or their specs) changed: start or stop the watch.
  void resources_changed();
  // A reconcile of `resource` finished: re-plan where its Secrets were and are (`ns` empty: the
  // whole resource was planned; else only that namespace was).
  void resource_reconciled(const std::string& resource, const std::string& ns);
  // Re-plan every cached ServiceAccount (the periodic resync).
  void resync();

  bool patching(const std::string& ns) const { return in_flight_per_ns_.count(ns) != 0; }
  const ObservedServiceAccount* find(std::string_view ns, std::string_view name) const;
  const kube::ReflectorCounters* counters() const { return reflector_ ? &reflector_->counters() : nullptr; }

 private:
  using Accounts = std::map<std::string, ObservedServiceAccount, std::less<>>;  // by name

  bool in_use() const;
  void maybe_stop();
  void listing();
  void page(std::vector<Json> items);
  void listed();
  void apply(kube::WatchEvent::Type type, const Json& object);
  void store(ObservedServiceAccount account);
  void sync_namespace(const std::string& ns);
  void sync(const std::string& ns, const std::string& name);
  NameSet wanted(const std::string& ns, const std::string& name, bool& may_remove) const;
  void answered(const std::string& ns, const std::string& name, const ServiceAccountPatch& patch, Result<Json> answer);
  void set_problem(const std::string& ns, const std::string& name, const std::vector<std::string>& secrets,
                   std::string text);
  void clear_problem(const std::string& ns, const std::string& name);

  loop::EventLoop& loop_;
  kube::Client& client_;
  Random& random_;
  ControllerCache& cache_;
  ServiceAccountHandlers handlers_;
  std::unique_ptr<kube::Reflector> reflector_;
  std::map<std::string, Accounts, std::less<>> accounts_;  // by namespace, then name
  KeySet seen_;                                            // by the LIST in flight
  std::map<std::string, std::set<std::string>> served_;   // resource → namespaces it contributed to
  std::set<std::string> in_flight_, dirty_;               // "ns/name"
  std::map<std::string, int> in_flight_per_ns_;
  // "ns/name" → the resources its failed patch was for, with the retry timer and its backoff.
  struct Failure {
    std::set<std::string> resources;
    loop::Timer retry;
    std::unique_ptr<kube::Backoff> backoff;
  };
  std::map<std::string, Failure> failures_;
  void erase_failure(std::map<std::string, Failure>::iterator it);
};

}  // namespace imps::modes
