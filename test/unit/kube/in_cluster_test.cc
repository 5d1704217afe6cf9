#include <doctest/doctest.h>

#include <map>

#include "kube/in_cluster.h"
#include "temp_dir.h"

using namespace imps;
using namespace imps::kube;

namespace {

EnvGetter env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

void write_service_account(const test::TempDir& dir) {
  dir.write("token", "jwt\n");
  dir.write("ca.crt", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
  dir.write("namespace", "  ops\n");
}

}  // namespace

TEST_CASE("in-cluster config from the environment and the service-account files") {
  test::TempDir dir;
  write_service_account(dir);
  auto env = env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}});
  CHECK(in_cluster_env_present(env));
  auto config = load_in_cluster(env, dir.path());
  REQUIRE(config.ok());
  CHECK(config->server.host == "10.96.0.1");
  CHECK(config->server.port == 443);
  CHECK(config->server.scheme == "https");
  CHECK(config->token_file == dir.path() + "/token");
  CHECK(config->token.empty());
  CHECK(config->tls.ca_pem.find("BEGIN CERTIFICATE") != std::string::npos);
  CHECK(config->namespace_ == "ops");
  CHECK(config->source == "in-cluster");
}

TEST_CASE("in-cluster brackets IPv6 hosts") {
  test::TempDir dir;
  write_service_account(dir);
  auto config = load_in_cluster(env_of({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}}), dir.path());
  REQUIRE(config.ok());
  CHECK(config->server.host == "fd00::1");
  CHECK(config->server.port == 6443);
}

TEST_CASE("in-cluster needs both variables, the token and the CA; the namespace is optional") {
  test::TempDir dir;
  CHECK_FALSE(in_cluster_env_present(env_of({{"KUBERNETES_SERVICE_HOST", "h"}})));
  CHECK_FALSE(in_cluster_env_present(env_of({{"KUBERNETES_SERVICE_HOST", ""}, {"KUBERNETES_SERVICE_PORT", "1"}})));
  auto env = env_of({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}});
  auto no_token = load_in_cluster(env, dir.path());
  REQUIRE_FALSE(no_token.ok());
  CHECK(no_token.error().message.find("token") != std::string::npos);
  dir.write("token", "jwt");
  auto no_ca = load_in_cluster(env, dir.path());
  REQUIRE_FALSE(no_ca.ok());
  CHECK(no_ca.error().message.find("ca.crt") != std::string::npos);
  dir.write("ca.crt", "pem");
  auto no_ns = load_in_cluster(env, dir.path());
  REQUIRE(no_ns.ok());
  CHECK(no_ns->namespace_.empty());
  CHECK_FALSE(load_in_cluster(env_of({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "x"}}), dir.path()).ok());
}
