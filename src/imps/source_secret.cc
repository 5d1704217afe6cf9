#include "imps/source_secret.h"

#include "base/bytes.h"
#include "base/json.h"

namespace imps {
namespace {

// The API server's cap on a whole Secret: no single key can legitimately be larger.
constexpr size_t kMaxSecretBytes = 1024 * 1024;

Error invalid(std::string what) { return make_error(ErrorKind::Invalid, std::move(what)); }

// The decoded value of `key`; absent → nullopt.
Result<std::optional<std::string>> data_value(const SourceSecret& secret, std::string_view key) {
  auto it = secret.data.find(key);
  if (it == secret.data.end()) return std::optional<std::string>();
  if (it->second.size() > kMaxSecretBytes / 3 * 4 + 4)
    return make_error(ErrorKind::TooLarge, "key " + quoted(key) + " is larger than a Secret may be");
  auto decoded = base64_decode(it->second);
  if (!decoded.ok()) return invalid("key " + quoted(key) + " is not valid base64");
  return std::optional<std::string>(std::move(decoded).value());
}

Result<std::string> required_value(const SourceSecret& secret, std::string_view key) {
  TRY_ASSIGN(std::optional<std::string> value, data_value(secret, key));
  if (!value) return invalid("key " + quoted(key) + " is missing");
  return std::move(*value);
}

// Values typed with `echo` carry a trailing newline that would break a region or account id.
std::string trimmed(std::string_view s) {
  const char* space = " \t\r\n";
  size_t begin = s.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  return std::string(s.substr(begin, s.find_last_not_of(space) - begin + 1));
}

Result<std::string> ecr_field(const SourceSecret& secret, std::string_view key, bool required) {
  TRY_ASSIGN(std::optional<std::string> value, data_value(secret, key));
  std::string out = value ? trimmed(*value) : std::string();
  if (required && out.empty()) return invalid("key " + quoted(key) + " is missing or empty");
  return out;
}

Result<EcrSourceConfig> read_ecr_config(const SourceSecret& secret) {
  EcrSourceConfig c;
  TRY_ASSIGN(c.access_key_id, ecr_field(secret, "accessKeyID", false));
  TRY_ASSIGN(c.secret_key, ecr_field(secret, "secretKey", false));
  TRY_ASSIGN(c.session_token, ecr_field(secret, "sessionToken", false));
  TRY_ASSIGN(c.region, ecr_field(secret, "region", true));
  TRY_ASSIGN(c.account_id, ecr_field(secret, "accountID", true));
  TRY_ASSIGN(c.role_arn, ecr_field(secret, "roleArn", false));
  if (c.access_key_id.empty() != c.secret_key.empty())
    return invalid("keys \"accessKeyID\" and \"secretKey\" must be set together");
  return c;
}

}  // namespace

Result<SourceSecret> parse_source_secret(const cJSON* secret) {
  if (!cJSON_IsObject(secret)) return invalid("Secret: not a JSON object");
  SourceSecret out;
  out.type = json_string_or(secret, "type", "Opaque");
  TRY_ASSIGN(out.data, parse_string_map(json_member(secret, "data"), "Secret data"));
  return out;
}

std::string ecr_registry_host(const EcrSourceConfig& config) {
  bool china = config.region.rfind("cn-", 0) == 0;
  return config.account_id + ".dkr.ecr." + config.region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

Result<SourceContent> read_source(const SourceSecret& secret) {
  if (secret.type == kTypeDockerConfigJson) {
    TRY_ASSIGN(std::string text, required_value(secret, ".dockerconfigjson"));
    TRY_ASSIGN(DockerConfig config, DockerConfig::parse_config_json(text));
    return SourceContent(std::move(config));
  }
  if (secret.type == kTypeDockerCfg) {
    TRY_ASSIGN(std::string text, required_value(secret, ".dockercfg"));
    TRY_ASSIGN(DockerConfig config, DockerConfig::parse_dockercfg(text));
    return SourceContent(std::move(config));
  }
  if (secret.type == kTypeEcrLoginConfig) {
    TRY_ASSIGN(EcrSourceConfig config, read_ecr_config(secret));
    return SourceContent(std::move(config));
  }
  return invalid("unsupported Secret type " + quoted(secret.type));
}

Result<DockerConfig> ecr_docker_config(const EcrSourceConfig& config, const EcrToken& token) {
  auto decoded = base64_decode(token.authorization_token);
  constexpr std::string_view kUserPrefix = "AWS:";
  if (!decoded.ok() || decoded->rfind(kUserPrefix, 0) != 0)
    return invalid("ECR returned a malformed authorization token");
  Json entry = Json::object();
  json_set_string(entry.get(), "username", "AWS");
  json_set_string(entry.get(), "password", std::string_view(*decoded).substr(kUserPrefix.size()));
  json_set_string(entry.get(), "auth", token.authorization_token);
  DockerConfig out;
  out.set(ecr_registry_host(config), entry.get());
  return out;
}

SourceOutcome resolve_source(const SourceRef& ref, const SourceSecret* secret, EcrTokenSource& ecr) {
  SourceOutcome out;
  out.key = ref.key();
  if (!secret) {
    out.error = "Secret " + ref.namespace_name + "/" + ref.name + " not found";
    return out;
  }
  auto content = read_source(*secret);
  if (!content.ok()) {
    out.error = content.error().message;
    return out;
  }
  if (auto* config = std::get_if<DockerConfig>(&*content)) {
    out.config = std::move(*config);
    return out;
  }
  const auto& ecr_config = std::get<EcrSourceConfig>(*content);
  auto token = ecr.token_for(ecr_config);
  if (!token.ok()) {
    out.error = token.error().message;
    return out;
  }
  auto config = ecr_docker_config(ecr_config, *token);
  if (!config.ok()) {
    out.error = config.error().message;
    return out;
  }
  out.config = std::move(config).value();
  out.expires_at = token->expires_at;
  return out;
}

MergedSources merge_sources(const std::vector<SourceOutcome>& outcomes) {
  MergedSources out;
  for (const SourceOutcome& o : outcomes) {
    out.config.merge(o.config);
    out.status.insert_or_assign(o.key, o.error.empty() ? std::string(kSourceOk) : o.error);
    if (!o.error.empty()) out.all_ok = false;
    if (o.expires_at > 0 && !o.config.empty() &&
        (out.earliest_expiry == 0 || o.expires_at < out.earliest_expiry))
      out.earliest_expiry = o.expires_at;
  }
  return out;
}

}  // namespace imps
