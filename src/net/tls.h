// TLS client configuration shared by connections to one origin: trusted CAs, optional client
// certificate and key, the name to verify, and the DRBG. Owns mbedTLS contexts whose addresses
// mbedTLS keeps, so it is neither copyable nor movable; share it through std::shared_ptr.
// Verification is always on unless `insecure_skip_verify` is set (only when a kubeconfig says
// so). IP-address servers are verified against the certificate's IP SANs.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "net/system_cas.h"

namespace imps::net {

struct TlsOptions {
  std::string ca_pem;               // PEM bundle; empty = the system's CAs (see below)
  bool use_system_cas = false;      // also trust the system's CAs (net/system_cas.h)
  CaSearch system_cas = CaSearch::from_env();
  std::string extra_ca_pem;         // appended to the trust store (AWS_CA_BUNDLE); trusted even
                                    // when the system has no CAs
  std::string client_cert_pem;      // optional client certificate chain
  std::string client_key_pem;       // PKCS#1, SEC1 or PKCS#8 (unencrypted)
  std::string server_name;          // overrides the name verified and sent as SNI (tls-server-name)
  bool insecure_skip_verify = false;
};

class TlsConfig {
 public:
  static Result<std::shared_ptr<TlsConfig>> create(const TlsOptions& options);
  ~TlsConfig();
  TlsConfig(const TlsConfig&) = delete;
  TlsConfig& operator=(const TlsConfig&) = delete;

  const TlsOptions& options() const { return options_; }
  // Why the system's CAs are not trusted although asked for (none found; the explicitly given
  // ones are used alone), for a warning; empty when they are.
  const std::string& system_cas_error() const { return system_cas_error_; }
  struct Contexts;                  // mbedTLS state, defined in tls.cc
  Contexts& contexts() { return *contexts_; }

 private:
  explicit TlsConfig(TlsOptions options);
  TlsOptions options_;
  std::string system_cas_error_;
  std::unique_ptr<Contexts> contexts_;
};

// "<mbedtls_strerror text> (-0x2700)" for error messages.
std::string tls_error_text(int code);

}  // namespace imps::net
