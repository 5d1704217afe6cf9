// The mbedTLS state behind a TlsConfig (private to net/: only tls.cc and tls_stream.cc include
// it). Every context is init'ed in the constructor, so the destructor's frees are always safe.
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "net/tls.h"

namespace imps::net {

struct TlsConfig::Contexts {
  Contexts();
  ~Contexts();
  Contexts(const Contexts&) = delete;
  Contexts& operator=(const Contexts&) = delete;

  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt ca;
  mbedtls_x509_crt own_cert;
  mbedtls_pk_context own_key;
  mbedtls_ssl_config conf;
};

}  // namespace imps::net
