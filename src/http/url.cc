#include "http/url.h"

#include "http/message.h"

namespace imps::http {

namespace {

constexpr uint16_t kHttpPort = 80;
constexpr uint16_t kHttpsPort = 443;

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_unreserved(char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// Path, query and userinfo: printable ASCII except space; anything else must arrive encoded.
bool is_visible(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

// DNS names and IPv4 literals; reg-names beyond that (sub-delims, percent-encoding) never name an
// API server or an AWS endpoint, and refusing them keeps the Host header and SNI unambiguous.
bool is_host_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

// IPv6 literal without brackets (and without a zone id, which has no meaning off the host).
bool is_ipv6_literal(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return false;
  for (char c : s) {
    if (hex_digit_value(c) < 0 && c != ':' && c != '.') return false;
  }
  return true;
}

Error invalid(std::string what) { return make_error(ErrorKind::Invalid, "invalid URL: " + std::move(what)); }

Result<uint16_t> parse_port(std::string_view digits, uint16_t default_port) {
  if (digits.empty()) return default_port;  // "host:" means the default (RFC 3986 section 3.2.3)
  if (digits.size() > 5) return invalid("port out of range");
  uint32_t port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return invalid("port is not a number");
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) return invalid("port out of range");
  return static_cast<uint16_t>(port);
}

}  // namespace

Result<Url> parse_url(std::string_view text) {
  Url url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return invalid("missing scheme");
  std::string_view scheme = text.substr(0, sep);
  uint16_t default_port = 0;
  if (iequals(scheme, "https")) {
    url.scheme = "https";
    default_port = kHttpsPort;
  } else if (iequals(scheme, "http")) {
    url.scheme = "http";
    default_port = kHttpPort;
  } else {
    return invalid("scheme must be http or https");
  }
  std::string_view rest = text.substr(sep + 3);
  // The fragment never goes on the wire.
  rest = rest.substr(0, rest.find('#'));

  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    if (!is_visible(userinfo)) return invalid("bad character in userinfo");
    url.userinfo = percent_decode(userinfo);
    authority.remove_prefix(at + 1);
  }

  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return invalid("junk after IPv6 literal");
    if (!after.empty()) port = after.substr(1);
    if (!is_ipv6_literal(host)) return invalid("bad IPv6 literal");
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (!is_host_name(host)) return invalid(host.empty() ? "empty host" : "bad character in host");
  }
  url.host = std::string(host);
  TRY_ASSIGN(url.port, parse_port(port, default_port));

  size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  if (!is_visible(path) || !is_visible(query)) return invalid("bad character in path or query");
  url.path = path.empty() ? "/" : std::string(path);
  url.query = std::string(query);
  return url;
}

std::string host_header(const Url& url) {
  std::string out = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  uint16_t default_port = url.scheme == "https" ? kHttpsPort : kHttpPort;
  if (url.port != default_port) out += ":" + std::to_string(url.port);
  return out;
}

std::string query_escape(std::string_view text) {
  static constexpr char kHexDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHexDigits[u >> 4];
      out += kHexDigits[u & 0xf];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    int high = i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? hex_digit_value(text[i + 2]) : -1;
    if (text[i] == '%' && high >= 0 && low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace imps::http
