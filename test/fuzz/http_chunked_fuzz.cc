// libFuzzer harness: ChunkedDecoder fed the same input whole and in pieces whose sizes come from
// the first input bytes (see README.md). Both must agree on outcome, body and bytes consumed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/parser.h"

using namespace imps::http;

namespace {

struct Outcome {
  ParseResult::Kind kind = ParseResult::NeedMore;
  std::string body;
  size_t consumed = 0;
};

// Feeds `in` in pieces of the sizes listed in `splits` (cycled; 0 means one byte).
Outcome decode(std::string_view in, std::string_view splits) {
  ChunkedDecoder decoder;
  Outcome o;
  size_t next = 0;
  while (true) {
    size_t piece = splits.empty() ? in.size() : static_cast<uint8_t>(splits[next++ % splits.size()]);
    if (piece == 0) piece = 1;
    std::string_view chunk = in.substr(0, piece);
    ParseResult r = decoder.feed(chunk, o.body);
    o.kind = r.kind;
    if (r.kind == ParseResult::Error) return o;
    o.consumed += r.consumed;
    if (r.kind == ParseResult::Complete) {
      if (r.consumed > chunk.size() || !decoder.done()) abort();
      return o;
    }
    if (r.consumed != chunk.size()) abort();  // NeedMore consumes everything it was given
    in.remove_prefix(chunk.size());
    if (in.empty()) return o;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t split_bytes = data[0] % 8;
  if (size < 1 + split_bytes) return 0;
  std::string_view splits(reinterpret_cast<const char*>(data) + 1, split_bytes);
  std::string_view in(reinterpret_cast<const char*>(data) + 1 + split_bytes, size - 1 - split_bytes);

  Outcome whole = decode(in, {});
  Outcome pieces = decode(in, splits);
  if (whole.kind != pieces.kind) abort();
  if (whole.kind == ParseResult::Error) return 0;  // bytes appended before the error may differ
  if (whole.body != pieces.body) abort();
  if (whole.kind == ParseResult::Complete && whole.consumed != pieces.consumed) abort();
  if (whole.body.size() > in.size()) abort();
  return 0;
}
