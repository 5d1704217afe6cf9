// RFC 3986 percent-encoding as AWS defines it for SigV4 and for the Query protocol's form bodies:
// every byte outside the unreserved set A-Z a-z 0-9 - _ . ~ becomes %XX with uppercase hex, on
// the UTF-8 bytes; space is %20, never '+'. Pure.
// Does not implement application/x-www-form-urlencoded's '+'-for-space rule: AWS never uses it.
#pragma once

#include <string>
#include <string_view>

namespace imps::aws {

enum class Slash { Encode, Keep };  // Keep for URI paths, Encode for query keys/values and forms

std::string percent_encode(std::string_view text, Slash slash = Slash::Encode);
// Decodes %XX (either hex case); a '%' not followed by two hex digits stays literal, and '+'
// stays '+', so decoding never fails and arbitrary wire text round-trips through SigV4.
std::string percent_decode(std::string_view text);

}  // namespace imps::aws
