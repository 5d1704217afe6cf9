// Where the Kubernetes API is and how to authenticate to it, as resolved from a kubeconfig or
// the in-cluster service account. A plain value: loading it is kubeconfig.h / in_cluster.h, using
// it (TLS contexts, the bearer token) is the client's business.
// Invariants after a successful load: `server` is parsed; at most one of token / token_file
// drives the Authorization header (token_file wins: it is re-read, see token_source.h);
// `tls.insecure_skip_verify` is set only when the kubeconfig asked for it and then no CA is set
// (callers should log a warning when it is on).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/url.h"
#include "net/tls.h"

namespace imps::kube {

struct ClusterConfig {
  http::Url server;
  net::TlsOptions tls;        // CA, client certificate/key (PEM text), SNI override, insecure
  std::string token;          // static bearer token; empty = none
  std::string token_file;     // bearer token file, re-read on rotation; empty = none
  std::string proxy_url;      // kubeconfig proxy-url (http or https); empty = HTTPS_PROXY etc.
  std::string namespace_;     // context namespace or the pod's namespace; empty = not given
  std::string source;         // "kubeconfig <path> context <name>" or "in-cluster", for messages
};

// Reads an environment variable; injectable so tests do not touch the process environment.
using EnvGetter = std::function<std::optional<std::string>(std::string_view name)>;
EnvGetter process_env();

}  // namespace imps::kube
