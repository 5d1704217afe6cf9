// restartStuckPods: once imps has added a pull Secret to a ServiceAccount, pods of that account
// that are stuck pulling images without it (imps/stuck_pod.h) are evicted so that their
// controllers recreate them — now with the Secret, which admission copies from the account.
//
// Cost: one LIST of the namespace's Pending pods (fieldSelector status.phase=Pending, full
// objects: their container statuses and imagePullSecrets decide) when a patch there added an
// entry, after every patch in flight there has answered; nothing else reads pods. Evictions go
// through the Eviction API (policy/v1), so PodDisruptionBudgets are respected: a 429 or another
// transient failure is retried here with backoff (the client hands an eviction's 429 over at once,
// Retry-After or not: this is the one place that retries a refusal); a pod that is gone or was replaced (404, 409 on the
// uid precondition) is dropped. Pods without a recreating controller are never deleted: a
// Warning Event on the resource names them. Running pods are never touched.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/random.h"
#include "imps/service_account_plan.h"
#include "imps/stuck_pod.h"
#include "kube/backoff.h"
#include "kube/client.h"
#include "loop/event_loop.h"
#include "modes/controller_cache.h"
#include "modes/event_recorder.h"

namespace imps::modes {

class StuckPodRestarter {
 public:
  StuckPodRestarter(loop::EventLoop& loop, kube::Client& client, Random& random, const ControllerCache& cache,
                    EventRecorder& events);
  StuckPodRestarter(const StuckPodRestarter&) = delete;
  StuckPodRestarter& operator=(const StuckPodRestarter&) = delete;

  // imps just appended `secrets` to ServiceAccount `account` in `ns`.
  void added(const std::string& ns, const std::string& account, const std::vector<std::string>& secrets);
  // No ServiceAccount patch is in flight in `ns`: scan it if something was added there.
  void settled(const std::string& ns);

 private:
  struct Eviction {
    StuckPod pod;
    std::string secret;
    std::string resource;
  };
  // For each ServiceAccount name: the Secrets just added to it.
  using Added = std::map<std::string, NameSet>;

  // The resource with restartStuckPods that added `secret` to `account` in `ns`, or nullptr.
  const ImagePullSecret* restarting(const std::string& ns, const std::string& account, std::string_view secret) const;
  void scan(const std::string& ns, Added added);
  void decide(const std::string& ns, const Added& added, const std::vector<StuckPod>& pods);
  void evict(Eviction eviction);
  void retry_later(Eviction eviction);
  void arm_retry();

  loop::EventLoop& loop_;
  kube::Client& client_;
  const ControllerCache& cache_;
  EventRecorder& events_;
  std::map<std::string, Added> pending_;  // by namespace, waiting for its patches to settle
  std::vector<Eviction> retries_;
  loop::Timer retry_timer_;
  kube::Backoff backoff_;
};

}  // namespace imps::modes
