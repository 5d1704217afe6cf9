// libFuzzer harness: source Secret content. The first byte picks the format (.dockerconfigjson,
// .dockercfg, or an ECR login config whose data values are the rest split at NUL bytes); the rest
// is the Secret's decoded value. Parsed configs must render and re-parse to the same config.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "imps/docker_config.h"
#include "imps/source_secret.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  imps::SourceSecret secret;
  switch (data[0] % 3) {
    case 0:
      secret.type = imps::kTypeDockerConfigJson;
      secret.data[".dockerconfigjson"] = imps::base64_encode(body);
      break;
    case 1:
      secret.type = imps::kTypeDockerCfg;
      secret.data[".dockercfg"] = imps::base64_encode(body);
      break;
    default: {
      secret.type = imps::kTypeEcrLoginConfig;
      const char* keys[] = {"accessKeyID", "secretKey", "region", "accountID", "roleArn", "sessionToken"};
      for (const char* key : keys) {
        size_t nul = body.find('\0');
        secret.data[key] = imps::base64_encode(body.substr(0, nul));
        if (nul == std::string_view::npos) break;
        body.remove_prefix(nul + 1);
      }
    }
  }
  auto content = imps::read_source(secret);
  if (!content.ok()) return 0;
  if (auto* config = std::get_if<imps::DockerConfig>(&*content)) {
    std::string rendered = config->render();
    auto again = imps::DockerConfig::parse_config_json(rendered);
    if (!again.ok() || !(*again == *config) || again->render() != rendered) std::abort();
  } else {
    (void)imps::ecr_registry_host(std::get<imps::EcrSourceConfig>(*content));
  }
  return 0;
}
