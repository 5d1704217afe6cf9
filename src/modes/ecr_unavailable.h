// The controller's ECR seam: every aws-ecr-login-config source gets its token through an
// imps::EcrTokenSource. Until the ECR client is wired in, this one answers every request with
// the same error, which the resource reports in status.sourceSecretStatus (other sources of the
// resource are still written). Replace this file's use in controller wiring, nothing else.
#pragma once

#include "imps/source_secret.h"

namespace imps::modes {

class UnavailableEcrTokens : public EcrTokenSource {
 public:
  Result<EcrToken> token_for(const EcrSourceConfig&) override {
    return make_error(ErrorKind::Invalid, "ECR support is not implemented yet");
  }
};

}  // namespace imps::modes
