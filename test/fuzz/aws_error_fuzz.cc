// libFuzzer harness: arbitrary bytes as an AWS JSON error body (and the same bytes as the
// x-amzn-ErrorType header) always give a non-empty code and a capped, single-line message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/aws_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (auto header : {std::optional<std::string_view>(), std::optional<std::string_view>(bytes)}) {
    imps::aws::AwsError e = imps::aws::parse_json_error(400, bytes, header);
    if (e.code.empty() || e.message.size() > imps::aws::kMaxErrorMessageBytes) __builtin_trap();
    for (char c : e.message)
      if (static_cast<unsigned char>(c) < 0x20) __builtin_trap();
  }
  return 0;
}
