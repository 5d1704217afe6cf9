#include "modes/stuck_pods.h"

#include <utility>

#include "obs/log.h"

namespace imps::modes {
namespace {

// The LIST imps makes of a newly served namespace: Pending pods only (stuck ones are Pending).
constexpr std::string_view kPendingPods = "status.phase=Pending";

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

StuckPodRestarter::StuckPodRestarter(loop::EventLoop& loop, kube::Client& client, Random& random,
                                     const ControllerCache& cache, EventRecorder& events)
    : loop_(loop), client_(client), cache_(cache), events_(events), retry_timer_(loop), backoff_(loop.clock(), random) {}

const ImagePullSecret* StuckPodRestarter::restarting(const std::string& ns, const std::string& account,
                                                     std::string_view secret) const {
  for (const auto& [name, r] : cache_.resources) {
    const ServiceAccountSpec& spec = r.spec.target.service_accounts;
    if (!spec.restart_stuck_pods || r.spec.target.secret.name != secret || !spec.names_account(account)) continue;
    auto owned = cache_.managed.find(secret_key(ns, secret));
    if (owned != cache_.managed.end() && owned->second.owner_uid == r.uid) return &r;
  }
  return nullptr;
}

void StuckPodRestarter::added(const std::string& ns, const std::string& account,
                              const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets)
    if (restarting(ns, account, secret)) pending_[ns][account].insert(secret);
}

void StuckPodRestarter::settled(const std::string& ns) {
  auto it = pending_.find(ns);
  if (it == pending_.end()) return;
  Added added = std::move(it->second);
  pending_.erase(it);
  scan(ns, std::move(added));
}

void StuckPodRestarter::scan(const std::string& ns, Added added) {
  auto pods = std::make_shared<std::vector<StuckPod>>();
  auto wanted = std::make_shared<Added>(std::move(added));
  kube::ListOptions options;
  options.field_selector = kPendingPods;
  kube::ListPageHandlers handlers;
  handlers.on_page = [pods](kube::ListPage page) {
    if (page.first) pods->clear();
    for (const Json& item : page.items)
      if (auto pod = stuck_pod(item.get())) pods->push_back(std::move(*pod));
    return true;
  };
  handlers.on_done = [this, ns, pods, wanted](Result<std::string> rv) {
    if (rv.ok()) {
      decide(ns, *wanted, *pods);
      return;
    }
    obs::warn("listing pending pods failed", {{"namespace", ns}, {"error", rv.error().message}});
    for (auto& [account, secrets] : *wanted) pending_[ns][account].insert(secrets.begin(), secrets.end());
    arm_retry();
  };
  client_.list_pages(kube::kPods, ns, std::move(options), std::move(handlers));
}

void StuckPodRestarter::decide(const std::string& ns, const Added& added, const std::vector<StuckPod>& pods) {
  std::map<std::string, std::vector<std::string>> bare;  // resource → pods left alone
  for (const StuckPod& pod : pods) {
    auto account = added.find(pod.service_account);
    if (account == added.end()) continue;
    for (const std::string& secret : account->second) {
      const ImagePullSecret* r = restarting(ns, pod.service_account, secret);
      if (!r || !pod.lacks(secret)) continue;
      if (pod.restartable())
        evict(Eviction{pod, secret, r->name});
      else
        bare[r->name].push_back(pod.name);
      break;  // one eviction (or one mention) per pod
    }
  }
  for (const auto& [resource, names] : bare) {
    const ImagePullSecret* r = cache_.find_resource(resource);
    if (!r) continue;
    obs::warn("stuck pods without a controller left alone", {{"namespace", ns}, {"pods", join(names)}});
    events_.record(*r, {EventType::Warning, "StuckPodsNotRestarted",
                        "pods in namespace " + ns + " are stuck pulling images without Secret " +
                            r->spec.target.secret.name + " and have no controller to recreate them; delete " +
                            "and recreate them yourself: " + join(names)});
  }
}

void StuckPodRestarter::evict(Eviction eviction) {
  const StuckPod& pod = eviction.pod;
  client_.evict(pod.namespace_name, pod.name, pod.uid, [this, eviction](Result<Json> answer) mutable {
    const StuckPod& p = eviction.pod;
    if (answer.ok()) {
      obs::info("stuck pod evicted", {{"namespace", p.namespace_name}, {"pod", p.name},
                                      {"imagepullsecret", eviction.resource}});
      if (const ImagePullSecret* r = cache_.find_resource(eviction.resource))
        events_.record(*r, {EventType::Normal, "StuckPodEvicted",
                            "evicted pod " + p.namespace_name + "/" + p.name + " (" + p.controller_kind +
                                ") stuck pulling images, so that it is recreated with Secret " + eviction.secret});
      return;
    }
    const Error& error = answer.error();
    if (error.kind == ErrorKind::NotFound || error.kind == ErrorKind::Conflict) return;  // gone or replaced
    if (error.kind == ErrorKind::Transient) {  // 429 (a disruption budget, throttling) or a 5xx
      obs::info("stuck pod eviction postponed", {{"namespace", p.namespace_name}, {"pod", p.name},
                                                 {"error", error.message}});
      retry_later(std::move(eviction));
      return;
    }
    obs::warn("stuck pod eviction failed", {{"namespace", p.namespace_name}, {"pod", p.name},
                                            {"error", error.message}});
    if (const ImagePullSecret* r = cache_.find_resource(eviction.resource))
      events_.record(*r, {EventType::Warning, "StuckPodEvictionFailed",
                          "evicting pod " + p.namespace_name + "/" + p.name + ": " + error.message});
  });
}

void StuckPodRestarter::retry_later(Eviction eviction) {
  retries_.push_back(std::move(eviction));
  arm_retry();
}

// One timer for both kinds of retry: failed scans (their namespaces are back in pending_) and
// postponed evictions.
void StuckPodRestarter::arm_retry() {
  if (retry_timer_.pending()) return;
  retry_timer_.start(backoff_.next_delay(), [this] {
    loop_.defer([this] {
      std::vector<std::string> namespaces;
      for (const auto& [ns, added] : pending_) namespaces.push_back(ns);
      for (const std::string& ns : namespaces) settled(ns);
      for (Eviction& e : std::exchange(retries_, {})) evict(std::move(e));
    });
  });
}

}  // namespace imps::modes
