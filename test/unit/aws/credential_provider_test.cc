#include <doctest/doctest.h>

#include <optional>

#include "aws/credential_provider.h"

using namespace imps;
using namespace imps::aws;

namespace {

struct Fixture {
  ManualClock clock;
  loop::EventLoop loop{clock};
  AwsHttp http{loop, {}};
  StsClient sts{http, {}};
  std::vector<std::string> files_read;

  CredentialProvider provider(AwsEnvironment env) {
    return CredentialProvider(http, sts, std::move(env), [this](const std::string& path) -> Result<std::string> {
      files_read.push_back(path);
      return make_error(ErrorKind::Invalid, "cannot open " + path + ": No such file or directory");
    });
  }
  Result<Credentials> get(CredentialProvider& p, const CredentialSet& set) {
    std::optional<Result<Credentials>> out;
    p.get(set, [&](Result<Credentials> r) { out.emplace(std::move(r)); });
    CHECK(!out.has_value());  // never completes inside get()
    REQUIRE(loop.run_once(0).ok());
    REQUIRE(out.has_value());
    return std::move(*out);
  }
};

}  // namespace

TEST_CASE("static keys are used as they are") {
  Fixture f;
  CredentialProvider p = f.provider({});
  auto creds = f.get(p, CredentialSet{"AKID", "secret", "tok", "us-east-1", ""});
  REQUIRE(creds.ok());
  CHECK(creds->access_key_id == "AKID");
  CHECK(creds->secret_access_key == "secret");
  CHECK(creds->session_token == "tok");
}

TEST_CASE("no keys and no ambient identity is a clear error") {
  Fixture f;
  CredentialProvider p = f.provider({});
  auto creds = f.get(p, CredentialSet{"", "", "", "us-east-1", ""});
  REQUIRE(!creds.ok());
  CHECK(creds.error().message.find("no AWS credentials") == 0);
}

TEST_CASE("IRSA reads the token file on each fetch and reports a missing file without its content") {
  Fixture f;
  AwsEnvironment env;
  env.role_arn = "arn:aws:iam::123456789012:role/irsa";
  env.web_identity_token_file = "/var/run/token";
  CredentialProvider p = f.provider(env);
  for (int i = 0; i < 2; ++i) {
    auto creds = f.get(p, CredentialSet{"", "", "", "us-east-1", ""});
    REQUIRE(!creds.ok());
    CHECK(creds.error().message.find("AWS_WEB_IDENTITY_TOKEN_FILE") == 0);
  }
  CHECK(f.files_read.size() == 2);
}

TEST_CASE("container credentials over plain http are refused for other hosts") {
  Fixture f;
  AwsEnvironment env;
  env.container_credentials_url = "http://example.com/creds";
  CredentialProvider p = f.provider(env);
  auto creds = f.get(p, CredentialSet{"", "", "", "us-east-1", ""});
  REQUIRE(!creds.ok());
  CHECK(creds.error().message.find("container credentials") == 0);
  CHECK(creds.error().kind == ErrorKind::Invalid);
}
