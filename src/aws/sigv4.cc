#include "aws/sigv4.h"

#include <algorithm>

#include "aws/crypto.h"
#include "aws/sigv4_canonical.h"
#include "base/bytes.h"
#include "base/clock.h"

namespace imps::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

bool name_is(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != lower[i]) return false;
  }
  return true;
}

void remove_header(http::Headers& headers, std::string_view lower_name) {
  std::erase_if(headers, [&](const http::Header& h) { return name_is(h.name, lower_name); });
}

}  // namespace

std::string format_amz_date(int64_t unix_seconds) {
  std::string out;
  for (char c : format_rfc3339(unix_seconds))
    if (c != '-' && c != ':') out += c;
  return out;
}

std::string credential_scope(std::string_view date_stamp, std::string_view region, std::string_view service) {
  std::string out;
  out.append(date_stamp).append("/").append(region).append("/").append(service).append("/").append(kTerminator);
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request_text) {
  std::string out;
  out.append(kAlgorithm).append("\n").append(amz_date).append("\n").append(scope).append("\n");
  out.append(sha256_hex(canonical_request_text));
  return out;
}

std::string derive_signing_key(std::string_view secret, std::string_view date_stamp,
                               std::string_view region, std::string_view service) {
  std::string seed = "AWS4";
  seed.append(secret);
  std::string key = hmac_sha256(seed, date_stamp);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  return hmac_sha256(key, kTerminator);
}

std::string signature_hex(std::string_view signing_key, std::string_view string_to_sign) {
  return hex_encode(hmac_sha256(signing_key, string_to_sign));
}

std::string authorization_header(std::string_view access_key_id, std::string_view scope,
                                 std::string_view signed_headers, std::string_view signature) {
  std::string out;
  out.append(kAlgorithm).append(" Credential=").append(access_key_id).append("/").append(scope);
  out.append(", SignedHeaders=").append(signed_headers).append(", Signature=").append(signature);
  return out;
}

const std::string& SigningKeyCache::get(std::string_view secret, std::string_view date_stamp,
                                        std::string_view region, std::string_view service) {
  std::string lookup = sha256(secret);
  lookup.append("\n").append(date_stamp).append("\n").append(region).append("\n").append(service);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.lookup == lookup; });
  if (it != entries_.end()) return it->key;
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  ++derivations_;
  entries_.push_back(Entry{std::move(lookup), derive_signing_key(secret, date_stamp, region, service)});
  return entries_.back().key;
}

SigningTrace sign_request(http::Request& request, const Credentials& credentials,
                          const SigningParams& params, SigningKeyCache& keys) {
  for (std::string_view name : {"authorization", "x-amz-date", "x-amz-security-token", "host"})
    remove_header(request.headers, name);
  std::string amz_date = format_amz_date(params.unix_seconds);
  std::string date_stamp = amz_date.substr(0, 8);
  request.headers.push_back({"X-Amz-Date", amz_date});
  if (credentials.temporary()) request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});

  http::Headers to_sign = request.headers;
  to_sign.push_back({"host", std::string(params.host)});
  CanonicalRequest canonical = canonical_request(request.method, request.target, to_sign, sha256_hex(request.body));

  SigningTrace trace;
  std::string scope = credential_scope(date_stamp, params.region, params.service);
  trace.string_to_sign = string_to_sign(amz_date, scope, canonical.text);
  const std::string& key = keys.get(credentials.secret_access_key, date_stamp, params.region, params.service);
  trace.authorization = authorization_header(credentials.access_key_id, scope, canonical.signed_headers,
                                             signature_hex(key, trace.string_to_sign));
  trace.canonical_request = std::move(canonical.text);
  request.headers.push_back({"Authorization", trace.authorization});
  return trace;
}

}  // namespace imps::aws
