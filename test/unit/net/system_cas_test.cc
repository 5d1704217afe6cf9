// Finding the system's CA certificates: the distributions' places, the environment overrides,
// directories of single certificates, and the bounds on what is read. The loader only collects
// PEM text; parsing it is TlsConfig's (tls_test.cc), so fake certificate blocks do here.
#include "net/system_cas.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "kube/temp_dir.h"

namespace imps::net {
namespace {

const std::string kCertA = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const std::string kCertB = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("the standard search lists the distributions' bundles and directories; variables replace them") {
  const CaSearch standard = CaSearch::standard(nullptr, "");
  CHECK(standard.files.front() == "/etc/ssl/certs/ca-certificates.crt");
  for (const char* file : {"/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
                           "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"}) {
    CAPTURE(file);
    CHECK(std::find(standard.files.begin(), standard.files.end(), file) != standard.files.end());
  }
  CHECK(standard.dirs == std::vector<std::string>{"/etc/ssl/certs", "/etc/pki/tls/certs"});
  CHECK_FALSE(standard.dirs_always);

  const CaSearch overridden = CaSearch::standard("/my/bundle.pem", "/a::/b");
  CHECK(overridden.files == std::vector<std::string>{"/my/bundle.pem"});
  CHECK(overridden.dirs == std::vector<std::string>{"/a", "/b"});
  CHECK(overridden.dirs_always);
}

TEST_CASE("from_env reads SSL_CERT_FILE and SSL_CERT_DIR") {
  ::setenv("SSL_CERT_FILE", "/env/bundle.pem", 1);
  ::setenv("SSL_CERT_DIR", "/env/certs", 1);
  const CaSearch search = CaSearch::from_env();
  ::unsetenv("SSL_CERT_FILE");
  ::unsetenv("SSL_CERT_DIR");
  CHECK(search.files == std::vector<std::string>{"/env/bundle.pem"});
  CHECK(search.dirs == std::vector<std::string>{"/env/certs"});
}

TEST_CASE("the first bundle file that exists wins; directories are read only without one") {
  test::TempDir dir;
  const std::string second = dir.write("rhel/ca-bundle.crt", kCertA);
  const std::string third = dir.write("alpine/cert.pem", kCertB);
  dir.write("certs/one.pem", kCertB);
  CaSearch search{{dir.path() + "/missing.crt", second, third}, {dir.path() + "/certs"}, false};
  auto found = load_system_cas(search);
  REQUIRE(found.ok());
  CHECK(contains(*found, "AAAA"));
  CHECK_FALSE(contains(*found, "BBBB"));

  search.files = {dir.path() + "/missing.crt"};
  found = load_system_cas(search);
  REQUIRE(found.ok());
  CHECK(contains(*found, "BBBB"));

  search.files = {second};
  search.dirs_always = true;  // SSL_CERT_DIR
  found = load_system_cas(search);
  REQUIRE(found.ok());
  CHECK((contains(*found, "AAAA") && contains(*found, "BBBB")));
}

TEST_CASE("a directory contributes every PEM certificate file once, skipping hash links and other files") {
  test::TempDir dir;
  dir.write("certs/a.pem", kCertA);
  dir.write("certs/b.crt", kCertB);
  dir.write("certs/README", "not a certificate");
  dir.write("certs/sub/c.pem", kCertA);  // not descended into, as Go does not
  REQUIRE(::symlink("a.pem", (dir.path() + "/certs/3513523f.0").c_str()) == 0);
  auto found = load_system_cas(CaSearch{{}, {dir.path() + "/certs"}, true});
  REQUIRE(found.ok());
  size_t blocks = 0;
  for (size_t at = found->find("BEGIN CERTIFICATE"); at != std::string::npos; at = found->find("BEGIN CERTIFICATE", at + 1)) ++blocks;
  CHECK(blocks == 2);
  CHECK_FALSE(contains(*found, "not a certificate"));
}

TEST_CASE("nothing found is an error that says where it looked; an empty or non-PEM bundle is nothing") {
  test::TempDir dir;
  const std::string empty = dir.write("empty.crt", "");
  const std::string der = dir.write("der.crt", std::string("\x30\x82\x01\x0a", 4));
  for (const std::string& file : {dir.path() + "/missing.crt", empty, der}) {
    CAPTURE(file);
    auto found = load_system_cas(CaSearch{{file}, {dir.path() + "/nodir"}, false});
    REQUIRE_FALSE(found.ok());
    CHECK(found.error().kind == ErrorKind::Invalid);
    CHECK(contains(found.error().message, file));
    CHECK(contains(found.error().message, dir.path() + "/nodir"));
    CHECK(contains(found.error().message, "SSL_CERT_FILE"));
  }
}

TEST_CASE("oversized bundles and directories are refused") {
  test::TempDir dir;
  const std::string big = dir.write("big.crt", kCertA + std::string(kMaxCaBytes, 'x'));
  auto file = load_system_cas(CaSearch{{big}, {}, false});
  REQUIRE_FALSE(file.ok());
  CHECK(file.error().kind == ErrorKind::TooLarge);

  dir.write("certs/a.pem", kCertA + std::string(kMaxCaBytes / 2, 'x'));
  dir.write("certs/b.pem", kCertB + std::string(kMaxCaBytes / 2, 'x'));
  auto tree = load_system_cas(CaSearch{{}, {dir.path() + "/certs"}, true});
  REQUIRE_FALSE(tree.ok());
  CHECK(tree.error().kind == ErrorKind::TooLarge);
}

}  // namespace
}  // namespace imps::net
