#include "obs/log.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "base/clock.h"

namespace imps::obs {
namespace {

// Process-wide on purpose (see log.h): stderr is one shared resource.
LogLevel g_min_level = LogLevel::Info;
LogFormat g_format = LogFormat::Json;

const char* level_name(LogLevel level, LogFormat format) {
  static constexpr const char* kJson[] = {"debug", "info", "warn", "error"};
  static constexpr const char* kText[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  const int i = static_cast<int>(level);
  return format == LogFormat::Text ? kText[i] : kJson[i];
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 when it is malformed.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

// Appends `s` escaped as the inside of a JSON string. Without `escape_quotes` (a text-format
// message, which is not quoted) quotes and backslashes stay as they are; control characters and
// malformed UTF-8 are escaped either way, so a line always stays one line of valid UTF-8.
void append_escaped(std::string& out, std::string_view s, bool escape_quotes) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      if (escape_quotes) out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        }
      }
      ++i;
    } else if (size_t n = utf8_sequence_length(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s, true);
  out += '"';
}

// logfmt: bare when the value is plain, otherwise a JSON-escaped quoted string.
void append_text_value(std::string& out, std::string_view value) {
  std::string escaped;
  append_escaped(escaped, value, true);
  const bool plain = !value.empty() && escaped == value && value.find_first_of(" =") == std::string_view::npos;
  if (plain) {
    out.append(value);
  } else {
    out += '"';
    out += escaped;
    out += '"';
  }
}

// " key=value" per field, values as append_text_value writes them (text and logfmt alike).
void append_text_fields(std::string& out, std::initializer_list<LogField> fields) {
  for (const LogField& f : fields) {
    out += ' ';
    append_escaped(out, f.key, false);
    out += '=';
    append_text_value(out, f.value);
  }
}

void append_timestamp(std::string& out, int64_t unix_ms) {
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  const time_t t = static_cast<time_t>(secs);
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[96];  // room for any int fields gcc cannot prove small
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(ms));
  out += buf;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to report a failing stderr
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

LogField::LogField(std::string_view k, double v) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  value = buf;
}

void configure_logging(LogLevel min_level, LogFormat format) {
  g_min_level = min_level;
  g_format = format;
}

bool log_enabled(LogLevel level) { return level >= g_min_level; }

std::string format_log_line(LogFormat format, int64_t unix_ms, LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields) {
  std::string out;
  if (format == LogFormat::Json) {
    out += "{\"ts\":\"";
    append_timestamp(out, unix_ms);
    out += "\",\"level\":\"";
    out += level_name(level, format);
    out += "\",\"msg\":";
    append_json_string(out, msg);
    for (const LogField& f : fields) {
      out += ',';
      append_json_string(out, f.key);
      out += ':';
      append_json_string(out, f.value);
    }
    out += "}\n";
  } else if (format == LogFormat::Logfmt) {
    out += "ts=";
    append_timestamp(out, unix_ms);
    out += " level=";
    out += level_name(level, format);
    out += " msg=";
    append_text_value(out, msg);
    append_text_fields(out, fields);
    out += '\n';
  } else {
    append_timestamp(out, unix_ms);
    out += ' ';
    out += level_name(level, format);
    out += ' ';
    append_escaped(out, msg, false);
    append_text_fields(out, fields);
    out += '\n';
  }
  return out;
}

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!log_enabled(level)) return;
  const std::string line = format_log_line(g_format, system_clock().wall_unix_ms(), level, msg, fields);
  write_all(STDERR_FILENO, line);
}

}  // namespace imps::obs
