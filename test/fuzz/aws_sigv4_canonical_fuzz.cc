// libFuzzer harness: arbitrary bytes as a request target and header value go through the SigV4
// canonical request; the result uses only the characters SigV4 allows in the URI and query.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/sigv4_canonical.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string_view path = bytes.substr(0, bytes.find('?'));
  std::string uri = imps::aws::canonical_uri(path);
  std::string query = imps::aws::canonical_query(bytes.substr(path.size() < bytes.size() ? path.size() + 1 : bytes.size()));
  if (uri.empty() || uri[0] != '/') __builtin_trap();
  for (char c : uri + query) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("-_.~%/=&").find(c) != std::string_view::npos;
    if (!ok) __builtin_trap();
  }
  imps::http::Headers headers = {{"X-Fuzz", std::string(bytes)}, {"Host", "h"}};
  auto canonical = imps::aws::canonical_request("GET", bytes, headers, "e3b0");
  if (canonical.signed_headers != "host;x-fuzz") __builtin_trap();
  return 0;
}
