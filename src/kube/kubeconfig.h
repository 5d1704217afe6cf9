// kubeconfig files (YAML, parsed with libyaml) and the loading order of the --kubeconfig flag:
// the flag, else $KUBECONFIG (':'-separated files, merged: the first definition of a cluster,
// context or user name wins, current-context comes from the first file that sets it), else the
// in-cluster service account, else ~/.kube/config.
// Supported: server, certificate-authority(-data), tls-server-name, insecure-skip-tls-verify, proxy-url,
// client-certificate(-data), client-key(-data), token, tokenFile, context namespace. Relative
// paths are resolved against the directory of the file that names them; `~` is NOT expanded
// (such a path is relative, and the error names the resolved path). Unknown keys are ignored.
// Not supported, with an error naming the user: exec and auth-provider plugins, basic auth.
// Every error is a single line naming the file, context or field, fit for stderr before exit 2.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "kube/cluster_config.h"

namespace imps::kube {

// A kubeconfig is local configuration, not peer data, but it is still bounded: a file larger
// than this is certainly not a kubeconfig (real ones are a few KiB, a few hundred KiB at most).
inline constexpr size_t kMaxKubeconfigBytes = 4 << 20;
// Real kubeconfigs nest about 5 levels; the cap keeps hostile YAML from exhausting the stack.
inline constexpr int kMaxKubeconfigDepth = 32;

struct KubeconfigFile {
  std::string path;  // for messages and to resolve relative paths
  std::string text;  // the YAML
};

// Resolves `context` (empty = current-context) across merged files. Referenced files
// (certificate-authority, client-certificate, client-key) are read here; tokenFile is only
// recorded. Files are in precedence order.
Result<ClusterConfig> parse_kubeconfig(std::span<const KubeconfigFile> files, std::string_view context);

struct LoadOptions {
  std::string kubeconfig_flag;  // --kubeconfig; empty = not given
  std::string context_flag;     // --context; empty = current-context
  EnvGetter env = process_env();
  std::string home_dir;         // empty = $HOME
  std::string in_cluster_root = "/var/run/secrets/kubernetes.io/serviceaccount";
};

Result<ClusterConfig> load_cluster_config(const LoadOptions& options);

}  // namespace imps::kube
