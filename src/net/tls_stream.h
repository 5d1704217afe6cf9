// A TLS 1.2 client session over a transport Stream (mbedTLS), itself a Stream.
// - Non-blocking: handshake(), read() and write() return WouldBlock with the readiness mbedTLS
//   waits for (WANT_READ / WANT_WRITE); after a WouldBlock write, the caller retries with the
//   same bytes (an mbedTLS rule).
// - pending() reports decrypted bytes already buffered, which select() cannot see.
// - Verification: the chain against the config's CAs, and the name: DNS names through mbedTLS
//   (also sent as SNI); IP literals (no SNI) against the certificate's iPAddress SANs, checked
//   here in a verify callback because mbedTLS 2.28 does not (and our configuration does not keep
//   the peer certificate after the handshake).
// mbedTLS keeps a pointer to this object (the BIO), so it never moves: hold it by unique_ptr.
#pragma once

#include <mbedtls/ssl.h>

#include <memory>
#include <string>

#include "net/stream.h"
#include "net/tls.h"

namespace imps::net {

class TlsStream : public Stream {
 public:
  // `host` is the name or IP connected to; TlsOptions::server_name overrides it for verification.
  static Result<std::unique_ptr<TlsStream>> create(std::shared_ptr<TlsConfig> config,
                                                   std::unique_ptr<Stream> transport, std::string host);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Done (0 bytes) once the session is established and verified.
  IoResult handshake();
  IoResult read(char* buf, size_t len) override;
  IoResult write(const char* buf, size_t len) override;
  size_t pending() const override;
  int fd() const override { return transport_->fd(); }

 private:
  TlsStream(std::shared_ptr<TlsConfig> config, std::unique_ptr<Stream> transport, std::string name);
  static int bio_send(void* self, const unsigned char* buf, size_t len);
  static int bio_recv(void* self, unsigned char* buf, size_t len);
  IoResult outcome(int rc, const char* op);
  static int verify_leaf(void* self, mbedtls_x509_crt* crt, int depth, uint32_t* flags);

  std::shared_ptr<TlsConfig> config_;  // its ssl_config must outlive ssl_
  std::unique_ptr<Stream> transport_;
  std::string name_;                   // the name verified
  bool ip_literal_ = false;
  bool ip_mismatch_ = false;           // set by verify_leaf: no iPAddress SAN equals name_
  Error transport_error_;              // why the last BIO call failed, for the error message
  mbedtls_ssl_context ssl_;
};

}  // namespace imps::net
