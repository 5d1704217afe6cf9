#include "net/tls.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <cstdio>

#include "net/system_cas.h"
#include "net/tls_contexts.h"

namespace imps::net {
namespace {

constexpr unsigned char kPersonalization[] = "imps-tls";  // mixed into the DRBG seed

// mbedTLS wants PEM NUL-terminated, with the NUL counted in the length.
int parse_pem_certs(mbedtls_x509_crt& chain, const std::string& pem) {
  return mbedtls_x509_crt_parse(&chain, reinterpret_cast<const unsigned char*>(pem.c_str()), pem.size() + 1);
}

Status add_cas(mbedtls_x509_crt& chain, const std::string& pem, std::string_view what) {
  const int rc = parse_pem_certs(chain, pem);
  // A positive result counts certificates that failed while others parsed (common in system
  // bundles with exotic roots); only a bundle with nothing usable is an error.
  if (rc < 0) return make_error(ErrorKind::Invalid, std::string(what) + ": " + tls_error_text(rc), rc);
  return {};
}

}  // namespace

std::string tls_error_text(int code) {
  char text[160];
  mbedtls_strerror(code, text, sizeof text);
  char hex[24];
  std::snprintf(hex, sizeof hex, " (-0x%04X)", unsigned(-code));
  return std::string(text) + hex;
}

TlsConfig::Contexts::Contexts() {
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_x509_crt_init(&ca);
  mbedtls_x509_crt_init(&own_cert);
  mbedtls_pk_init(&own_key);
  mbedtls_ssl_config_init(&conf);
}

TlsConfig::Contexts::~Contexts() {
  mbedtls_ssl_config_free(&conf);
  mbedtls_pk_free(&own_key);
  mbedtls_x509_crt_free(&own_cert);
  mbedtls_x509_crt_free(&ca);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
}

TlsConfig::TlsConfig(TlsOptions options)
    : options_(std::move(options)), contexts_(std::make_unique<Contexts>()) {}

TlsConfig::~TlsConfig() = default;

Result<std::shared_ptr<TlsConfig>> TlsConfig::create(const TlsOptions& options) {
  std::shared_ptr<TlsConfig> config(new TlsConfig(options));
  Contexts& c = *config->contexts_;

  int rc = mbedtls_ctr_drbg_seed(&c.drbg, mbedtls_entropy_func, &c.entropy, kPersonalization, sizeof kPersonalization);
  if (rc != 0) return make_error(ErrorKind::Fatal, "seeding the TLS random generator: " + tls_error_text(rc), rc);

  if (!options.ca_pem.empty()) TRY(add_cas(c.ca, options.ca_pem, "CA certificates"));
  if (options.ca_pem.empty() || options.use_system_cas) {
    auto system = load_system_cas(options.system_cas);
    if (system.ok()) {
      TRY(add_cas(c.ca, *system, "system CA certificates"));
    } else if (options.ca_pem.empty() && options.extra_ca_pem.empty()) {
      return std::move(system).error();
    } else {
      // CAs given explicitly (AWS_CA_BUNDLE) still work on a host without a system bundle.
      config->system_cas_error_ = std::move(system).error().message;
    }
  }
  if (!options.extra_ca_pem.empty()) TRY(add_cas(c.ca, options.extra_ca_pem, "extra CA certificates"));
  if (c.ca.raw.p == nullptr && !options.insecure_skip_verify) {
    return make_error(ErrorKind::Invalid, "no usable CA certificates");
  }

  if (options.client_cert_pem.empty() != options.client_key_pem.empty()) {
    return make_error(ErrorKind::Invalid, "a client certificate needs both the certificate and its key");
  }
  if (!options.client_cert_pem.empty()) {
    rc = parse_pem_certs(c.own_cert, options.client_cert_pem);
    if (rc != 0) {
      return make_error(ErrorKind::Invalid,
                        "client certificate: " + (rc < 0 ? tls_error_text(rc) : "a PEM block is not a certificate"), rc);
    }
    // Accepts PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY" and PKCS#8 "PRIVATE KEY".
    rc = mbedtls_pk_parse_key(&c.own_key, reinterpret_cast<const unsigned char*>(options.client_key_pem.c_str()),
                              options.client_key_pem.size() + 1, nullptr, 0);
    if (rc != 0) return make_error(ErrorKind::Invalid, "client key: " + tls_error_text(rc), rc);
  }

  rc = mbedtls_ssl_config_defaults(&c.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                   MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return make_error(ErrorKind::Fatal, "TLS configuration: " + tls_error_text(rc), rc);
  mbedtls_ssl_conf_authmode(&c.conf, options.insecure_skip_verify ? MBEDTLS_SSL_VERIFY_NONE : MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&c.conf, &c.ca, nullptr);
  mbedtls_ssl_conf_rng(&c.conf, mbedtls_ctr_drbg_random, &c.drbg);
  if (!options.client_cert_pem.empty()) {
    rc = mbedtls_ssl_conf_own_cert(&c.conf, &c.own_cert, &c.own_key);
    if (rc != 0) return make_error(ErrorKind::Invalid, "client certificate and key: " + tls_error_text(rc), rc);
  }
  return config;
}

}  // namespace imps::net
