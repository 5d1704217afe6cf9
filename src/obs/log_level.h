// Log level and format names, as flags and environment variables spell them. Header-only on
// purpose: flag parsing (app/) validates these names without linking the logger itself.
// Accepted (the tables below): levels debug|info|warn|warning|error, plus logrus's trace (as
// debug) and panic|fatal (as error), the names the Go original's chart passes in LOG_LEVEL;
// formats json|text|logfmt (console is an alias of text, the name zap-based Go operators use;
// logfmt is the original's default format); matching ignores ASCII case.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace imps::obs {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class LogFormat { Json, Text, Logfmt };

// The one spelling of the names: parsing, the flags' usage line and their error texts all come
// from these tables. `listed`: named in usage and errors; the others are quiet aliases.
template <typename Value>
struct LogName {
  std::string_view name;
  Value value;
  bool listed = true;
};
// imps has no level below debug and never aborts on a log call, so logrus's extremes fold in.
inline constexpr LogName<LogLevel> kLogLevelNames[] = {
    {"trace", LogLevel::Debug}, {"debug", LogLevel::Debug}, {"info", LogLevel::Info},
    {"warn", LogLevel::Warn},   {"warning", LogLevel::Warn, false}, {"error", LogLevel::Error},
    {"fatal", LogLevel::Error}, {"panic", LogLevel::Error}};
inline constexpr LogName<LogFormat> kLogFormatNames[] = {
    {"json", LogFormat::Json}, {"logfmt", LogFormat::Logfmt}, {"text", LogFormat::Text},
    {"console", LogFormat::Text, false}};

namespace detail {
inline bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

template <typename Value, size_t N>
bool parse_name(const LogName<Value> (&table)[N], std::string_view text, Value& out) {
  for (const LogName<Value>& entry : table) {
    if (equals_ignore_case(text, entry.name)) {
      out = entry.value;
      return true;
    }
  }
  return false;
}

// "a|b|c": a table's listed names, joined at compile time (the flags' usage table is constexpr).
template <const auto& table>
constexpr auto listed_names() {
  constexpr size_t size = [] {
    size_t n = 0;
    for (const auto& entry : table) n += entry.listed ? entry.name.size() + 1 : 0;
    return n;
  }();
  std::array<char, size> out{};  // the last separator's place holds the terminating NUL
  size_t i = 0;
  for (const auto& entry : table) {
    if (!entry.listed) continue;
    if (i > 0) out[i++] = '|';
    for (char c : entry.name) out[i++] = c;
  }
  return out;
}
template <const auto& table>
inline constexpr auto kListedNames = listed_names<table>();
}  // namespace detail

inline constexpr std::string_view kLogLevelChoices{detail::kListedNames<kLogLevelNames>.data()};
inline constexpr std::string_view kLogFormatChoices{detail::kListedNames<kLogFormatNames>.data()};

// On failure `out` is left unchanged.
inline bool parse_log_level(std::string_view text, LogLevel& out) {
  return detail::parse_name(kLogLevelNames, text, out);
}
inline bool parse_log_format(std::string_view text, LogFormat& out) {
  return detail::parse_name(kLogFormatNames, text, out);
}

}  // namespace imps::obs
