#include <doctest/doctest.h>

#include <map>

#include "base/bytes.h"
#include "base/json.h"
#include "imps/source_secret.h"

using namespace imps;

namespace {

SourceSecret secret(std::string type, std::map<std::string, std::string> plain) {
  SourceSecret s;
  s.type = std::move(type);
  for (auto& [k, v] : plain) s.data.emplace(k, base64_encode(v));
  return s;
}

class FakeEcr : public EcrTokenSource {
 public:
  Result<EcrToken> token_for(const EcrSourceConfig& config) override {
    seen.push_back(config);
    if (fail) return make_error(ErrorKind::Transient, "ECR GetAuthorizationToken: throttled");
    return EcrToken{base64_encode("AWS:pw-" + config.region), expires_at};
  }
  std::vector<EcrSourceConfig> seen;
  bool fail = false;
  int64_t expires_at = 1000;
};

const char* kDocker = R"({"auths":{"docker.io":{"auth":"YTpi"}}})";

}  // namespace

TEST_CASE("a source Secret projection is read from the API object") {
  auto doc = Json::parse(R"({"metadata":{"name":"a"},"type":"kubernetes.io/dockercfg","data":{".dockercfg":"e30="}})");
  auto s = parse_source_secret(doc->get());
  REQUIRE(s.ok());
  CHECK(s->type == kTypeDockerCfg);
  CHECK(s->data.at(".dockercfg") == "e30=");
  auto opaque = Json::parse(R"({"metadata":{"name":"a"}})");
  CHECK(parse_source_secret(opaque->get())->type == "Opaque");
  auto bad = Json::parse(R"({"data":{"a":1}})");
  CHECK_FALSE(parse_source_secret(bad->get()).ok());
}

TEST_CASE("dockerconfigjson and dockercfg sources give registry entries") {
  auto a = read_source(secret("kubernetes.io/dockerconfigjson", {{".dockerconfigjson", kDocker}}));
  REQUIRE(a.ok());
  CHECK(std::get<DockerConfig>(*a).entry("docker.io") == R"({"auth":"YTpi"})");
  auto b = read_source(secret("kubernetes.io/dockercfg", {{".dockercfg", R"({"q.io":{"auth":"x"}})"}}));
  REQUIRE(b.ok());
  CHECK(std::get<DockerConfig>(*b).entry("q.io") == R"({"auth":"x"})");
}

TEST_CASE("ECR login config: keys, session token, role, ambient identity") {
  auto r = read_source(secret("banzaicloud.io/aws-ecr-login-config",
                              {{"accessKeyID", "AKID"}, {"secretKey", "SK"}, {"region", "us-east-1\n"},
                               {"accountID", "123456789"}, {"roleArn", "arn:aws:iam::1:role/x"}, {"sessionToken", "ST"}}));
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const auto& c = std::get<EcrSourceConfig>(*r);
  CHECK(c == EcrSourceConfig{"AKID", "SK", "ST", "us-east-1", "123456789", "arn:aws:iam::1:role/x"});
  CHECK_FALSE(c.ambient());
  CHECK(ecr_registry_host(c) == "123456789.dkr.ecr.us-east-1.amazonaws.com");

  auto ambient = read_source(secret("banzaicloud.io/aws-ecr-login-config",
                                    {{"accessKeyID", ""}, {"region", "cn-north-1"}, {"accountID", "42"}}));
  REQUIRE(ambient.ok());
  CHECK(std::get<EcrSourceConfig>(*ambient).ambient());
  CHECK(ecr_registry_host(std::get<EcrSourceConfig>(*ambient)) == "42.dkr.ecr.cn-north-1.amazonaws.com.cn");
}

TEST_CASE("bad sources give an error text that holds no secret value") {
  const std::string ecr = "banzaicloud.io/aws-ecr-login-config";
  struct Row {
    SourceSecret source;
    const char* message;
  } rows[] = {
      {secret("Opaque", {{".dockerconfigjson", kDocker}}), R"(unsupported Secret type "Opaque")"},
      {secret("kubernetes.io/dockerconfigjson", {}), R"(key ".dockerconfigjson" is missing)"},
      {secret("kubernetes.io/dockercfg", {{".dockerconfigjson", kDocker}}), R"(key ".dockercfg" is missing)"},
      {SourceSecret{"kubernetes.io/dockerconfigjson", {{".dockerconfigjson", "s3cr3t!"}}},
       R"(key ".dockerconfigjson" is not valid base64)"},
      {secret("kubernetes.io/dockerconfigjson", {{".dockerconfigjson", R"({"auths":{"a":"s3cr3t"}})"}}),
       R"(.dockerconfigjson auths: entry for registry "a" is not an object)"},
      {secret("kubernetes.io/dockerconfigjson", {{".dockerconfigjson", R"({"auths":{"a":{"p":"s3cr3t"})"}}),
       nullptr},
      {secret(ecr, {{"accessKeyID", "s3cr3t"}, {"secretKey", "s3cr3t"}, {"accountID", "1"}}),
       R"(key "region" is missing or empty)"},
      {secret(ecr, {{"accessKeyID", "s3cr3t"}, {"secretKey", "s3cr3t"}, {"region", "r"}}),
       R"(key "accountID" is missing or empty)"},
      {secret(ecr, {{"accessKeyID", "s3cr3t"}, {"region", "r"}, {"accountID", "1"}}),
       R"(keys "accessKeyID" and "secretKey" must be set together)"},
      {SourceSecret{ecr, {{"region", "cg=="}, {"accountID", "MQ=="}, {"secretKey", "s3cr3t"}}},
       R"(key "secretKey" is not valid base64)"},
  };
  for (const Row& row : rows) {
    auto r = read_source(row.source);
    REQUIRE_FALSE(r.ok());
    if (row.message) CHECK(r.error().message == row.message);
    CHECK(r.error().message.find("s3cr3t") == std::string::npos);
  }
}

TEST_CASE("an oversized value is refused before decoding") {
  SourceSecret big{"kubernetes.io/dockerconfigjson", {{".dockerconfigjson", std::string(2 * 1024 * 1024, 'A')}}};
  auto r = read_source(big);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::TooLarge);
}

TEST_CASE("an ECR token becomes a registry entry with username AWS") {
  EcrSourceConfig c{"", "", "", "eu-central-1", "999", ""};
  auto entry = ecr_docker_config(c, EcrToken{base64_encode("AWS:pass"), 5});
  REQUIRE(entry.ok());
  CHECK(entry->render() == R"({"auths":{"999.dkr.ecr.eu-central-1.amazonaws.com":{"username":"AWS","password":"pass","auth":"QVdTOnBhc3M="}}})");
  CHECK_FALSE(ecr_docker_config(c, EcrToken{base64_encode("bob:pass"), 5}).ok());
  CHECK_FALSE(ecr_docker_config(c, EcrToken{"!!", 5}).ok());
}

TEST_CASE("resolving sources: missing, docker, ECR and ECR failure") {
  FakeEcr ecr;
  SourceSecret docker = secret("kubernetes.io/dockerconfigjson", {{".dockerconfigjson", kDocker}});
  SourceSecret aws = secret("banzaicloud.io/aws-ecr-login-config", {{"region", "us-east-1"}, {"accountID", "1"}});
  SourceOutcome missing = resolve_source({"ns", "gone"}, nullptr, ecr);
  CHECK(missing.key == "ns.gone");
  CHECK(missing.error == "Secret ns/gone not found");
  SourceOutcome d = resolve_source({"ns", "d"}, &docker, ecr);
  CHECK(d.error.empty());
  CHECK(d.expires_at == 0);
  SourceOutcome e = resolve_source({"ns", "e"}, &aws, ecr);
  CHECK(e.error.empty());
  CHECK(e.expires_at == 1000);
  CHECK(e.config.entry("1.dkr.ecr.us-east-1.amazonaws.com").find("pw-us-east-1") != std::string::npos);
  REQUIRE(ecr.seen.size() == 1);
  CHECK(ecr.seen[0].ambient());
  ecr.fail = true;
  SourceOutcome f = resolve_source({"ns", "e"}, &aws, ecr);
  CHECK(f.error == "ECR GetAuthorizationToken: throttled");
  CHECK(f.config.empty());
}

TEST_CASE("merging outcomes: order, status, earliest expiry, failures keep last good config") {
  DockerConfig first, second, kept;
  auto entry = [](const char* auth) { return Json::parse(std::string(R"({"auth":")") + auth + "\"}"); };
  first.set("a.io", entry("1")->get());
  second.set("a.io", entry("2")->get());
  second.set("b.io", entry("2")->get());
  kept.set("c.io", entry("k")->get());
  std::vector<SourceOutcome> outcomes = {
      {"ns.first", "", first, 0},
      {"ns.second", "", second, 900},
      {"ns.broken", "Secret ns/broken not found", DockerConfig(), 0},
      {"ns.kept", "ECR: throttled", kept, 500},
  };
  MergedSources m = merge_sources(outcomes);
  CHECK(m.config.render() == R"({"auths":{"a.io":{"auth":"2"},"b.io":{"auth":"2"},"c.io":{"auth":"k"}}})");
  CHECK(m.status == StringMap{{"ns.first", "Ok"}, {"ns.second", "Ok"}, {"ns.broken", "Secret ns/broken not found"},
                              {"ns.kept", "ECR: throttled"}});
  CHECK(m.earliest_expiry == 500);
  CHECK_FALSE(m.all_ok);
  MergedSources ok = merge_sources({outcomes[0], outcomes[1]});
  CHECK(ok.all_ok);
  CHECK(ok.earliest_expiry == 900);
  CHECK(merge_sources({}).earliest_expiry == 0);
}
