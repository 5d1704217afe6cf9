#include "aws/credential_provider.h"

#include "aws/aws_error.h"
#include "aws/container_credentials.h"
#include "http/url.h"

namespace imps::aws {
namespace {

constexpr std::string_view kAmbientKey = "ambient";

std::string ambient_key(const std::string& region) { return std::string(kAmbientKey) + "/" + region; }

}  // namespace

CredentialProvider::CredentialProvider(AwsHttp& http, StsClient& sts, AwsEnvironment env, ReadFile read_file)
    : http_(http), sts_(sts), env_(std::move(env)), read_file_(std::move(read_file)) {}

const Credentials* CredentialProvider::cached(const std::string& key) const {
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  const int64_t now = http_.loop().clock().wall_unix_ms();
  const int64_t expires = it->second.expires_at_unix_ms;
  if (expires != 0 && now >= expires - kCredentialRefreshMarginMs) return nullptr;
  return &it->second;
}

CredentialProvider::Done CredentialProvider::storing(const std::string& key, Done done) {
  return [this, key, done = std::move(done)](Result<Credentials> result) {
    if (result.ok()) cache_[key] = *result;
    done(std::move(result));
  };
}

void CredentialProvider::get(const CredentialSet& set, Done done) {
  if (set.role_arn.empty() && !set.ambient()) {
    Credentials keys{set.access_key_id, set.secret_access_key, set.session_token, 0};
    http_.defer([done = std::move(done), keys = std::move(keys)] { done(keys); });
    return;
  }
  if (set.role_arn.empty()) return ambient(set.region, std::move(done));
  const std::string key = credential_set_id(set);
  if (const Credentials* hit = cached(key)) {
    http_.defer([done = std::move(done), creds = *hit] { done(creds); });
    return;
  }
  if (!set.ambient()) {
    return assume_role(set, Credentials{set.access_key_id, set.secret_access_key, set.session_token, 0},
                       storing(key, std::move(done)));
  }
  ambient(set.region, [this, set, done = storing(key, std::move(done))](Result<Credentials> base) {
    if (!base.ok()) return done(std::move(base).error());
    assume_role(set, *base, done);
  });
}

void CredentialProvider::invalidate(const CredentialSet& set) {
  cache_.erase(credential_set_id(set));
  if (set.ambient()) {
    cache_.erase(ambient_key(set.region));
    cache_.erase(std::string(kAmbientKey));
  }
}

void CredentialProvider::assume_role(const CredentialSet& set, const Credentials& base, Done done) {
  AssumeRoleParams params;
  params.role_arn = set.role_arn;
  params.role_session_name = env_.role_session_name.empty()
                                 ? default_role_session_name(http_.loop().clock().wall_unix_ms() / 1000)
                                 : env_.role_session_name;
  sts_.assume_role(set.region, base, params, std::move(done));
}

void CredentialProvider::ambient(const std::string& region, Done done) {
  if (env_.has_web_identity()) return web_identity(region, std::move(done));
  if (env_.has_container_credentials()) return container(std::move(done));
  Error error = make_error(ErrorKind::Invalid,
                           "no AWS credentials: the source has no accessKeyID/secretKey and no ambient identity "
                           "(AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or AWS_CONTAINER_CREDENTIALS_FULL_URI) "
                           "is configured");
  http_.defer([done = std::move(done), error = std::move(error)] { done(error); });
}

void CredentialProvider::web_identity(const std::string& region, Done done) {
  const std::string key = ambient_key(region);
  if (const Credentials* hit = cached(key)) {
    http_.defer([done = std::move(done), creds = *hit] { done(creds); });
    return;
  }
  auto token = read_file_(env_.web_identity_token_file);
  if (!token.ok()) {
    Error error = std::move(token).error().context("AWS_WEB_IDENTITY_TOKEN_FILE");
    http_.defer([done = std::move(done), error = std::move(error)] { done(error); });
    return;
  }
  std::string jwt = std::move(token).value();
  while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == '\r' || jwt.back() == ' ')) jwt.pop_back();
  WebIdentityParams params;
  params.role_arn = env_.role_arn;
  params.role_session_name = env_.role_session_name.empty()
                                 ? default_role_session_name(http_.loop().clock().wall_unix_ms() / 1000)
                                 : env_.role_session_name;
  params.web_identity_token = std::move(jwt);
  sts_.assume_role_with_web_identity(region, params, storing(key, std::move(done)));
}

void CredentialProvider::container(Done done) {
  auto fail = [this, &done](Error error) {
    http_.defer([done = std::move(done), error = std::move(error).context("container credentials")] { done(error); });
  };
  const std::string key(kAmbientKey);
  if (const Credentials* hit = cached(key)) {
    http_.defer([done = std::move(done), creds = *hit] { done(creds); });
    return;
  }
  auto url = http::parse_url(env_.container_credentials_url);
  if (!url.ok()) return fail(std::move(url).error());
  if (!container_credentials_url_allowed(url->scheme, url->host))
    return fail(make_error(ErrorKind::Invalid, "plain http is only allowed to loopback and the AWS agent addresses"));
  http::Request request;
  request.headers.push_back({"Accept", "application/json"});
  if (!env_.container_token_file.empty() || !env_.container_token.empty()) {
    Result<std::string> raw = env_.container_token_file.empty() ? Result<std::string>(env_.container_token)
                                                                : read_file_(env_.container_token_file);
    if (!raw.ok()) return fail(std::move(raw).error());
    auto token = container_authorization_token(*raw);
    if (!token.ok()) return fail(std::move(token).error());
    request.headers.push_back({"Authorization", *token});
  }
  auto target = http_.target(env_.container_credentials_url);
  if (!target.ok()) return fail(std::move(target).error());
  request.target = target->path;
  request.timeout_ms = kAwsRequestTimeoutMs;
  target->client->send(std::move(request), [done = storing(key, std::move(done))](Result<http::Response> r) {
    if (!r.ok()) return done(std::move(r).error().context("container credentials"));
    if (r->status != 200) {
      return done(make_error(r->status >= 500 || r->status == 429 ? ErrorKind::Transient : ErrorKind::Forbidden,
                             "container credentials: HTTP " + std::to_string(r->status) + ": " +
                                 sanitise_error_message(r->body),
                             r->status));
    }
    auto credentials = parse_container_credentials(r->body);
    if (!credentials.ok()) return done(std::move(credentials).error().context("container credentials"));
    done(std::move(credentials).value());
  });
}

}  // namespace imps::aws
