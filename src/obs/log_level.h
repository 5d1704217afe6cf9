// Log level and format names, as flags and environment variables spell them. Header-only on
// purpose: flag parsing (app/) validates these names without linking the logger itself.
// Accepted: levels debug|info|warn|warning|error, plus logrus's trace (as debug) and panic|fatal
// (as error), the names the Go original's chart passes in LOG_LEVEL; formats json|text|logfmt
// (console is an alias of text, the name zap-based Go operators use; logfmt is the original's
// default format); matching ignores ASCII case.
#pragma once

#include <string_view>

namespace imps::obs {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class LogFormat { Json, Text, Logfmt };

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
}  // namespace detail

// On failure `out` is left unchanged.
inline bool parse_log_level(std::string_view text, LogLevel& out) {
  struct Name { std::string_view name; LogLevel level; };
  // imps has no level below debug and never aborts on a log call, so logrus's extremes fold in.
  static constexpr Name kNames[] = {{"trace", LogLevel::Debug}, {"debug", LogLevel::Debug},
                                    {"info", LogLevel::Info},   {"warn", LogLevel::Warn},
                                    {"warning", LogLevel::Warn}, {"error", LogLevel::Error},
                                    {"fatal", LogLevel::Error}, {"panic", LogLevel::Error}};
  for (const Name& n : kNames) {
    if (detail::equals_ignore_case(text, n.name)) {
      out = n.level;
      return true;
    }
  }
  return false;
}

inline bool parse_log_format(std::string_view text, LogFormat& out) {
  if (detail::equals_ignore_case(text, "json")) {
    out = LogFormat::Json;
  } else if (detail::equals_ignore_case(text, "text") || detail::equals_ignore_case(text, "console")) {
    out = LogFormat::Text;
  } else if (detail::equals_ignore_case(text, "logfmt")) {
    out = LogFormat::Logfmt;
  } else {
    return false;
  }
  return true;
}

}  // namespace imps::obs
