#include "net/system_cas.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "base/file.h"

namespace imps::net {
namespace {

// Go's crypto/x509 root_linux.go lists, in its order.
constexpr const char* kBundleFiles[] = {
    "/etc/ssl/certs/ca-certificates.crt",                 // Debian/Ubuntu/Gentoo etc.
    "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora/RHEL 6
    "/etc/ssl/ca-bundle.pem",                             // OpenSUSE
    "/etc/pki/tls/cacert.pem",                            // OpenELEC
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // CentOS/RHEL 7
    "/etc/ssl/cert.pem",                                  // Alpine Linux
};
constexpr const char* kCertDirs[] = {
    "/etc/ssl/certs",      // SLES10/SLES11
    "/etc/pki/tls/certs",  // Fedora/RHEL
};
constexpr std::string_view kPemCertificate = "-----BEGIN CERTIFICATE-----";

// A symlink to a name in the same directory (OpenSSL's hash links, "3513523f.0 -> foo.pem")
// repeats a certificate that the directory holds anyway; Go skips these too.
bool same_directory_link(const std::string& path) {
  char target[4096];
  const ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
  return n > 0 && std::string_view(target, size_t(n)).find('/') == std::string_view::npos;
}

Status append_dir(const std::string& dir, std::string& pem) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return {};
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(handle)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (names.size() >= kMaxCaDirEntries) break;
    names.emplace_back(name);
  }
  ::closedir(handle);
  std::sort(names.begin(), names.end());  // a stable order whatever the file system's
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    struct stat info {};
    if (same_directory_link(path) || ::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    auto data = read_local_file(path, kMaxCaBytes - std::min(pem.size(), kMaxCaBytes));
    if (!data.ok() && data.error().kind == ErrorKind::TooLarge)
      return make_error(ErrorKind::TooLarge, "CA certificates in " + dir + " exceed " + std::to_string(kMaxCaBytes) + " bytes");
    if (data.ok() && data->find(kPemCertificate) != std::string::npos) (pem += *data) += '\n';  // unreadable: skipped
  }
  return {};
}

std::vector<std::string> split_colons(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const size_t colon = text.find(':');
    if (colon != 0) parts.emplace_back(text.substr(0, colon));
    text = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  }
  return parts;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

CaSearch CaSearch::standard(const char* ssl_cert_file, const char* ssl_cert_dir) {
  CaSearch search;
  if (ssl_cert_file != nullptr && *ssl_cert_file != '\0') {
    search.files = {ssl_cert_file};
  } else {
    search.files.assign(std::begin(kBundleFiles), std::end(kBundleFiles));
  }
  if (ssl_cert_dir != nullptr && *ssl_cert_dir != '\0') {
    search.dirs = split_colons(ssl_cert_dir);
    search.dirs_always = true;
  } else {
    search.dirs.assign(std::begin(kCertDirs), std::end(kCertDirs));
  }
  return search;
}

CaSearch CaSearch::from_env() { return standard(std::getenv("SSL_CERT_FILE"), std::getenv("SSL_CERT_DIR")); }

Result<std::string> load_system_cas(const CaSearch& search) {
  std::string pem;
  bool found_file = false;
  for (const std::string& path : search.files) {
    auto bundle = read_local_file(path, kMaxCaBytes);
    if (!bundle.ok() && bundle.error().kind == ErrorKind::TooLarge)
      return make_error(ErrorKind::TooLarge, "CA bundle too large: " + path);
    if (bundle.ok()) {  // a missing or unreadable file: the next place
      found_file = true;
      pem = std::move(*bundle) + '\n';
      break;
    }
  }
  if (!found_file || search.dirs_always) {
    for (const std::string& dir : search.dirs) TRY(append_dir(dir, pem));
  }
  if (pem.find(kPemCertificate) == std::string::npos) {
    return make_error(ErrorKind::Invalid, "no system CA certificates (looked for " + joined(search.files) + " and in " +
                                              joined(search.dirs) + "; SSL_CERT_FILE and SSL_CERT_DIR override)");
  }
  return pem;
}

}  // namespace imps::net
