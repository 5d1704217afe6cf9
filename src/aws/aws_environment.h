// The AWS settings imps takes from its environment, as the AWS SDKs name them: endpoint
// overrides (AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL), extra trusted CAs
// (AWS_CA_BUNDLE, a file path), and the ambient identity: IRSA (AWS_ROLE_ARN +
// AWS_WEB_IDENTITY_TOKEN_FILE, optional AWS_ROLE_SESSION_NAME) and the container provider
// (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// or AWS_CONTAINER_AUTHORIZATION_TOKEN). Plain data; reading the files is the caller's business.
// Does not read shared config or credential files (~/.aws): a pod has none.
#pragma once

#include <functional>
#include <string>

#include "aws/endpoint.h"

namespace imps::aws {

// ECS's agent address, prefixed to AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (botocore's rule).
inline constexpr std::string_view kEcsAgentBase = "http://169.254.170.2";

struct AwsEnvironment {
  std::string endpoint_url;      // AWS_ENDPOINT_URL
  std::string endpoint_url_ecr;  // AWS_ENDPOINT_URL_ECR
  std::string endpoint_url_sts;  // AWS_ENDPOINT_URL_STS
  std::string ca_bundle_file;    // AWS_CA_BUNDLE

  std::string role_arn;                 // AWS_ROLE_ARN
  std::string web_identity_token_file;  // AWS_WEB_IDENTITY_TOKEN_FILE
  std::string role_session_name;        // AWS_ROLE_SESSION_NAME; empty: a generated name

  std::string container_credentials_url;  // FULL_URI, or the ECS agent + RELATIVE_URI (which wins)
  std::string container_token_file;       // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (wins)
  std::string container_token;            // AWS_CONTAINER_AUTHORIZATION_TOKEN; never logged

  // Reads the variables through `lookup` (nullptr = unset); from_env() uses getenv.
  static AwsEnvironment read(const std::function<const char*(const char*)>& lookup);
  static AwsEnvironment from_env();

  EndpointOverrides ecr_overrides() const { return {endpoint_url_ecr, endpoint_url}; }
  EndpointOverrides sts_overrides() const { return {endpoint_url_sts, endpoint_url}; }
  // IRSA wins over the container provider when both are configured, as in botocore's chain.
  bool has_web_identity() const { return !role_arn.empty() && !web_identity_token_file.empty(); }
  bool has_container_credentials() const { return !container_credentials_url.empty(); }
};

}  // namespace imps::aws
