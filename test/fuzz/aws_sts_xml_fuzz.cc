// libFuzzer harness: arbitrary bytes through the XML scanner and both STS parsers: values or
// errors, never a crash; scanned documents respect the element and depth caps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/sts.h"
#include "aws/xml_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto elements = imps::aws::scan_xml(xml);
  if (elements.ok()) {
    if (elements->empty() || elements->size() > imps::aws::kMaxXmlElements) __builtin_trap();
    for (const auto& e : *elements)
      if (e.depth >= imps::aws::kMaxXmlDepth) __builtin_trap();
  }
  auto credentials = imps::aws::parse_sts_credentials_response(xml);
  if (credentials.ok() && credentials->expires_at_unix_ms <= 0) __builtin_trap();
  if (imps::aws::parse_sts_error_response(503, xml).code.empty()) __builtin_trap();
  return 0;
}
