// libFuzzer harness: parse_response_head and body_framing on arbitrary bytes (see README.md).
// Beyond "no crash": a Complete head must be within the input and the cap, and every shorter
// prefix must not be Complete (heads are recognised at exactly one length).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/parser.h"

using namespace imps::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // A small cap too, so the fuzzer reaches the size limit without megabyte inputs.
  for (size_t cap : {kMaxHeadBytes, size_t{64}}) {
    Response response;
    ParseResult p = parse_response_head(in, response, cap);
    if (p.kind == ParseResult::Error && p.error.empty()) abort();
    if (p.kind != ParseResult::Complete) continue;
    if (p.consumed > size || p.consumed > cap) abort();
    if (response.status < 100 || response.status > 999) abort();
    Response shorter;
    if (parse_response_head(in.substr(0, p.consumed - 1), shorter, cap).kind == ParseResult::Complete) abort();
    BodyFraming framing;
    (void)body_framing("GET", response, framing);
  }
  RequestHead request;
  ParseResult r = parse_request_head(in, request);
  if (r.kind == ParseResult::Complete && (request.target.empty() || request.target[0] != '/')) abort();
  return 0;
}
