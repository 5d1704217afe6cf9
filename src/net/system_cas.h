// Where the system's trusted CA certificates live, found as Go's crypto/x509 finds them on Linux:
// the first bundle file that exists among the distributions' usual places (Debian/Ubuntu, RHEL/
// Fedora, SUSE, Alpine, ...), else every certificate file in the usual directories.
// SSL_CERT_FILE replaces the list of files, SSL_CERT_DIR (colon-separated) the list of directories.
// One deliberate difference from Go: the default directories are read only when no bundle file
// exists (on every distribution that has both they hold the bundle's certificates again, one per
// file, and loading both doubles the trust store's memory); SSL_CERT_DIR is always read.
// Only PEM is read; files that hold no PEM certificate are skipped, as Go skips them.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace imps::net {

constexpr size_t kMaxCaBytes = 16u << 20;  // real bundles are ~200 KiB; refuse absurd trees/files
constexpr size_t kMaxCaDirEntries = 4096;  // Debian's /etc/ssl/certs has ~300 (links included)

struct CaSearch {
  std::vector<std::string> files;  // the first readable one is used
  std::vector<std::string> dirs;
  bool dirs_always = false;        // read dirs even when a file was found (SSL_CERT_DIR)

  // The distributions' places, overridden by these variables' values (nullptr or "" = unset).
  static CaSearch standard(const char* ssl_cert_file, const char* ssl_cert_dir);
  static CaSearch from_env();  // standard() with the process's SSL_CERT_FILE / SSL_CERT_DIR
};

// The PEM text of every certificate found, or an Invalid error that says where it looked (when
// nothing usable exists) or which file is too large.
Result<std::string> load_system_cas(const CaSearch& search);

}  // namespace imps::net
