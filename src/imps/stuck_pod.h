// Pods stuck pulling their images (restartStuckPods): which Pending pods are waiting in
// ErrImagePull or ImagePullBackOff, and which of them imps may restart.
// A pod's imagePullSecrets are copied from its ServiceAccount when it is admitted and never
// change, so a pod created before imps patched the ServiceAccount keeps failing; its controller
// recreates it with the Secret once it is evicted. Only pods with a controller ownerReference
// of a kind that recreates them at no cost are restartable: a bare pod would simply be gone.
// A Job's pod is left alone too (like a bare pod, it is named in a Warning event): the Job
// controller counts a pod deleted before it succeeded as a failed attempt against the Job's
// backoffLimit (isPodFailed in pkg/controller/job), unless the Job's podFailurePolicy ignores
// the DisruptionTarget condition an eviction sets. An eviction would spend the Job's retries, and
// fail a Job with backoffLimit 0 outright; imps does not read Jobs, so their owners decide.
// Pure: reads one pod object (from a LIST of Pending pods), keeps only what the decision needs.
#pragma once

#include <cJSON.h>

#include <optional>
#include <string>
#include <vector>

namespace imps {

struct StuckPod {
  std::string namespace_name;
  std::string name;
  std::string uid;
  std::string service_account;            // spec.serviceAccountName ("default" when unset)
  std::vector<std::string> pull_secrets;  // spec.imagePullSecrets[].name
  std::string controller_kind;            // kind of the controller ownerReference, "" when none
  bool lacks(std::string_view secret) const;
  // Its controller recreates it at no cost: ReplicaSet, StatefulSet or DaemonSet (not Job).
  bool restartable() const;
};

// The pod when it is Pending (not being deleted) with a container or init container waiting in
// ErrImagePull or ImagePullBackOff; nullopt otherwise (Running pods included, always).
std::optional<StuckPod> stuck_pod(const cJSON* pod);

}  // namespace imps
