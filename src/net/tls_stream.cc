#include "net/tls_stream.h"

#include <arpa/inet.h>
#include <mbedtls/asn1.h>
#include <mbedtls/x509_crt.h>

#include <cstring>

#include "loop/event_loop.h"
#include "net/resolve.h"
#include "net/tls_contexts.h"

namespace imps::net {
namespace {

// BIO failure that is not "would block" (mbedTLS' own net_sockets code, which we do not build).
constexpr int kBioFailed = -0x004C;  // MBEDTLS_ERR_NET_RECV_FAILED
constexpr unsigned char kSanIpAddressTag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;  // GeneralName iPAddress [7]

// mbedTLS 2.28 keeps every subjectAltName GeneralName with its tag in subject_alt_names.
bool has_ip_san(const mbedtls_x509_crt& crt, const std::string& ip) {
  unsigned char want[sizeof(in6_addr)];
  size_t want_len = 4;
  if (inet_pton(AF_INET, ip.c_str(), want) != 1) {
    if (inet_pton(AF_INET6, ip.c_str(), want) != 1) return false;
    want_len = 16;
  }
  for (const mbedtls_x509_sequence* san = &crt.subject_alt_names; san != nullptr; san = san->next) {
    if (san->buf.tag == kSanIpAddressTag && san->buf.len == want_len && std::memcmp(san->buf.p, want, want_len) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

TlsStream::TlsStream(std::shared_ptr<TlsConfig> config, std::unique_ptr<Stream> transport, std::string name)
    : config_(std::move(config)), transport_(std::move(transport)), name_(std::move(name)) {
  mbedtls_ssl_init(&ssl_);
}

TlsStream::~TlsStream() { mbedtls_ssl_free(&ssl_); }

Result<std::unique_ptr<TlsStream>> TlsStream::create(std::shared_ptr<TlsConfig> config,
                                                     std::unique_ptr<Stream> transport, std::string host) {
  std::string name = config->options().server_name.empty() ? std::move(host) : config->options().server_name;
  std::unique_ptr<TlsStream> stream(new TlsStream(std::move(config), std::move(transport), std::move(name)));
  int rc = mbedtls_ssl_setup(&stream->ssl_, &stream->config_->contexts().conf);
  if (rc != 0) return make_error(ErrorKind::Fatal, "TLS session setup: " + tls_error_text(rc), rc);
  stream->ip_literal_ = is_ip_literal(stream->name_);
  if (stream->ip_literal_) {
    mbedtls_ssl_set_verify(&stream->ssl_, verify_leaf, stream.get());
  } else {
    // Both the SNI extension and the name mbedTLS checks the certificate against.
    rc = mbedtls_ssl_set_hostname(&stream->ssl_, stream->name_.c_str());
    if (rc != 0) return make_error(ErrorKind::Invalid, "TLS server name " + stream->name_ + ": " + tls_error_text(rc), rc);
  }
  mbedtls_ssl_set_bio(&stream->ssl_, stream.get(), bio_send, bio_recv, nullptr);
  return stream;
}

int TlsStream::bio_send(void* self, const unsigned char* buf, size_t len) {
  auto* stream = static_cast<TlsStream*>(self);
  IoResult r = stream->transport_->write(reinterpret_cast<const char*>(buf), len);
  switch (r.kind) {
    case IoResult::Done: return static_cast<int>(r.bytes);
    case IoResult::WouldBlock: return MBEDTLS_ERR_SSL_WANT_WRITE;
    case IoResult::Closed: stream->transport_error_ = make_error(ErrorKind::Transient, "connection closed by peer"); break;
    case IoResult::Failed: stream->transport_error_ = std::move(r.error); break;
  }
  return kBioFailed;
}

int TlsStream::bio_recv(void* self, unsigned char* buf, size_t len) {
  auto* stream = static_cast<TlsStream*>(self);
  IoResult r = stream->transport_->read(reinterpret_cast<char*>(buf), len);
  switch (r.kind) {
    case IoResult::Done: return static_cast<int>(r.bytes);
    case IoResult::WouldBlock: return MBEDTLS_ERR_SSL_WANT_READ;
    case IoResult::Closed: return 0;  // mbedTLS reports MBEDTLS_ERR_SSL_CONN_EOF
    case IoResult::Failed: stream->transport_error_ = std::move(r.error); break;
  }
  return kBioFailed;
}

IoResult TlsStream::outcome(int rc, const char* op) {
  if (rc == MBEDTLS_ERR_SSL_WANT_READ) return IoResult::would_block(loop::kReadable);
  if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return IoResult::would_block(loop::kWritable);
  const std::string where = std::string("TLS ") + op + " with " + name_ + ": ";
  if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
    uint32_t flags = mbedtls_ssl_get_verify_result(&ssl_);
    if (ip_mismatch_) {
      flags &= ~uint32_t(MBEDTLS_X509_BADCERT_CN_MISMATCH);
      if (flags == 0) {
        return IoResult::failed(make_error(ErrorKind::Invalid, where + "certificate is not valid for IP " + name_, rc));
      }
    }
    char info[512];
    mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
    std::string why(info);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    for (char& ch : why) {
      if (ch == '\n') ch = ';';
    }
    return IoResult::failed(make_error(ErrorKind::Invalid, where + "certificate verification failed: " + why, rc));
  }
  if (rc == kBioFailed) {
    Error e = std::move(transport_error_);
    return IoResult::failed(make_error(ErrorKind::Transient, where + e.message, e.code));
  }
  return IoResult::failed(make_error(ErrorKind::Transient, where + tls_error_text(rc), rc));
}

IoResult TlsStream::handshake() {
  const int rc = mbedtls_ssl_handshake(&ssl_);
  if (rc == MBEDTLS_ERR_SSL_CONN_EOF) {
    return IoResult::failed(make_error(ErrorKind::Transient, "TLS handshake with " + name_ + ": connection closed by peer"));
  }
  if (rc != 0) return outcome(rc, "handshake");
  return IoResult::done(0);
}

int TlsStream::verify_leaf(void* self, mbedtls_x509_crt* crt, int depth, uint32_t* flags) {
  auto* stream = static_cast<TlsStream*>(self);
  if (depth != 0) return 0;
  if (!has_ip_san(*crt, stream->name_)) {
    stream->ip_mismatch_ = true;
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;  // fails the handshake like any name mismatch
  }
  return 0;
}

IoResult TlsStream::read(char* buf, size_t len) {
  const int rc = mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(buf), len);
  if (rc > 0) return IoResult::done(size_t(rc));
  // Servers often skip close_notify; whether that truncated a body is the HTTP framing's call.
  if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF) return IoResult::closed();
  return outcome(rc, "read");
}

IoResult TlsStream::write(const char* buf, size_t len) {
  const int rc = mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(buf), len);
  if (rc >= 0) return IoResult::done(size_t(rc));
  return outcome(rc, "write");
}

size_t TlsStream::pending() const { return mbedtls_ssl_get_bytes_avail(&ssl_); }

}  // namespace imps::net
