// libFuzzer harness: parse_url, host_header and the percent-encoding pair (see README.md).
// Checks that a parsed URL survives a round trip through its own parts and that
// percent_decode(query_escape(x)) == x for any bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/url.h"

using namespace imps::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (percent_decode(query_escape(in)) != in) abort();

  auto url = parse_url(in);
  if (!url.ok()) return 0;
  if (url->host.empty() || url->port == 0 || url->path.empty() || url->path[0] != '/') abort();
  std::string again = url->scheme + "://" + host_header(*url) + url->path;
  if (!url->query.empty()) again += "?" + url->query;
  auto reparsed = parse_url(again);
  if (!reparsed.ok()) abort();
  if (reparsed->host != url->host || reparsed->port != url->port || reparsed->path != url->path ||
      reparsed->query != url->query || reparsed->scheme != url->scheme) {
    abort();
  }
  return 0;
}
