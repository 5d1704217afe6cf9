// Structured logging to stderr: one JSON object per line (default), `logfmt` (the Go original's
// default) or `text` for people.
//   json:   {"ts":"2024-05-01T12:00:00.123Z","level":"info","msg":"watch started","resource":"pods"}
//   logfmt: ts=2024-05-01T12:00:00.123Z level=info msg="watch started" resource=pods
//   text:   2024-05-01T12:00:00.123Z INFO watch started resource=pods reason="no route"
// Every value is a JSON string, escaped (quotes, backslashes, control characters; invalid UTF-8
// becomes U+FFFD), so a line is always valid JSON and always one line. Each line goes out in a
// single write(), so lines from this process never interleave.
// The level and format are process-wide: stderr is one shared resource, and passing a logger
// through every layer would buy nothing a test needs (tests use format_log_line).
// Nothing here knows what a secret is, so callers never pass one: log names, namespaces, codes
// and reasons, never tokens, keys, Secret data or Authorization headers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "obs/log_level.h"

namespace imps::obs {

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
  LogField(std::string_view k, double v);  // up to 6 significant digits: "0.25", "1e+06"
};

// Defaults until called: Info, Json.
void configure_logging(LogLevel min_level, LogFormat format);
bool log_enabled(LogLevel level);

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
inline void debug(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Debug, msg, f); }
inline void info(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Info, msg, f); }
inline void warn(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Warn, msg, f); }
inline void error(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::Error, msg, f); }

// Formats one line, trailing '\n' included, without writing it (log() writes exactly this).
std::string format_log_line(LogFormat format, int64_t unix_ms, LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields);

}  // namespace imps::obs
