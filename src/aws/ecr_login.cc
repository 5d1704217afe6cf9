#include "aws/ecr_login.h"

namespace imps::aws {

void EcrLogin::fetch(const CredentialSet& set, Done done) {
  credentials_.get(set, [this, set, done = std::move(done)](Result<Credentials> credentials) {
    if (!credentials.ok()) return done(std::move(credentials).error());
    const bool temporary = credentials->temporary() && credentials->expires_at_unix_ms != 0;
    ecr_.get_authorization_token(set.region, *credentials, [this, set, temporary, done](Result<EcrToken> token) {
      if (!token.ok() && token.error().kind == ErrorKind::Unauthorized && temporary) credentials_.invalidate(set);
      done(std::move(token));
    });
  });
}

}  // namespace imps::aws
