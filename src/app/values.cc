#include "app/values.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace imps::app {
namespace {

// Far beyond any sensible interval (≈ 31 years), and far from int64 overflow in the arithmetic below.
constexpr int64_t kMaxDurationMs = 1'000'000'000'000;
// Kubernetes limits: namespace (DNS label) and object name (DNS subdomain) lengths.
constexpr size_t kMaxDnsLabel = 63;
constexpr size_t kMaxDnsSubdomain = 253;
// Bytes of a user's value worth echoing in an error line.
constexpr size_t kMaxQuoted = 64;

Error invalid(std::string message) { return make_error(ErrorKind::Invalid, std::move(message)); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool valid_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > kMaxDnsSubdomain) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    if (!valid_dns_label(s.substr(start, dot - start))) return false;
    start = dot + 1;
  }
  return true;
}

}  // namespace

std::string quote_for_error(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, kMaxQuoted)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  if (text.size() > kMaxQuoted) out += "...";
  out += '"';
  return out;
}

Result<int64_t> parse_duration_ms(std::string_view text) {
  const Error bad = invalid("expected a duration such as 15s, 1m30s or 250ms, not " + quote_for_error(text));
  if (text.empty()) return bad;
  int64_t total_ms = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t i = 0;
    int64_t whole = 0;
    while (i < rest.size() && is_digit(rest[i])) {
      whole = whole * 10 + (rest[i] - '0');
      if (whole > kMaxDurationMs) return invalid("duration " + quote_for_error(text) + " is too long");
      ++i;
    }
    const size_t int_digits = i;
    std::string_view fraction;
    if (i < rest.size() && rest[i] == '.') {
      const size_t start = ++i;
      while (i < rest.size() && is_digit(rest[i])) ++i;
      fraction = rest.substr(start, i - start);
    }
    if (int_digits == 0 && fraction.empty()) return bad;
    const size_t unit_start = i;
    while (i < rest.size() && !is_digit(rest[i]) && rest[i] != '.') ++i;
    const std::string_view unit = rest.substr(unit_start, i - unit_start);
    int64_t unit_ms = 0;
    if (unit == "ms") unit_ms = 1;
    else if (unit == "s") unit_ms = 1000;
    else if (unit == "m") unit_ms = 60'000;
    else if (unit == "h") unit_ms = 3'600'000;
    else if (unit.empty()) return bad;
    else return invalid("unknown unit in duration " + quote_for_error(text) + " (use ms, s, m or h)");
    // The fraction contributes fraction × unit_ms, truncated to whole milliseconds.
    int64_t frac_ms = 0;
    int64_t scale = 1;
    for (char c : fraction.substr(0, 9)) {
      frac_ms = frac_ms * 10 + (c - '0');
      scale *= 10;
    }
    frac_ms = frac_ms * unit_ms / scale;
    if (whole > kMaxDurationMs / unit_ms) return invalid("duration " + quote_for_error(text) + " is too long");
    total_ms += whole * unit_ms + frac_ms;
    if (total_ms > kMaxDurationMs) return invalid("duration " + quote_for_error(text) + " is too long");
    rest.remove_prefix(i);
  }
  if (total_ms <= 0) return invalid("duration " + quote_for_error(text) + " must be at least 1ms");
  return total_ms;
}

Result<int> parse_positive_int(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!all_digits(text) || ec != std::errc() || end != text.data() + text.size())
    return invalid("expected a positive whole number, not " + quote_for_error(text));
  if (value <= 0) return invalid("must be positive, not " + quote_for_error(text));
  return value;
}

Result<double> parse_positive_number(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  const bool has_dot = dot != std::string_view::npos;
  // digits, digits.digits or .digits
  const bool syntax_ok = (all_digits(whole) || (whole.empty() && has_dot)) && (!has_dot || all_digits(fraction));
  if (!syntax_ok) return invalid("expected a positive number such as 20 or 0.5, not " + quote_for_error(text));
  // The syntax check leaves strtod nothing locale- or exponent-dependent to interpret.
  const std::string copy(text);
  const double value = std::strtod(copy.c_str(), nullptr);
  if (!(value > 0) || !std::isfinite(value)) return invalid("must be positive, not " + quote_for_error(text));
  return value;
}

Result<bool> parse_bool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == t) return true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == f) return false;
  }
  return invalid("expected true or false, not " + quote_for_error(text));
}

bool valid_dns_label(std::string_view s) {
  if (s.empty() || s.size() > kMaxDnsLabel) return false;
  if (!is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_lower_alnum(c) && c != '-') return false;
  }
  return true;
}

Result<ObjectRef> parse_object_ref(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos)
    return invalid("expected <namespace>.<name>, not " + quote_for_error(text) + " (no dot)");
  ObjectRef ref{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
  if (ref.ns.empty() || ref.name.empty())
    return invalid("expected <namespace>.<name>, not " + quote_for_error(text) + " (empty part)");
  if (!valid_dns_label(ref.ns)) return invalid("invalid namespace " + quote_for_error(ref.ns));
  if (!valid_dns_subdomain(ref.name)) return invalid("invalid object name " + quote_for_error(ref.name));
  return ref;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const Error bad = invalid("expected [host]:port such as :8080, not " + quote_for_error(text));
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // IPv6 literal
    if (host.empty()) return bad;
  } else if (host.find_first_of(":[] ") != std::string_view::npos) {
    return bad;
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (!all_digits(port_text) || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return invalid("invalid port in " + quote_for_error(text));
  return ListenAddress{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace imps::app
