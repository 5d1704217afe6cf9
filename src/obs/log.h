// Structured logging to stderr: one JSON object per line (default) or `text` for people.
// {"ts":"2024-05-01T12:00:00.123Z","level":"info","msg":"watch started","resource":"pods"}
// Values are escaped; nothing here knows what a secret is, so callers never pass one: log names,
// namespaces, codes and reasons, never tokens, keys, Secret data or Authorization headers.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace imps::obs {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class LogFormat { Json, Text };

struct LogField {
  std::string_view key;
  std::string value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, long long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);
};

void configure_logging(LogLevel min_level, LogFormat format);
bool parse_log_level(std::string_view text, LogLevel& out);
bool parse_log_format(std::string_view text, LogFormat& out);
bool log_enabled(LogLevel level);

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
inline void debug(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Debug, msg, f); }
inline void info(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Info, msg, f); }
inline void warn(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Warn, msg, f); }
inline void error(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Error, msg, f); }

// Formats one line without writing it (for tests).
std::string format_log_line(LogFormat format, int64_t unix_ms, LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields);

}  // namespace imps::obs
