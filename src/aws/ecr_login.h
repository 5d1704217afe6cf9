// The real TokenFetcher: credentials for the set (credential_provider.h), then ECR
// GetAuthorizationToken in the set's region. When AWS rejects temporary credentials as expired
// or unknown, they are dropped from the provider's cache so the next attempt (scheduled by the
// token cache) fetches new ones. Errors name the failing step; they never hold key material.
#pragma once

#include "aws/credential_provider.h"
#include "aws/ecr_client.h"
#include "aws/token_cache.h"

namespace imps::aws {

class EcrLogin : public TokenFetcher {
 public:
  EcrLogin(CredentialProvider& credentials, EcrClient& ecr) : credentials_(credentials), ecr_(ecr) {}
  void fetch(const CredentialSet& set, Done done) override;

 private:
  CredentialProvider& credentials_;
  EcrClient& ecr_;
};

}  // namespace imps::aws
