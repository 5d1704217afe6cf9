#include <doctest/doctest.h>

#include <map>
#include <string>

#include "aws/aws_environment.h"

using namespace imps::aws;

namespace {

AwsEnvironment read(const std::map<std::string, std::string>& vars) {
  return AwsEnvironment::read([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

}  // namespace

TEST_CASE("an empty environment has no overrides and no ambient identity") {
  AwsEnvironment env = read({});
  CHECK(env.ecr_overrides().service_url.empty());
  CHECK(env.ecr_overrides().global_url.empty());
  CHECK(!env.has_web_identity());
  CHECK(!env.has_container_credentials());
}

TEST_CASE("service endpoint overrides win over the global one, per service") {
  AwsEnvironment env = read({{"AWS_ENDPOINT_URL", "https://all"}, {"AWS_ENDPOINT_URL_ECR", "https://ecr"}});
  CHECK(env.ecr_overrides().service_url == "https://ecr");
  CHECK(env.sts_overrides().service_url.empty());
  CHECK(env.sts_overrides().global_url == "https://all");
}

TEST_CASE("IRSA needs both the role and the token file") {
  CHECK(!read({{"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/x"}}).has_web_identity());
  CHECK(read({{"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/x"}, {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}})
            .has_web_identity());
}

TEST_CASE("the container URL: the ECS relative URI wins over the full URI") {
  CHECK(read({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"}})
            .container_credentials_url == "http://169.254.170.23/v1/credentials");
  CHECK(read({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://x/"}, {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/c"}})
            .container_credentials_url == "http://169.254.170.2/v2/c");
}
