// libFuzzer harness: arbitrary bytes through the projecting parser, checked against cJSON. A
// whole projection must give exactly cJSON's tree whenever it accepts; a projection that drops
// members may not change whether a document is accepted (skipped parts are checked too).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/json_projection.h"
#include "kube/projection.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto whole = imps::parse_projected(text, imps::kJsonWhole);
  auto dropping = imps::parse_projected(text, imps::kube::kObjectProjection);
  if (whole.ok() != dropping.ok()) __builtin_trap();
  if (!whole.ok()) return 0;
  auto full = imps::Json::parse(text);
  if (!full.ok() || full->dump() != whole->dump()) __builtin_trap();
  return 0;
}
