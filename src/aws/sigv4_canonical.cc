#include "aws/sigv4_canonical.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "http/url.h"

namespace imps::aws {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trim, and collapse every inner run of whitespace to one space (quotes get no special case).
std::string collapse_whitespace(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// botocore's never-sign list plus Authorization itself (it is the output of signing).
constexpr std::string_view kUnsignedHeaders[] = {
    "authorization", "user-agent", "expect", "connection", "transfer-encoding", "x-amzn-trace-id",
};

}  // namespace

std::string canonical_uri(std::string_view wire_path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= wire_path.size()) {
    size_t end = wire_path.find('/', start);
    if (end == std::string_view::npos) end = wire_path.size();
    std::string_view segment = wire_path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += http::query_escape(segments[i]);
  }
  if (!segments.empty() && wire_path.back() == '/') out += '/';
  return out;
}

std::string canonical_query(std::string_view wire_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start < wire_query.size()) {
    size_t end = wire_query.find('&', start);
    if (end == std::string_view::npos) end = wire_query.size();
    std::string_view part = wire_query.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    pairs.emplace_back(http::query_escape(http::percent_decode(key)),
                       http::query_escape(http::percent_decode(value)));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

bool is_signable_header(std::string_view name) {
  std::string lower = lowercase(name);
  return std::find(std::begin(kUnsignedHeaders), std::end(kUnsignedHeaders), lower) ==
         std::end(kUnsignedHeaders);
}

CanonicalHeaders canonical_headers(const http::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& h : headers) {
    if (is_signable_header(h.name)) entries.emplace_back(lowercase(h.name), collapse_whitespace(h.value));
  }
  // Stable: repeated headers keep the order in which they were received.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < entries.size(); ++i) {
    bool same_as_previous = i > 0 && entries[i].first == entries[i - 1].first;
    if (same_as_previous) {
      out.lines.back() = ',';
    } else {
      if (!out.signed_headers.empty()) out.signed_headers += ';';
      out.signed_headers += entries[i].first;
      out.lines += entries[i].first;
      out.lines += ':';
    }
    out.lines += entries[i].second;
    out.lines += '\n';
  }
  return out;
}

CanonicalRequest canonical_request(std::string_view method, std::string_view target,
                                   const http::Headers& headers, std::string_view payload_hash_hex) {
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  CanonicalHeaders canonical = canonical_headers(headers);
  CanonicalRequest out;
  out.text.reserve(256 + target.size() + canonical.lines.size());
  out.text.append(method).append("\n");
  out.text.append(canonical_uri(path)).append("\n");
  out.text.append(canonical_query(query)).append("\n");
  out.text.append(canonical.lines).append("\n");
  out.text.append(canonical.signed_headers).append("\n");
  out.text.append(payload_hash_hex);
  out.signed_headers = std::move(canonical.signed_headers);
  return out;
}

}  // namespace imps::aws
