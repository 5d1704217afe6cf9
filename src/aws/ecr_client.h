// ECR GetAuthorizationToken on the event loop: endpoint from the region (or AWS_ENDPOINT_URL_ECR /
// AWS_ENDPOINT_URL), SigV4-signed afresh on every call (session token header included before
// signing). AWS error responses become errors naming the AWS error type and message
// ("ECR GetAuthorizationToken: UnrecognizedClientException (HTTP 400): The security token ...");
// throttling answers carry kThrottledCode so the caller backs off longer. Never retries by
// itself (the token cache schedules retries) and never puts credentials or tokens into errors.
#pragma once

#include <functional>
#include <string>

#include "aws/aws_http.h"
#include "aws/credentials.h"
#include "aws/ecr.h"
#include "aws/endpoint.h"
#include "aws/sigv4.h"

namespace imps::aws {

class EcrClient {
 public:
  EcrClient(AwsHttp& http, EndpointOverrides overrides) : http_(http), overrides_(std::move(overrides)) {}

  // `done` runs exactly once, from the loop.
  void get_authorization_token(const std::string& region, const Credentials& credentials,
                               std::function<void(Result<EcrToken>)> done);

 private:
  AwsHttp& http_;
  EndpointOverrides overrides_;
  SigningKeyCache keys_;
};

// The ECR error for a non-200 answer (exposed for tests).
Error ecr_error(const http::Response& response);

}  // namespace imps::aws
