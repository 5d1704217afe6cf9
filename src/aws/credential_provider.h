// The credentials an ECR call for one credential set is signed with, in the order README.md's ECR section gives:
//  - static keys from the source Secret (with its optional session token);
//  - no keys: the pod's ambient identity: IRSA (AssumeRoleWithWebIdentity, unsigned, with the
//    token file re-read on every fetch because the kubelet rotates it) when AWS_ROLE_ARN and
//    AWS_WEB_IDENTITY_TOKEN_FILE are set, else the container provider (EKS Pod Identity / ECS:
//    GET the agent URL with the token file's content as Authorization; plain http only to the
//    loopback and agent link-local addresses);
//  - with roleArn: STS AssumeRole signed with the credentials above.
// Temporary credentials are cached until kCredentialRefreshMarginMs before they expire;
// invalidate() drops them (after AWS called them expired or unknown).
// Errors say which step failed and never contain keys, tokens or file contents.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "aws/aws_environment.h"
#include "aws/aws_http.h"
#include "aws/credentials.h"
#include "aws/sts_client.h"
#include "aws/token_cache.h"

namespace imps::aws {

// Temporary credentials are replaced this long before they expire, so a signed call never races
// their expiry (botocore refreshes 15 min ahead for 1 h credentials; 5 min suits our short calls).
constexpr Millis kCredentialRefreshMarginMs = 5 * 60 * 1000;
// Token files hold one JWT of about 1 KiB.
constexpr size_t kMaxIdentityTokenFileBytes = 64 * 1024;

class CredentialProvider {
 public:
  using Done = std::function<void(Result<Credentials>)>;
  // Reads a small local file (the caller's I/O helper); errors must not quote the content.
  using ReadFile = std::function<Result<std::string>(const std::string& path)>;

  CredentialProvider(AwsHttp& http, StsClient& sts, AwsEnvironment env, ReadFile read_file);

  // `done` runs exactly once, from the loop, never inside get().
  void get(const CredentialSet& set, Done done);
  void invalidate(const CredentialSet& set);

 private:
  void ambient(const std::string& region, Done done);
  void web_identity(const std::string& region, Done done);
  void container(Done done);
  void assume_role(const CredentialSet& set, const Credentials& base, Done done);
  const Credentials* cached(const std::string& key) const;
  // Wraps `done` so a success is cached under `key` first.
  Done storing(const std::string& key, Done done);

  AwsHttp& http_;
  StsClient& sts_;
  AwsEnvironment env_;
  ReadFile read_file_;
  std::map<std::string, Credentials> cache_;  // temporary credentials only
};

}  // namespace imps::aws
