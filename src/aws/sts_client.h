// STS on the event loop: AssumeRole signed with the caller's credentials, and the unsigned
// AssumeRoleWithWebIdentity, both at the regional endpoint (or AWS_ENDPOINT_URL_STS /
// AWS_ENDPOINT_URL). Answers are XML; errors name the STS code ("STS AssumeRole: AccessDenied
// (HTTP 403): ..."), never a key, token or web-identity JWT. No retries and no caching here
// (credential_provider.h caches).
#pragma once

#include <functional>
#include <string>

#include "aws/aws_http.h"
#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/sigv4.h"
#include "aws/sts.h"

namespace imps::aws {

class StsClient {
 public:
  using Done = std::function<void(Result<Credentials>)>;
  StsClient(AwsHttp& http, EndpointOverrides overrides) : http_(http), overrides_(std::move(overrides)) {}

  void assume_role(const std::string& region, const Credentials& credentials, const AssumeRoleParams& params,
                   Done done);
  void assume_role_with_web_identity(const std::string& region, const WebIdentityParams& params, Done done);

 private:
  void send(const char* operation, const std::string& region, Result<http::Request> request,
            std::optional<Credentials> credentials, Done done);

  AwsHttp& http_;
  EndpointOverrides overrides_;
  SigningKeyCache keys_;
};

// The STS error for a non-200 answer (exposed for tests).
Error sts_error(const char* operation, const http::Response& response);

}  // namespace imps::aws
