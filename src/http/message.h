// HTTP/1.1 request and response values shared by the client, the server and the parsers.
// Header names compare case-insensitively; values are kept as received (trimmed of OWS).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace imps::http {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// First header with that name (case-insensitive), if any.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);
bool iequals(std::string_view a, std::string_view b);  // ASCII case folding only

// 0..15 for a hex digit of either case, -1 otherwise (chunk sizes, percent-encoding).
int hex_digit_value(char c);

struct Request {
  std::string method = "GET";
  std::string target = "/";     // origin-form: path plus optional ?query, already percent-encoded
  Headers headers;              // Host, Content-Length and Connection are added by the client
  std::string body;
  Millis timeout_ms = 30'000;   // whole exchange for plain requests; inactivity for streams
};

struct Response {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;             // de-chunked; empty for streamed responses

  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

}  // namespace imps::http
