// Pure, incremental HTTP/1.1 parsers in the picohttpparser style: byte spans in, "complete after
// N bytes", "need more" or a precise error out. They allocate only into the caller's output and
// enforce explicit size caps, so a hostile peer cannot make them grow without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace imps::http {

constexpr size_t kMaxHeadBytes = 64 << 10;     // status line + headers; k8s/AWS heads are < 4 KiB
constexpr size_t kMaxChunkLineBytes = 1024;    // chunk-size line incl. extensions

struct ParseResult {
  enum Kind { Complete, NeedMore, Error } kind = NeedMore;
  size_t consumed = 0;      // bytes of input used (Complete: the whole head; decoder: always valid)
  std::string error;        // set when kind == Error

  static ParseResult complete(size_t n) { return {Complete, n, {}}; }
  static ParseResult need_more(size_t n = 0) { return {NeedMore, n, {}}; }
  static ParseResult fail(std::string why) { return {Error, 0, std::move(why)}; }
};

// Parses "HTTP/1.x SP code SP reason CRLF headers CRLF". On Complete, `out` holds status, reason
// and headers and `consumed` is the head length. Heads longer than `max_head` are errors.
ParseResult parse_response_head(std::string_view buf, Response& out, size_t max_head = kMaxHeadBytes);

struct RequestHead {
  std::string method;
  std::string target;
  Headers headers;
};
ParseResult parse_request_head(std::string_view buf, RequestHead& out, size_t max_head = kMaxHeadBytes);

// How a response body is delimited (RFC 9112 section 6.3).
struct BodyFraming {
  enum Kind { None, Length, Chunked, UntilClose } kind = None;
  uint64_t length = 0;
};
// Errors: conflicting or malformed Content-Length, unsupported Transfer-Encoding.
ParseResult body_framing(std::string_view request_method, const Response& head, BodyFraming& out);

// Incremental chunked-body decoder. feed() consumes what it can from `in`, appends decoded bytes
// to `out`, and returns Complete once the last chunk and trailers are read (consumed = bytes used
// from this call's input), NeedMore when input ran out, or Error. Works for any split of the
// input, down to one byte at a time.
class ChunkedDecoder {
 public:
  ParseResult feed(std::string_view in, std::string& out);
  bool done() const { return state_ == State::Done; }

 private:
  enum class State { Size, Ext, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done };
  State state_ = State::Size;
  uint64_t remaining_ = 0;
  size_t line_bytes_ = 0;
  bool size_digits_ = false;
  bool trailer_empty_ = true;
};

// Serialises a request line and headers (Host, Content-Length when there is a body or the method
// carries one, then the caller's headers) and the body.
std::string serialize_request(const Request& request, std::string_view host_header);

}  // namespace imps::http
