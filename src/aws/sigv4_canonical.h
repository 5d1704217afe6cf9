// SigV4 stage 1: the canonical request, built from separately testable pieces.
//   canonical_uri      non-S3 rule: drop '.' segments, resolve '..', collapse '//', keep a trailing
//                      slash, then percent-encode each segment. The wire path is already encoded,
//                      so it is encoded a second time ('%20' → '%2520'), as botocore does.
//   canonical_query    decode, then encode keys and values; sort by encoded key, then value;
//                      a key without '=' gets an empty value ("a" → "a=").
//   canonical_headers  lowercase names, sorted; values trimmed with inner whitespace runs
//                      collapsed; repeated headers joined with ',' in the order received.
// Headers that proxies or later layers may change (User-Agent, Expect, Connection, ...) and any
// Authorization header are never signed. Pure; does not add X-Amz-Date or tokens (sigv4.h does).
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace imps::aws {

std::string canonical_uri(std::string_view wire_path);
std::string canonical_query(std::string_view wire_query);  // without the leading '?'

// Whether a header of this (any-case) name takes part in signing.
bool is_signable_header(std::string_view name);

struct CanonicalHeaders {
  std::string lines;           // "name:value\n" per distinct name, sorted
  std::string signed_headers;  // "name;name;..."
};
CanonicalHeaders canonical_headers(const http::Headers& headers);

struct CanonicalRequest {
  std::string text;
  std::string signed_headers;
};
// `target` is the origin-form request target (path plus optional '?query'); `headers` must
// already contain everything to sign, Host included.
CanonicalRequest canonical_request(std::string_view method, std::string_view target,
                                   const http::Headers& headers, std::string_view payload_hash_hex);

}  // namespace imps::aws
