#include "aws/crypto.h"

#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

#include "base/bytes.h"

namespace imps::aws {

std::string sha256(std::string_view data) {
  std::string out(kSha256Bytes, '\0');
  // is224 = 0 selects SHA-256. With a valid buffer the one-shot call cannot fail.
  (void)mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     reinterpret_cast<unsigned char*>(out.data()), 0);
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(kSha256Bytes, '\0');
  // SHA-256 is compiled in (MBEDTLS_SHA256_C), so the md info is never null.
  (void)mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                  reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                  reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace imps::aws
