// Byte encodings used across layers: standard base64 (RFC 4648, with padding, as Kubernetes
// Secret data and docker "auth" fields use) and lowercase hex (SigV4).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace imps {

std::string base64_encode(std::string_view bytes);
// Strict: rejects characters outside the alphabet, bad padding and wrong lengths.
Result<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);

// A fast non-cryptographic hash (FNV-1a 64): detects change and keys compact indexes, protects
// nothing.
uint64_t content_hash(std::string_view bytes);

}  // namespace imps
