// Pods stuck pulling their images (restartStuckPods): which Pending pods are waiting in
// ErrImagePull or ImagePullBackOff, and which of them imps may restart.
// A pod's imagePullSecrets are copied from its ServiceAccount when it is admitted and never
// change, so a pod created before imps patched the ServiceAccount keeps failing; its controller
// recreates it with the Secret once it is evicted. Only pods with a controller ownerReference
// of a kind that recreates them are restartable: a bare pod would simply be gone.
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
  // Its controller recreates it: ReplicaSet, StatefulSet, DaemonSet or Job.
  bool restartable() const;
};

// The pod when it is Pending (not being deleted) with a container or init container waiting in
// ErrImagePull or ImagePullBackOff; nullopt otherwise (Running pods included, always).
std::optional<StuckPod> stuck_pod(const cJSON* pod);

}  // namespace imps
