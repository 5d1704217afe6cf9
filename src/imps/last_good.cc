#include "imps/last_good.h"

#include "base/bytes.h"
#include "base/json.h"
#include "imps/target_secret.h"

namespace imps {

int64_t entry_expiry(std::string_view entry_json) {
  auto entry = Json::parse(entry_json);
  if (!entry.ok()) return 0;
  auto decoded = base64_decode(json_string_or(entry->get(), "password"));
  if (!decoded.ok()) return 0;
  auto token = Json::parse(*decoded);
  if (!token.ok()) return 0;
  std::optional<double> expiration = json_number(token->get(), "expiration");
  return expiration && *expiration > 0 ? static_cast<int64_t>(*expiration) : 0;
}

Result<DockerConfig> secret_document(const cJSON* secret) {
  const std::string encoded = json_string_or(json_member(secret, "data"), std::string(kDockerConfigJsonKey).c_str());
  if (encoded.empty()) return DockerConfig();
  auto text = base64_decode(encoded);
  if (!text.ok()) return make_error(ErrorKind::Invalid, ".dockerconfigjson is not valid base64");
  return DockerConfig::parse_config_json(*text);
}

KeptCredentials keep_last_good(const DockerConfig& working, const DockerConfig& current, int64_t now) {
  KeptCredentials out;
  out.config = working;
  for (const auto& [registry, entry] : current.entries()) {
    if (!working.entry(registry).empty()) continue;
    const int64_t expiry = entry_expiry(entry);
    if (expiry != 0 && expiry <= now) continue;
    auto parsed = Json::parse(entry);
    if (!parsed.ok()) continue;
    out.config.set(registry, parsed->get());
    if (expiry != 0 && (out.earliest_expiry == 0 || expiry < out.earliest_expiry)) out.earliest_expiry = expiry;
  }
  return out;
}

int64_t ms_until_kept_expiry(const KeptCredentials& kept, int64_t now) {
  constexpr int64_t kMarginMs = 1'000;
  return kept.earliest_expiry == 0 ? 0 : (kept.earliest_expiry - now) * 1000 + kMarginMs;
}

}  // namespace imps
