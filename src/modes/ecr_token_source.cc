#include "modes/ecr_token_source.h"

#include <variant>

#include "aws/aws_environment.h"
#include "aws/aws_http.h"
#include "aws/credential_provider.h"
#include "aws/ecr_client.h"
#include "aws/ecr_login.h"
#include "aws/sts_client.h"
#include "base/file.h"

namespace imps::modes {
namespace {

// A CA bundle holds a few hundred certificates at most.
constexpr size_t kMaxCaBundleBytes = 4 << 20;

}  // namespace

aws::CredentialSet credential_set(const EcrSourceConfig& config) {
  return aws::CredentialSet{config.access_key_id, config.secret_key, config.session_token, config.region,
                            config.role_arn};
}

// The real AWS clients, in dependency order (members are destroyed in reverse).
struct EcrTokens::AwsStack {
  AwsStack(loop::EventLoop& loop, aws::AwsEnvironment env, aws::AwsHttpOptions options)
      : http(loop, std::move(options)),
        sts(http, env.sts_overrides()),
        ecr(http, env.ecr_overrides()),
        credentials(http, sts, env,
                    [](const std::string& path) { return read_local_file(path, aws::kMaxIdentityTokenFileBytes); }),
        login(credentials, ecr) {}
  aws::AwsHttp http;
  aws::StsClient sts;
  aws::EcrClient ecr;
  aws::CredentialProvider credentials;
  aws::EcrLogin login;
};

Result<std::unique_ptr<EcrTokens>> EcrTokens::create(loop::EventLoop& loop, Random& random, obs::Registry& metrics) {
  aws::AwsEnvironment env = aws::AwsEnvironment::from_env();
  aws::AwsHttpOptions options;
  options.proxy = net::ProxyConfig::from_env();
  options.metrics = &metrics;
  if (!env.ca_bundle_file.empty()) {
    auto bundle = read_local_file(env.ca_bundle_file, kMaxCaBundleBytes);
    if (!bundle.ok()) return std::move(bundle).error().context("AWS_CA_BUNDLE");
    options.extra_ca_pem = std::move(bundle).value();
  }
  auto stack = std::make_unique<AwsStack>(loop, std::move(env), std::move(options));
  return std::unique_ptr<EcrTokens>(new EcrTokens(loop, std::move(stack), random, metrics));
}

EcrTokens::EcrTokens(loop::EventLoop& loop, std::unique_ptr<AwsStack> stack, Random& random, obs::Registry& metrics)
    : stack_(std::move(stack)), cache_(loop, stack_->login, random, metrics) {
  wire_cache();
}

EcrTokens::EcrTokens(loop::EventLoop& loop, aws::TokenFetcher& fetcher, Random& random, obs::Registry& metrics,
                     aws::TokenCacheOptions options)
    : cache_(loop, fetcher, random, metrics, options) {
  wire_cache();
}

void EcrTokens::wire_cache() {
  cache_.on_change([this](const std::string& id) { changed(id); });
  // A set with a known user stays however rarely it is asked for (a long resync interval).
  cache_.keep_while([this](const std::string& id) { return users_by_set_.count(id) != 0; });
}

EcrTokens::~EcrTokens() = default;

Result<EcrToken> EcrTokens::token_for(const EcrSourceConfig& config) {
  const aws::CredentialSet set = credential_set(config);
  if (!current_user_.empty()) record(current_user_, aws::credential_set_id(set));
  TRY_ASSIGN(aws::EcrToken token, cache_.token(set));
  return EcrToken{std::move(token.authorization_token), token.expires_at_unix_ms / 1000};
}

bool EcrTokens::first_tokens_pending(const std::string& user, const std::vector<const SourceSecret*>& secrets) {
  bool pending = false;
  for (const SourceSecret* secret : secrets) {
    if (!secret) continue;
    auto content = read_source(*secret);
    if (!content.ok() || !std::holds_alternative<EcrSourceConfig>(*content)) continue;
    const aws::CredentialSet set = credential_set(std::get<EcrSourceConfig>(*content));
    record(user, aws::credential_set_id(set));
    (void)cache_.token(set);  // starts the first fetch of an unknown set
    pending = cache_.pending(set) || pending;
  }
  return pending;
}

void EcrTokens::record(const std::string& user, const std::string& set_id) {
  users_by_set_[set_id].insert(user);
  sets_by_user_[user].insert(set_id);
}

EcrTokens::UserScope EcrTokens::user_scope(const std::string& user) {
  forget_user(user);
  current_user_ = user;
  return UserScope(*this);
}

void EcrTokens::forget_user(const std::string& user) {
  auto it = sets_by_user_.find(user);
  if (it == sets_by_user_.end()) return;
  for (const std::string& id : it->second) {
    auto users = users_by_set_.find(id);
    if (users == users_by_set_.end()) continue;
    users->second.erase(user);
    if (users->second.empty()) users_by_set_.erase(users);
  }
  sets_by_user_.erase(it);
}

void EcrTokens::changed(const std::string& set_id) {
  auto it = users_by_set_.find(set_id);
  if (it == users_by_set_.end() || !on_change_) return;
  const std::set<std::string> users = it->second;  // the handler may open scopes and edit the maps
  for (const std::string& user : users) on_change_(user);
}

}  // namespace imps::modes
