// Source Secrets named by spec.registry.credentials, turned into registry credentials.
// A source is a dockerconfigjson or dockercfg Secret (its entries are used as they are) or an
// aws-ecr-login-config Secret (an EcrSourceConfig; its token comes from an EcrTokenSource the
// caller supplies, which owns fetching, caching and refreshing). Sources merge in list order,
// the later winning per registry. Error texts name the source, the key and the kind of fault,
// never a value read from the Secret.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "imps/docker_config.h"
#include "imps/resource.h"
#include "imps/string_map.h"

namespace imps {

inline constexpr std::string_view kTypeDockerConfigJson = "kubernetes.io/dockerconfigjson";
inline constexpr std::string_view kTypeDockerCfg = "kubernetes.io/dockercfg";
inline constexpr std::string_view kTypeEcrLoginConfig = "banzaicloud.io/aws-ecr-login-config";

// The projection of a source Secret: its type and data (values base64, as the API returns them).
struct SourceSecret {
  std::string type;
  StringMap data;
};
Result<SourceSecret> parse_source_secret(const cJSON* secret);

struct EcrSourceConfig {
  std::string access_key_id;
  std::string secret_key;
  std::string session_token;
  std::string region;
  std::string account_id;
  std::string role_arn;  // assume this role first, when set
  // No static keys: use the pod's ambient AWS identity (IRSA, EKS Pod Identity).
  bool ambient() const { return access_key_id.empty() && secret_key.empty(); }
  bool operator==(const EcrSourceConfig&) const = default;
};
// <account>.dkr.ecr.<region>.amazonaws.com, .amazonaws.com.cn for cn-* regions.
std::string ecr_registry_host(const EcrSourceConfig& config);

using SourceContent = std::variant<DockerConfig, EcrSourceConfig>;
Result<SourceContent> read_source(const SourceSecret& secret);

// An ECR authorization token as GetAuthorizationToken returns it.
struct EcrToken {
  std::string authorization_token;  // base64 of "AWS:<password>"
  int64_t expires_at = 0;           // Unix seconds
};
class EcrTokenSource {
 public:
  virtual ~EcrTokenSource() = default;
  // The current token for this credential set, or why there is none (without secrets).
  virtual Result<EcrToken> token_for(const EcrSourceConfig& config) = 0;
};
// The registry entry for an ECR token: username AWS, password from the token, auth = the token.
Result<DockerConfig> ecr_docker_config(const EcrSourceConfig& config, const EcrToken& token);

// What one source contributes. A failed source may still carry its last good config (the
// controller keeps it until it expires); it is merged all the same and its error reported.
struct SourceOutcome {
  std::string key;    // "<ns>.<name>"
  std::string error;  // empty when the source is Ok
  DockerConfig config;
  int64_t expires_at = 0;  // Unix seconds, 0 when nothing in it expires
};
// `secret` is null when the Secret does not exist.
SourceOutcome resolve_source(const SourceRef& ref, const SourceSecret* secret, EcrTokenSource& ecr);

struct MergedSources {
  DockerConfig config;
  StringMap status;  // status.sourceSecretStatus
  int64_t earliest_expiry = 0;  // 0 when nothing expires
  bool all_ok = true;
};
MergedSources merge_sources(const std::vector<SourceOutcome>& outcomes);

}  // namespace imps
