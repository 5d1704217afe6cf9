#include "kube/in_cluster.h"

#include <cstdlib>

#include "base/file.h"
#include "kube/token_source.h"

namespace imps::kube {
namespace {

constexpr const char* kHostVar = "KUBERNETES_SERVICE_HOST";
constexpr const char* kPortVar = "KUBERNETES_SERVICE_PORT";
// The CA bundle from kube-root-ca.crt: a few certificates; bounded like any other local file.
constexpr size_t kMaxCaBytes = 1 << 20;
// A namespace name is at most 63 characters; leave room for stray whitespace.
constexpr size_t kMaxNamespaceFileBytes = 4 << 10;

std::string env_or_empty(const EnvGetter& env, std::string_view name) { return env(name).value_or(""); }

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

EnvGetter process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

bool in_cluster_env_present(const EnvGetter& env) {
  return !env_or_empty(env, kHostVar).empty() && !env_or_empty(env, kPortVar).empty();
}

Result<ClusterConfig> load_in_cluster(const EnvGetter& env, const std::string& root) {
  const std::string host = env_or_empty(env, kHostVar);
  const std::string port = env_or_empty(env, kPortVar);
  if (host.empty() || port.empty())
    return make_error(ErrorKind::Invalid, std::string("in-cluster: ") + kHostVar + " and " + kPortVar + " must both be set");

  const bool ipv6 = host.find(':') != std::string::npos;
  const std::string server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  auto url = http::parse_url(server);
  if (!url.ok()) return std::move(url).error().context("in-cluster: server " + server);

  ClusterConfig config;
  config.server = std::move(url).value();
  config.source = "in-cluster";
  config.token_file = root + "/token";
  // Fail at start-up, not on the first request, when the service account is not mounted.
  auto token = read_local_file(config.token_file, kMaxTokenFileBytes);
  if (!token.ok()) return std::move(token).error().context("in-cluster");

  auto ca = read_local_file(root + "/ca.crt", kMaxCaBytes);
  if (!ca.ok()) return std::move(ca).error().context("in-cluster");
  config.tls.ca_pem = std::move(ca).value();

  // Optional: a pod always has one, but a hand-made service-account mount may not.
  auto ns = read_local_file(root + "/namespace", kMaxNamespaceFileBytes);
  if (ns.ok()) config.namespace_ = std::string(trim(*ns));
  return config;
}

}  // namespace imps::kube
