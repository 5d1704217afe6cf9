// Pure, incremental HTTP/1.1 parsers in the picohttpparser style: byte spans in, "complete after
// N bytes", "need more" or a precise error out. They allocate only into the caller's output and
// enforce explicit size caps, so a hostile peer cannot make them grow without bound.
// Strict on purpose: every line must end in CRLF (a bare LF is an error; Go, Kubernetes and AWS
// all send CRLF, and strictness leaves no doubt about where a message ends), obs-fold, header
// names that are not tokens and control characters in values are rejected.
// Not done here: decompression, trailers (skipped), HTTP/2, absolute-form request targets.
// The head parsers keep no state between calls: each call rescans the buffer, so call them again
// only when new bytes arrived (a head trickling in byte by byte costs O(max_head^2) at worst,
// which the cap and the caller's timeout bound).
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
// and headers and `consumed` is the head length. Heads longer than `max_head` are errors, reported
// as soon as `max_head` bytes have arrived without the head's end. 1xx interim responses are
// reported like any other; the client discards them (it never sends Expect: 100-continue).
ParseResult parse_response_head(std::string_view buf, Response& out, size_t max_head = kMaxHeadBytes);

struct RequestHead {
  std::string method;
  std::string target;  // origin-form only ("/path?query"); anything else is an error
  Headers headers;
};
// For the health/metrics server: "METHOD SP /target SP HTTP/1.x" and header fields.
ParseResult parse_request_head(std::string_view buf, RequestHead& out, size_t max_head = kMaxHeadBytes);

// How a response body is delimited (RFC 9112 section 6.3).
struct BodyFraming {
  enum Kind { None, Length, Chunked, UntilClose } kind = None;
  uint64_t length = 0;
};
// No body for HEAD, 1xx, 204 and 304; Transfer-Encoding must be exactly "chunked" (we cannot undo
// any other coding) and wins over Content-Length; Content-Length values must be digits, fit in 64
// bits and agree; otherwise the body runs until the connection closes.
// Errors: conflicting or malformed Content-Length, unsupported Transfer-Encoding.
ParseResult body_framing(std::string_view request_method, const Response& head, BodyFraming& out);

// Incremental chunked-body decoder. feed() consumes what it can from `in`, appends decoded bytes
// to `out`, and returns Complete once the last chunk and trailers are read (consumed = bytes used
// from this call's input), NeedMore when input ran out (all of it consumed: the decoder keeps
// its own state), or Error. Works for any split of the input, down to one byte at a time. Bytes
// after the terminating CRLF are never consumed, so a pipelined next response stays in the
// caller's buffer; feed() after Complete consumes nothing. Chunk extensions and trailers are
// skipped (chunk-size lines capped at kMaxChunkLineBytes, trailers at kMaxHeadBytes); chunk sizes
// of 2^63 or more are errors. Capping the total body is the caller's job.
class ChunkedDecoder {
 public:
  ParseResult feed(std::string_view in, std::string& out);
  bool done() const { return state_ == State::Done; }

 private:
  enum class State { Size, Ext, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done };
  State state_ = State::Size;
  uint64_t remaining_ = 0;      // chunk size being read, then data bytes still to copy
  size_t line_bytes_ = 0;       // chunk-size line length, then total trailer bytes (both capped)
  bool size_digits_ = false;    // the chunk-size line has at least one hex digit
  bool trailer_empty_ = true;   // the trailer line being read is empty so far (ends the body)
};

// Serialises a request line and headers (Host, Content-Length when there is a body or the method
// carries one, then the caller's headers) and the body. The caller's headers must not repeat Host
// or Content-Length and must be free of CR/LF (they come from our own code, never from a peer).
std::string serialize_request(const Request& request, std::string_view host_header);

}  // namespace imps::http
