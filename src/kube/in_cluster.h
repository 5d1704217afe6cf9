// In-cluster configuration from the pod's service account: https://$KUBERNETES_SERVICE_HOST:
// $KUBERNETES_SERVICE_PORT (IPv6 hosts bracketed), <root>/token (recorded as token_file, re-read
// by the token source), <root>/ca.crt (read now) and <root>/namespace (trimmed; may be absent).
// Does not decide whether to use in-cluster config: kubeconfig.h's load order does.
#pragma once

#include <string>

#include "base/result.h"
#include "kube/cluster_config.h"

namespace imps::kube {

// Both KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set and non-empty.
bool in_cluster_env_present(const EnvGetter& env);

Result<ClusterConfig> load_in_cluster(const EnvGetter& env, const std::string& root);

}  // namespace imps::kube
