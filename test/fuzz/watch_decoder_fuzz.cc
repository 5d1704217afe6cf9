// libFuzzer harness: arbitrary bytes as a watch stream, split into chunks at positions chosen by
// the input's first byte, through the line splitter (with a small cap so TooLarge is reachable)
// and the event decoder. Any result is fine; crashes and leaks are not.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kube/watch_decoder.h"

namespace {
// Small enough that the fuzzer reaches the oversized-line path with short inputs.
constexpr size_t kFuzzMaxLine = 4096;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = size_t(data[0]) + 1;
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  imps::kube::WatchLineSplitter splitter(kFuzzMaxLine);
  while (!stream.empty()) {
    const std::string_view piece = stream.substr(0, chunk);
    stream.remove_prefix(piece.size());
    if (!splitter.feed(piece).ok()) return 0;
    while (auto line = splitter.next_line()) {
      auto event = imps::kube::decode_watch_event(*line);
      if (event.ok() && event->type != imps::kube::WatchEvent::Type::Error && event->resource_version.empty())
        __builtin_trap();
    }
  }
  return 0;
}
