#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "base/bytes.h"
#include "kube/kubeconfig.h"
#include "temp_dir.h"

using namespace imps;
using namespace imps::kube;

namespace {

const std::string kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
const std::string kCert = "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n";

// A kind-style kubeconfig with embedded data.
std::string kind_config() {
  return "apiVersion: v1\nkind: Config\ncurrent-context: kind-dev\n"
         "preferences: {}\n"
         "clusters:\n- name: kind-dev\n  cluster:\n    server: https://127.0.0.1:35541\n"
         "    certificate-authority-data: " + base64_encode(kCa) + "\n"
         "    extensions: [{name: x, extension: {a: 1}}]\n"
         "contexts:\n- name: kind-dev\n  context: {cluster: kind-dev, user: kind-dev, namespace: team}\n"
         "users:\n- name: kind-dev\n  user:\n    client-certificate-data: " + base64_encode(kCert) + "\n"
         "    client-key-data: " + base64_encode(kKey) + "\n";
}

Result<ClusterConfig> parse_one(const std::string& yaml, std::string_view context = {}) {
  const KubeconfigFile file{"/k/config", yaml};
  return parse_kubeconfig({&file, 1}, context);
}

std::string error_of(const std::string& yaml, std::string_view context = {}) {
  auto r = parse_one(yaml, context);
  return r.ok() ? "<ok>" : r.error().message;
}

// clusters/contexts/users with one entry each, the user body given.
std::string with_user(const std::string& user_body) {
  return "current-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://h:6443'}\n"
         "contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n" + user_body;
}

std::string with_cluster(const std::string& cluster_body) {
  return "current-context: c\nclusters:\n- name: k\n  cluster:\n" + cluster_body +
         "contexts:\n- name: c\n  context: {cluster: k}\n";
}

EnvGetter env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("kubeconfig with embedded data (kind, k3s)") {
  auto config = parse_one(kind_config());
  REQUIRE(config.ok());
  CHECK(config->server.host == "127.0.0.1");
  CHECK(config->server.port == 35541);
  CHECK(config->tls.ca_pem == kCa);
  CHECK_FALSE(config->tls.use_system_cas);
  CHECK(config->tls.client_cert_pem == kCert);
  CHECK(config->tls.client_key_pem == kKey);
  CHECK(config->namespace_ == "team");
  CHECK(config->source == "kubeconfig /k/config context kind-dev");
  CHECK_FALSE(config->tls.insecure_skip_verify);
}

TEST_CASE("kubeconfig with file paths, relative ones against the kubeconfig's directory (minikube)") {
  test::TempDir dir;
  dir.write("profiles/p/client.crt", kCert);
  dir.write("profiles/p/client.key", kKey);
  const std::string ca = dir.write("ca.crt", kCa);
  const std::string path = dir.write(
      "config", "current-context: minikube\n"
                "clusters:\n- cluster:\n    certificate-authority: " + ca + "\n    server: https://192.168.49.2:8443\n"
                "    tls-server-name: kubernetes\n  name: minikube\n"
                "contexts:\n- context:\n    cluster: minikube\n    user: minikube\n  name: minikube\n"
                "users:\n- name: minikube\n  user:\n    client-certificate: profiles/p/client.crt\n"
                "    client-key: \"profiles/p/client.key\"\n    tokenFile: tok\n");
  LoadOptions options;
  options.kubeconfig_flag = path;
  options.env = env_of({});
  auto config = load_cluster_config(options);
  REQUIRE(config.ok());
  CHECK(config->tls.ca_pem == kCa);
  CHECK(config->tls.client_cert_pem == kCert);
  CHECK(config->tls.client_key_pem == kKey);
  CHECK(config->tls.server_name == "kubernetes");
  CHECK(config->token_file == dir.path() + "/tok");
  CHECK(config->namespace_.empty());
}

TEST_CASE("tokens, explicit context, no CA means system CAs") {
  const std::string yaml =
      "current-context: a\nclusters:\n- name: k\n  cluster: {server: 'https://api.example.com'}\n"
      "contexts:\n- name: a\n  context: {cluster: k, user: u}\n- name: b\n  context: {cluster: k, user: v}\n"
      "users:\n- name: u\n  user: {token: abc}\n- name: v\n  user: {tokenFile: /var/tok}\n";
  auto a = parse_one(yaml);
  REQUIRE(a.ok());
  CHECK(a->token == "abc");
  CHECK(a->tls.use_system_cas);
  CHECK(a->server.port == 443);
  auto b = parse_one(yaml, "b");
  REQUIRE(b.ok());
  CHECK(b->token.empty());
  CHECK(b->token_file == "/var/tok");
}

TEST_CASE("insecure-skip-tls-verify only when asked, never with a CA") {
  auto insecure = parse_one(with_cluster("    server: https://h\n    insecure-skip-tls-verify: true\n"));
  REQUIRE(insecure.ok());
  CHECK(insecure->tls.insecure_skip_verify);
  CHECK_FALSE(insecure->tls.use_system_cas);
  CHECK_FALSE(parse_one(with_cluster("    server: https://h\n    insecure-skip-tls-verify: false\n"))->tls.insecure_skip_verify);
}

TEST_CASE("proxy-url: http(s) recorded, socks5 refused") {
  auto proxied = parse_one(with_cluster("    server: https://h\n    proxy-url: http://proxy:3128\n"));
  REQUIRE(proxied.ok());
  CHECK(proxied->proxy_url == "http://proxy:3128");
  CHECK(error_of(with_cluster("    server: https://h\n    proxy-url: socks5://u:pw@proxy:1080\n")) ==
        "kubeconfig /k/config: cluster \"k\": proxy-url must be an http or https URL (socks5 is not supported)");
}

TEST_CASE("kubeconfig errors name the file, context and field") {
  struct Case {
    std::string yaml;
    const char* context;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"", "", "kubeconfig /k/config: no current-context set and no --context given"},
      {kind_config(), "other", "kubeconfig /k/config: context \"other\" not found"},
      {"current-context: c\ncontexts:\n- name: c\n  context: {user: u}\n", "", "kubeconfig /k/config: context \"c\": no cluster"},
      {"current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n", "",
       "kubeconfig /k/config: context \"c\": cluster \"k\" not found in kubeconfig /k/config"},
      {"current-context: c\nclusters:\n- name: k\n  cluster: {server: https://h}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n",
       "", "kubeconfig /k/config: context \"c\": user \"u\" not found in kubeconfig /k/config"},
      {with_cluster("    certificate-authority-data: abc\n"), "", "kubeconfig /k/config: cluster \"k\": no server"},
      {with_cluster("    server: ftp://h\n"), "", "kubeconfig /k/config: cluster \"k\": server: "},
      {with_cluster("    server: https://h\n    certificate-authority-data: '!!notbase64'\n"), "",
       "kubeconfig /k/config: cluster \"k\": certificate-authority-data is not valid base64"},
      {with_cluster("    server: https://h\n    certificate-authority-data: " + base64_encode(kCa) + "\n    insecure-skip-tls-verify: true\n"),
       "", "kubeconfig /k/config: cluster \"k\": insecure-skip-tls-verify cannot be combined with a certificate-authority"},
      {with_cluster("    server: https://h\n    certificate-authority: /ca\n    certificate-authority-data: " + base64_encode(kCa) + "\n"),
       "", "kubeconfig /k/config: cluster \"k\": both certificate-authority-data and certificate-authority are set"},
      {with_cluster("    server: https://h\n    insecure-skip-tls-verify: 'true'\n"), "",
       "kubeconfig /k/config: cluster \"k\": insecure-skip-tls-verify must be true or false"},
      {with_cluster("    server: [https://h]\n"), "", "kubeconfig /k/config: cluster \"k\": server must be a string"},
      {with_cluster("    server: https://h\n    certificate-authority: missing-ca.crt\n"), "",
       "kubeconfig /k/config: cluster \"k\": certificate-authority: cannot open /k/missing-ca.crt"},
      {with_user("    exec:\n      command: aws\n      args: [eks, get-token]\n"), "",
       "kubeconfig /k/config: user \"u\": exec credential plugins are not supported"},
      {with_user("    auth-provider: {name: gcp}\n"), "", "kubeconfig /k/config: user \"u\": auth-provider credential plugins are not supported"},
      {with_user("    username: admin\n    password: secret\n"), "", "kubeconfig /k/config: user \"u\": basic authentication is not supported"},
      {with_user("    client-certificate-data: " + base64_encode(kCert) + "\n"), "",
       "kubeconfig /k/config: user \"u\": a client certificate needs both client-certificate and client-key"},
      {"clusters: {a: b}\n", "", "kubeconfig /k/config: clusters must be a list"},
      {"clusters:\n- cluster: {server: https://h}\n", "", "kubeconfig /k/config: clusters[0] has no name"},
      {"- a\n- b\n", "", "kubeconfig /k/config: not a YAML mapping"},
      {"current-context: [a\n", "", "kubeconfig /k/config: malformed YAML at line 2"},
      {"clusters:\n\t- name: k\n", "", "kubeconfig /k/config: malformed YAML at line 2"},
      {"a: &x [1]\nb: *x\n", "", "kubeconfig /k/config: YAML aliases are not supported (line 2)"},
      {"? [a]\n: b\n", "", "kubeconfig /k/config: non-scalar mapping key"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    const std::string message = error_of(c.yaml, c.context);
    CHECK(message.rfind(c.message, 0) == 0);
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find("secret") == std::string::npos);
  }
}

TEST_CASE("oversized and deeply nested kubeconfigs are refused") {
  auto big = parse_one(std::string(kMaxKubeconfigBytes + 1, '#'));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind == ErrorKind::TooLarge);
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  auto nested = parse_one("a: " + deep + "\n");
  REQUIRE_FALSE(nested.ok());
  CHECK(nested.error().kind == ErrorKind::TooLarge);
  std::string wide = "a: [";
  for (int i = 0; i < 60'000; ++i) wide += "1,";
  auto many = parse_one(wide + "1]\n");
  REQUIRE_FALSE(many.ok());
  CHECK(many.error().kind == ErrorKind::TooLarge);
}

TEST_CASE("malformed YAML never crashes: every prefix of a valid kubeconfig") {
  const std::string yaml = kind_config();
  for (size_t n = 0; n <= yaml.size(); ++n) {
    auto r = parse_one(yaml.substr(0, n));
    if (!r.ok()) CHECK_FALSE(r.error().message.empty());
  }
}

TEST_CASE("several files merge: first definition wins, current-context from the first that sets it") {
  test::TempDir dir;
  const std::string first = dir.write(
      "a", "clusters:\n- name: k\n  cluster: {server: https://first:1}\n"
           "users:\n- name: u\n  user: {token: first-token}\n");
  const std::string second = dir.write(
      "b", "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://second:2}\n- name: k2\n  cluster: {server: https://k2:3}\n"
           "contexts:\n- name: c\n  context: {cluster: k, user: u}\n- name: d\n  context: {cluster: k2, user: u}\n"
           "users:\n- name: u\n  user: {token: second-token}\n");
  const std::string third = dir.write("c", "current-context: d\n");
  LoadOptions options;
  options.env = env_of({{"KUBECONFIG", first + "::" + dir.path() + "/missing:" + second + ":" + third + ":" + first}});
  auto config = load_cluster_config(options);
  REQUIRE(config.ok());
  CHECK(config->server.host == "first");
  CHECK(config->token == "first-token");
  CHECK(config->source == "kubeconfig " + second + " context c");
  options.context_flag = "d";
  CHECK(load_cluster_config(options)->server.host == "k2");
}

TEST_CASE("load order: flag, then $KUBECONFIG, then in-cluster, then ~/.kube/config") {
  test::TempDir dir;
  const std::string flag_file = dir.write("flag", "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://flag}\n"
                                                  "contexts:\n- name: c\n  context: {cluster: k}\n");
  const std::string env_file = dir.write("env", "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://env}\n"
                                                "contexts:\n- name: c\n  context: {cluster: k}\n");
  dir.write("home/.kube/config", "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://home}\n"
                                 "contexts:\n- name: c\n  context: {cluster: k}\n");
  const std::string sa = dir.path() + "/sa";
  dir.write("sa/token", "t");
  dir.write("sa/ca.crt", kCa);
  std::map<std::string, std::string> env = {{"KUBECONFIG", env_file},
                                            {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", "443"},
                                            {"HOME", dir.path() + "/home"}};
  LoadOptions options;
  options.in_cluster_root = sa;
  options.kubeconfig_flag = flag_file;
  options.env = env_of(env);
  CHECK(load_cluster_config(options)->server.host == "flag");
  options.kubeconfig_flag.clear();
  CHECK(load_cluster_config(options)->server.host == "env");
  env.erase("KUBECONFIG");
  options.env = env_of(env);
  CHECK(load_cluster_config(options)->source == "in-cluster");
  env.erase("KUBERNETES_SERVICE_HOST");
  options.env = env_of(env);
  CHECK(load_cluster_config(options)->server.host == "home");
  env.erase("HOME");
  options.env = env_of(env);
  auto none = load_cluster_config(options);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.rfind("no cluster configuration", 0) == 0);
  options.home_dir = dir.path() + "/nowhere";
  none = load_cluster_config(options);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find(dir.path() + "/nowhere/.kube/config does not exist") != std::string::npos);
}

TEST_CASE("a missing --kubeconfig file or an all-missing $KUBECONFIG is an error") {
  LoadOptions options;
  options.env = env_of({{"KUBECONFIG", "/nonexistent/a:/nonexistent/b"}});
  auto from_env = load_cluster_config(options);
  REQUIRE_FALSE(from_env.ok());
  CHECK(from_env.error().message == "kubeconfig: none of the files in $KUBECONFIG (/nonexistent/a:/nonexistent/b) exist");
  options.kubeconfig_flag = "/nonexistent/flag";
  auto from_flag = load_cluster_config(options);
  REQUIRE_FALSE(from_flag.ok());
  CHECK(from_flag.error().message.rfind("kubeconfig: cannot open /nonexistent/flag", 0) == 0);
}
