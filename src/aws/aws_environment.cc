#include "aws/aws_environment.h"

#include <cstdlib>

namespace imps::aws {

AwsEnvironment AwsEnvironment::read(const std::function<const char*(const char*)>& lookup) {
  auto get = [&](const char* name) {
    const char* value = lookup(name);
    return std::string(value ? value : "");
  };
  AwsEnvironment env;
  env.endpoint_url = get("AWS_ENDPOINT_URL");
  env.endpoint_url_ecr = get("AWS_ENDPOINT_URL_ECR");
  env.endpoint_url_sts = get("AWS_ENDPOINT_URL_STS");
  env.ca_bundle_file = get("AWS_CA_BUNDLE");
  env.role_arn = get("AWS_ROLE_ARN");
  env.web_identity_token_file = get("AWS_WEB_IDENTITY_TOKEN_FILE");
  env.role_session_name = get("AWS_ROLE_SESSION_NAME");
  const std::string relative = get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  env.container_credentials_url =
      relative.empty() ? get("AWS_CONTAINER_CREDENTIALS_FULL_URI") : std::string(kEcsAgentBase) + relative;
  env.container_token_file = get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  env.container_token = get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  return env;
}

AwsEnvironment AwsEnvironment::from_env() {
  return read([](const char* name) { return static_cast<const char*>(std::getenv(name)); });
}

}  // namespace imps::aws
