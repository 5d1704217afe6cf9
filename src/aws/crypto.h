// SHA-256 and HMAC-SHA-256 over mbedTLS, as SigV4 needs them. Inputs and outputs are raw byte
// strings (32-byte digests); hex encoding is the caller's (base/bytes.h). Pure and allocation-light.
// Does not offer other digests: SigV4 with AWS4-HMAC-SHA256 is the only user.
#pragma once

#include <string>
#include <string_view>

namespace imps::aws {

constexpr size_t kSha256Bytes = 32;  // SHA-256 digest length

std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);  // lowercase hex, as SigV4 writes payload hashes
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace imps::aws
