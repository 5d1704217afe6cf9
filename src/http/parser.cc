#include "http/parser.h"

#include <limits>

namespace imps::http {

namespace {

// Trailer fields are read and discarded; the cap stops a peer from streaming them forever.
constexpr size_t kMaxTrailerBytes = kMaxHeadBytes;
// Chunk sizes at or above 2^63 are refused: no real body is that large and the check keeps the
// arithmetic far from wrapping.
constexpr uint64_t kMaxChunkSize = (uint64_t{1} << 63) - 1;

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Field values, reason phrases and chunk extensions: HTAB, SP, VCHAR and obs-text; no other
// control characters.
bool is_field_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 0x20 || c == '\t') && u != 0x7f;
}

bool is_field_text(std::string_view s) {
  for (char c : s) {
    if (!is_field_char(c)) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Finds the end of a head (the empty line). Lines must end in CRLF: a bare LF is an error, not a
// line end, because agreeing with the peer on where a head ends is what keeps responses on a
// reused connection from being misread. Complete's `consumed` includes the final CRLF.
ParseResult scan_head(std::string_view buf, size_t max_head) {
  size_t limit = buf.size() < max_head ? buf.size() : max_head;
  size_t line_start = 0;
  for (size_t i = 0; i < limit; ++i) {
    if (buf[i] != '\n') continue;
    if (i == 0 || buf[i - 1] != '\r') return ParseResult::fail("bare LF in HTTP head");
    if (i - 1 == line_start) {
      if (line_start == 0) return ParseResult::fail("HTTP head starts with an empty line");
      return ParseResult::complete(i + 1);
    }
    line_start = i + 1;
  }
  if (buf.size() >= max_head) return ParseResult::fail("HTTP head exceeds " + std::to_string(max_head) + " bytes");
  return ParseResult::need_more();
}

// Splits `head` (without the final empty line) into its first line and header fields.
ParseResult parse_fields(std::string_view head, std::string_view& first_line, Headers& out) {
  out.clear();
  size_t eol = head.find("\r\n");
  first_line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  while (!head.empty()) {
    eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (line.front() == ' ' || line.front() == '\t') return ParseResult::fail("obsolete header line folding");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return ParseResult::fail("header line without a colon");
    std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return ParseResult::fail("invalid header name");
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (!is_field_text(value)) return ParseResult::fail("control character in header value");
    out.push_back(Header{std::string(name), std::string(value)});
  }
  return ParseResult::complete(0);
}

// A whole head: where it ends (Complete's `consumed`), its first line and its header fields.
ParseResult split_head(std::string_view buf, size_t max_head, std::string_view& first_line, Headers& headers) {
  ParseResult scanned = scan_head(buf, max_head);
  if (scanned.kind != ParseResult::Complete) return scanned;
  ParseResult fields = parse_fields(buf.substr(0, scanned.consumed - 2), first_line, headers);
  return fields.kind == ParseResult::Error ? fields : scanned;
}

// "HTTP/1.0" or "HTTP/1.1"; later 1.x minors are read as 1.1 would be (RFC 9110 section 6.2).
bool is_http1_version(std::string_view v) {
  return v.size() == 8 && v.substr(0, 7) == "HTTP/1." && v[7] >= '0' && v[7] <= '9';
}

}  // namespace

ParseResult parse_response_head(std::string_view buf, Response& out, size_t max_head) {
  std::string_view line;
  ParseResult scanned = split_head(buf, max_head, line, out.headers);
  if (scanned.kind != ParseResult::Complete) return scanned;

  // HTTP-version SP 3DIGIT [SP reason]; some servers omit the SP when the reason is empty.
  if (line.size() < 12 || !is_http1_version(line.substr(0, 8)) || line[8] != ' ') {
    return ParseResult::fail("malformed status line");
  }
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return ParseResult::fail("malformed status code");
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100) return ParseResult::fail("status code out of range");
  std::string_view reason = line.substr(12);
  if (!reason.empty()) {
    if (reason.front() != ' ') return ParseResult::fail("malformed status line");
    reason.remove_prefix(1);
  }
  if (!is_field_text(reason)) return ParseResult::fail("control character in reason phrase");
  out.status = status;
  out.reason = std::string(reason);
  return scanned;
}

ParseResult parse_request_head(std::string_view buf, RequestHead& out, size_t max_head) {
  std::string_view line;
  ParseResult scanned = split_head(buf, max_head, line, out.headers);
  if (scanned.kind != ParseResult::Complete) return scanned;

  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return ParseResult::fail("malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!is_token(method)) return ParseResult::fail("invalid request method");
  if (target.empty() || target.front() != '/') return ParseResult::fail("request target is not in origin-form");
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return ParseResult::fail("invalid character in request target");
  }
  if (!is_http1_version(line.substr(sp2 + 1))) return ParseResult::fail("unsupported HTTP version");
  out.method = std::string(method);
  out.target = std::string(target);
  return scanned;
}

ParseResult body_framing(std::string_view request_method, const Response& head, BodyFraming& out) {
  out = BodyFraming{};
  if (request_method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    return ParseResult::complete(0);
  }
  bool has_te = false;
  for (const Header& h : head.headers) {
    if (!iequals(h.name, "Transfer-Encoding")) continue;
    // Only a lone "chunked" is supported: we never send TE, so any other coding (gzip, ...) is
    // one we could not undo, and "chunked" applied twice is invalid (RFC 9112 section 6.1).
    if (has_te || !iequals(trim_ows(h.value), "chunked")) {
      return ParseResult::fail("unsupported Transfer-Encoding");
    }
    has_te = true;
  }
  if (has_te) {  // Transfer-Encoding overrides Content-Length (RFC 9112 section 6.3).
    out.kind = BodyFraming::Chunked;
    return ParseResult::complete(0);
  }

  bool has_length = false;
  uint64_t length = 0;
  for (const Header& h : head.headers) {
    if (!iequals(h.name, "Content-Length")) continue;
    // A list of identical values ("5, 5") is accepted, as RFC 9110 section 8.6 allows.
    std::string_view rest = h.value;
    for (bool more = true; more;) {
      size_t comma = rest.find(',');
      std::string_view item = trim_ows(rest.substr(0, comma));
      more = comma != std::string_view::npos;
      if (more) rest.remove_prefix(comma + 1);
      if (item.empty()) return ParseResult::fail("malformed Content-Length");
      uint64_t value = 0;
      for (char c : item) {
        if (c < '0' || c > '9') return ParseResult::fail("malformed Content-Length");
        auto digit = static_cast<uint64_t>(c - '0');
        if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
          return ParseResult::fail("Content-Length overflows");
        }
        value = value * 10 + digit;
      }
      if (has_length && value != length) return ParseResult::fail("conflicting Content-Length values");
      has_length = true;
      length = value;
    }
  }
  if (has_length) {
    out.kind = BodyFraming::Length;
    out.length = length;
  } else {
    out.kind = BodyFraming::UntilClose;
  }
  return ParseResult::complete(0);
}

ParseResult ChunkedDecoder::feed(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size()) {
    if (state_ == State::Done) return ParseResult::complete(i);
    if (state_ == State::Data) {
      size_t take = in.size() - i;
      if (take > remaining_) take = static_cast<size_t>(remaining_);
      out.append(in.data() + i, take);
      i += take;
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::DataCr;
      continue;
    }
    char c = in[i++];
    switch (state_) {
      case State::Size:
      case State::Ext:
      case State::SizeLf:
        if (++line_bytes_ > kMaxChunkLineBytes) return ParseResult::fail("chunk-size line too long");
        break;
      default:
        break;
    }
    switch (state_) {
      case State::Size: {
        int digit = hex_digit_value(c);
        if (digit >= 0) {
          if (remaining_ > (kMaxChunkSize >> 4)) return ParseResult::fail("chunk size too large");
          remaining_ = (remaining_ << 4) | static_cast<uint64_t>(digit);
          size_digits_ = true;
        } else if (!size_digits_) {
          return ParseResult::fail("invalid chunk size");
        } else if (c == '\r') {
          state_ = State::SizeLf;
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::Ext;
        } else {
          return ParseResult::fail("invalid chunk size");
        }
        break;
      }
      case State::Ext:
        // Extensions carry nothing we use; they are skipped, but must stay on their line.
        if (c == '\r') {
          state_ = State::SizeLf;
        } else if (!is_field_char(c)) {
          return ParseResult::fail("control character in chunk extension");
        }
        break;
      case State::SizeLf:
        if (c != '\n') return ParseResult::fail("malformed chunk-size line ending");
        line_bytes_ = 0;
        size_digits_ = false;
        state_ = remaining_ == 0 ? State::Trailer : State::Data;
        break;
      case State::DataCr:
        if (c != '\r') return ParseResult::fail("missing CRLF after chunk data");
        state_ = State::DataLf;
        break;
      case State::DataLf:
        if (c != '\n') return ParseResult::fail("missing CRLF after chunk data");
        state_ = State::Size;
        break;
      case State::Trailer:
        if (++line_bytes_ > kMaxTrailerBytes) return ParseResult::fail("chunked trailer section too long");
        if (c == '\r') {
          state_ = State::TrailerLf;
        } else if (c == '\n' || c == '\0') {
          return ParseResult::fail("malformed chunked trailer");
        } else {
          trailer_empty_ = false;
        }
        break;
      case State::TrailerLf:
        if (c != '\n') return ParseResult::fail("malformed chunked trailer line ending");
        if (trailer_empty_) {
          state_ = State::Done;
          return ParseResult::complete(i);
        }
        trailer_empty_ = true;
        state_ = State::Trailer;
        break;
      case State::Data:
      case State::Done:
        break;
    }
  }
  if (state_ == State::Done) return ParseResult::complete(i);
  return ParseResult::need_more(i);
}

std::string serialize_request(const Request& request, std::string_view host_header) {
  std::string out;
  out.reserve(64 + host_header.size() + request.target.size() + request.body.size());
  out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(host_header).append("\r\n");
  // POST/PUT/PATCH announce their length even when empty: some servers (and proxies) answer a
  // body-carrying method without Content-Length with 411 Length Required.
  bool carries_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!request.body.empty() || carries_body) {
    out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  for (const Header& h : request.headers) {
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  out.append("\r\n");
  out.append(request.body);
  return out;
}

}  // namespace imps::http
