#include "obs/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "base/json.h"

using namespace imps::obs;

namespace {

// 2024-05-01T12:00:00.123Z
constexpr int64_t kStamp = 1714564800123;

std::string json_line(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  return format_log_line(LogFormat::Json, kStamp, LogLevel::Info, msg, fields);
}

std::string text_line(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  return format_log_line(LogFormat::Text, kStamp, LogLevel::Info, msg, fields);
}

// Runs `body` with stderr redirected into a pipe and returns what it wrote.
template <class F>
std::string capture_stderr(F body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const int saved = dup(STDERR_FILENO);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  body();
  dup2(saved, STDERR_FILENO);
  close(saved);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  return out;
}

}  // namespace

TEST_CASE("json line: timestamp, level, message and fields in order") {
  CHECK(json_line("watch started", {{"resource", "pods"}, {"attempt", 3}}) ==
        "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"level\":\"info\",\"msg\":\"watch started\","
        "\"resource\":\"pods\",\"attempt\":\"3\"}\n");
  CHECK(format_log_line(LogFormat::Json, 0, LogLevel::Error, "x", {}) ==
        "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"level\":\"error\",\"msg\":\"x\"}\n");
}

TEST_CASE("json line: every value is a string, numbers included") {
  CHECK(json_line("m", {{"ratio", 0.25}, {"n", 7L}, {"big", 1234567890123LL}, {"u", 5UL}}) ==
        "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"level\":\"info\",\"msg\":\"m\","
        "\"ratio\":\"0.25\",\"n\":\"7\",\"big\":\"1234567890123\",\"u\":\"5\"}\n");
  const char* null_text = nullptr;
  CHECK(json_line("m", {{"k", null_text}}).find("\"k\":\"\"") != std::string::npos);
}

TEST_CASE("json line: quotes, backslashes and control characters are escaped") {
  const std::string line = json_line("a \"quoted\" \\ path\n", {{"k\"ey", std::string("t\tab\x01\x1f\x7f\r")}});
  CHECK(line ==
        "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"level\":\"info\",\"msg\":\"a \\\"quoted\\\" \\\\ path\\n\","
        "\"k\\\"ey\":\"t\\tab\\u0001\\u001f\\u007f\\r\"}\n");
  // Exactly one newline, at the end, and the line parses back to the original values.
  CHECK(line.find('\n') == line.size() - 1);
  auto doc = imps::Json::parse(line);
  REQUIRE(doc.ok());
  CHECK(imps::json_string_or(doc->get(), "msg") == "a \"quoted\" \\ path\n");
  CHECK(imps::json_string_or(doc->get(), "k\"ey") == "t\tab\x01\x1f\x7f\r");
}

TEST_CASE("json line: UTF-8 passes through, malformed bytes become U+FFFD") {
  CHECK(json_line("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80").find("\"msg\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"") !=
        std::string::npos);
  // Lone continuation, overlong '/', surrogate, truncated sequence at the end.
  CHECK(json_line("a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82").find(
            "\"msg\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\"") != std::string::npos);
}

TEST_CASE("json line: oversized values are kept whole, still one line") {
  const std::string big(1 << 20, 'x');
  const std::string line = json_line("m", {{"k", big}});
  CHECK(line.size() > big.size());
  CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("text line: plain values bare, others quoted and escaped") {
  CHECK(text_line("watch started", {{"resource", "pods"}, {"reason", "no route"}, {"empty", ""},
                                    {"eq", "a=b"}, {"q", "say \"hi\""}, {"nl", "a\nb"}}) ==
        "2024-05-01T12:00:00.123Z INFO watch started resource=pods reason=\"no route\" empty=\"\" "
        "eq=\"a=b\" q=\"say \\\"hi\\\"\" nl=\"a\\nb\"\n");
  CHECK(format_log_line(LogFormat::Text, kStamp, LogLevel::Warn, "w", {}) == "2024-05-01T12:00:00.123Z WARN w\n");
  CHECK(format_log_line(LogFormat::Text, kStamp, LogLevel::Debug, "d", {}) == "2024-05-01T12:00:00.123Z DEBUG d\n");
}

TEST_CASE("logfmt line: ts, level and msg as keys, values quoted only when they must be") {
  CHECK(format_log_line(LogFormat::Logfmt, kStamp, LogLevel::Info, "watch started",
                        {{"resource", "pods"}, {"reason", "no route"}, {"empty", ""}, {"q", "say \"hi\""}}) ==
        "ts=2024-05-01T12:00:00.123Z level=info msg=\"watch started\" resource=pods reason=\"no route\" "
        "empty=\"\" q=\"say \\\"hi\\\"\"\n");
  CHECK(format_log_line(LogFormat::Logfmt, kStamp, LogLevel::Warn, "w", {}) ==
        "ts=2024-05-01T12:00:00.123Z level=warn msg=w\n");
  CHECK(format_log_line(LogFormat::Logfmt, kStamp, LogLevel::Debug, "", {}) ==
        "ts=2024-05-01T12:00:00.123Z level=debug msg=\"\"\n");
  // A message is a value like any other: a newline or a key=value lookalike cannot forge a field.
  CHECK(format_log_line(LogFormat::Logfmt, kStamp, LogLevel::Error, "a\nlevel=info b=c", {}) ==
        "ts=2024-05-01T12:00:00.123Z level=error msg=\"a\\nlevel=info b=c\"\n");
}

TEST_CASE("text line: the message stays readable but never spans lines") {
  CHECK(text_line("say \"hi\"\nto C:\\") == "2024-05-01T12:00:00.123Z INFO say \"hi\"\\nto C:\\\n");
}

TEST_CASE("timestamps before 1970 and at millisecond edges") {
  CHECK(format_log_line(LogFormat::Text, -1, LogLevel::Info, "m", {}) == "1969-12-31T23:59:59.999Z INFO m\n");
  CHECK(format_log_line(LogFormat::Text, 999, LogLevel::Info, "m", {}) == "1970-01-01T00:00:00.999Z INFO m\n");
}

TEST_CASE("level and format names") {
  LogLevel level = LogLevel::Info;
  CHECK(parse_log_level("debug", level));
  CHECK(level == LogLevel::Debug);
  CHECK(parse_log_level("WARNING", level));
  CHECK(level == LogLevel::Warn);
  CHECK(parse_log_level("Error", level));
  CHECK(level == LogLevel::Error);
  CHECK(parse_log_level("trace", level));
  CHECK(level == LogLevel::Debug);
  CHECK(parse_log_level("panic", level));
  CHECK(level == LogLevel::Error);
  CHECK(parse_log_level("FATAL", level));
  CHECK(level == LogLevel::Error);
  CHECK_FALSE(parse_log_level("verbose", level));
  CHECK_FALSE(parse_log_level("", level));
  CHECK_FALSE(parse_log_level("info ", level));
  CHECK(level == LogLevel::Error);

  LogFormat format = LogFormat::Json;
  CHECK(parse_log_format("text", format));
  CHECK(format == LogFormat::Text);
  CHECK(parse_log_format("JSON", format));
  CHECK(format == LogFormat::Json);
  CHECK(parse_log_format("console", format));
  CHECK(format == LogFormat::Text);
  CHECK(parse_log_format("logfmt", format));
  CHECK(format == LogFormat::Logfmt);
  CHECK_FALSE(parse_log_format("", format));
}

TEST_CASE("the usage lists come from the name tables: listed names only, aliases quiet") {
  CHECK(kLogLevelChoices == "trace|debug|info|warn|error|fatal|panic");
  CHECK(kLogFormatChoices == "json|logfmt|text");
  for (const auto& entry : kLogLevelNames) {
    LogLevel level = LogLevel::Info;
    CHECK(parse_log_level(entry.name, level));
    CHECK(level == entry.value);
  }
}

TEST_CASE("level filtering: below the minimum nothing is written") {
  configure_logging(LogLevel::Warn, LogFormat::Json);
  CHECK_FALSE(log_enabled(LogLevel::Debug));
  CHECK_FALSE(log_enabled(LogLevel::Info));
  CHECK(log_enabled(LogLevel::Warn));
  CHECK(log_enabled(LogLevel::Error));
  const std::string out = capture_stderr([] {
    debug("d");
    info("i");
    warn("w", {{"k", "v"}});
    error("e");
  });
  CHECK(out.find("\"msg\":\"d\"") == std::string::npos);
  CHECK(out.find("\"msg\":\"i\"") == std::string::npos);
  CHECK(out.find("\"level\":\"warn\",\"msg\":\"w\",\"k\":\"v\"}\n") != std::string::npos);
  CHECK(out.find("\"level\":\"error\",\"msg\":\"e\"}\n") != std::string::npos);

  configure_logging(LogLevel::Debug, LogFormat::Text);
  const std::string text = capture_stderr([] { debug("d", {{"k", "v"}}); });
  CHECK(text.find(" DEBUG d k=v\n") != std::string::npos);
  configure_logging(LogLevel::Info, LogFormat::Json);
}
