// `imps --mode=controller`: keeps every ImagePullSecret's Secret in the namespaces it selects.
//
// Reflectors fill the cache (controller_cache.h): ImagePullSecrets (full), Namespaces and Pods
// (metadata only; pods reduced to counts in pod_index.h), our Secrets (label selector on the
// owner-uid label) and the source Secrets (source_watches.h). Events become queue keys narrowly:
//  - a resource event enqueues that resource (and may restart the source or pod watches when
//    the sources or the pod selectors changed);
//  - a namespace event enqueues (resource, namespace) keys, "<name>/<namespace>", only for
//    resources whose selection of it changed, or that select it and have no Secret there; such a
//    key plans and writes that namespace alone (O(1) in the number of namespaces), and widens to
//    the whole resource when it cannot decide alone (reconciler.h); while the whole resource is
//    queued or running, its namespace keys fold into it;
//  - a pod event enqueues a (resource, namespace) key only when that namespace's matching-pod
//    count crosses 0↔1, so a new pod in an already-served namespace costs no API request;
//  - a source Secret event enqueues the resources naming it;
//  - a Secret event enqueues its owner's (resource, namespace) key unless it is the echo of our
//    own write (or of our status write, whose watch event may come before its answer);
// Keys are reconciled (reconciler.h) once the first lists are in; failures are retried with
// per-key exponential backoff, except Invalid/Forbidden answers, which would only repeat until
// something changes: those wait for a change of the key's inputs or the resync; a periodic resync re-plans everything from the cache. Status
// writes are coalesced per resource (status_writer.h); a failed one is retried like a reconcile. ECR tokens
// come from EcrTokens, which refreshes them at half-life and names the resources to reconcile.
// The pod watch starts only after the resources are known, so the first pod list already
// counts against their selectors. Lists arrive page by page (kube/reflector.h) and are applied
// as they come, remembering only the keys seen (key_set.h); pods go into a pending PodIndex that
// replaces the live one at the list's end (its keys are hashes, so vanished pods could not be
// found and uncounted otherwise).
// ServiceAccounts (spec.target.serviceAccounts) are kept by ServiceAccountSync, which hears of
// every finished reconcile and of resource changes; it reports failed patches back as problems
// of the resources (re-enqueued for their status) and hands added entries to the
// StuckPodRestarter.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/random.h"
#include "imps/selector.h"
#include "kube/client.h"
#include "kube/reflector.h"
#include "loop/event_loop.h"
#include "modes/controller_cache.h"
#include "modes/controller_metrics.h"
#include "modes/ecr_token_source.h"
#include "modes/event_recorder.h"
#include "modes/key_set.h"
#include "modes/reconciler.h"
#include "modes/service_accounts.h"
#include "modes/source_watches.h"
#include "modes/status_writer.h"
#include "modes/stuck_pods.h"
#include "modes/work_queue.h"
#include "obs/metrics.h"

namespace imps::modes {

// A handful of reconciles in flight keeps a 10k-namespace resync from queueing behind one slow
// request, while the number of outstanding writes (and their memory) stays bounded.
inline constexpr size_t kMaxConcurrentReconciles = 4;
// Freed heap is given back this long after the work queue drained, and at most once an interval.
inline constexpr Millis kReleaseMemoryDelayMs = 1'000;
inline constexpr Millis kReleaseMemoryIntervalMs = 30'000;

struct ControllerOptions {
  Millis resync_interval_ms = 300'000;
};

class Controller {
 public:
  // `ecr` must outlive the controller.
  Controller(loop::EventLoop& loop, kube::Client& client, Random& random, obs::Registry& registry, EcrTokens& ecr,
             ControllerOptions options);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  void start();
  // Every first list has been applied (for /readyz).
  bool ready() const { return ready_; }
  // Copies counters kept elsewhere (client, reflectors) into the registry; call before exposing.
  void update_metrics();

 private:
  using PodSelectors = std::map<std::string, std::pair<std::vector<Selector>, std::vector<Selector>>>;

  using ListStep = void (Controller::*)();
  using ListPage = void (Controller::*)(std::vector<Json>);
  using Apply = void (Controller::*)(kube::WatchEvent::Type, const Json&);
  kube::ReflectorHandlers handlers(ListStep begin, ListPage page, ListStep end, Apply apply);

  void resources_listing();
  void resources_page(std::vector<Json> items);
  void resources_listed();
  void resource_event(kube::WatchEvent::Type type, const Json& object);
  void resources_changed();
  void namespaces_listing();
  void namespaces_page(std::vector<Json> items);
  void namespaces_listed();
  void namespace_event(kube::WatchEvent::Type type, const Json& object);
  void namespace_changed(const std::string& ns, const NamespaceInfo* before, const NamespaceInfo* after);
  void pods_listing();
  void pods_page(std::vector<Json> items);
  void pods_listed();
  void pod_event(kube::WatchEvent::Type type, const Json& object);
  std::vector<std::string> pod_matches(const PodMeta& pod) const;
  void pod_counts_changed(const std::vector<PodCountChange>& changes);
  void secrets_listing();
  void secrets_page(std::vector<Json> items);
  void secrets_listed();
  void secret_event(kube::WatchEvent::Type type, const Json& object);
  void source_changed(const std::string& ns, const std::string& name);

  void start_pod_watch();
  PodSelectors pod_selectors() const;
  bool caches_synced() const;
  bool sources_synced(const ImagePullSecret& resource) const;
  void check_ready();
  void enqueue(const std::string& name);
  void enqueue_all();
  void pump();
  void finished(const std::string& key, Millis started, ReconcileResult result);
  // One timer per resource: a backoff retry, or the expiry of a credential kept while a source fails.
  void enqueue_after(const std::string& name, Millis delay);
  void retry_later(const std::string& key, const Error& error);
  Millis resync();

  loop::EventLoop& loop_;
  kube::Client& client_;
  Random& random_;
  ControllerOptions options_;
  ControllerCache cache_;
  WorkQueue queue_;
  // Resources whose whole plan waits for their namespace keys in progress to finish: both would
  // plan the same namespaces from a cache the other's writes have not reached yet.
  std::set<std::string, std::less<>> parked_;
  EcrTokens& ecr_;
  EventRecorder events_;
  SourceWatches sources_;
  StatusWriter status_;
  Reconciler reconciler_;
  StuckPodRestarter stuck_pods_;
  ServiceAccountSync service_accounts_;  // told after each reconcile; feeds stuck_pods_
  ControllerMetrics metrics_;
  std::unique_ptr<kube::Reflector> resources_, namespaces_, secrets_, pods_;
  PodSelectors pod_selectors_;  // those the running pod watch counts against
  KeySet seen_resources_, seen_namespaces_, seen_secrets_;  // by the LISTs in flight
  PodIndex listed_pods_;  // the pod LIST in flight's, so far
  kube::ReflectorCounters retired_pod_counters_;
  std::map<std::string, loop::Timer, std::less<>> retries_;
  loop::Timer resync_timer_;
  loop::Timer release_timer_;  // gives freed heap back after the queue drained (base/memory.h)
  Millis released_at_ = -kReleaseMemoryIntervalMs;
  bool ready_ = false;
};

}  // namespace imps::modes
