#include "aws/endpoint.h"

namespace imps::aws {
namespace {
constexpr size_t kMaxRegionLength = 32;  // the longest real region names are about 15 characters
}

bool valid_region(std::string_view region) {
  if (region.empty() || region.size() > kMaxRegionLength) return false;
  if (region.front() == '-' || region.back() == '-') return false;
  for (char c : region)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

std::string dns_suffix(std::string_view region) {
  return region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

Result<std::string> resolve_endpoint(std::string_view host_prefix, std::string_view region,
                                     const EndpointOverrides& overrides) {
  if (!overrides.service_url.empty()) return overrides.service_url;
  if (!overrides.global_url.empty()) return overrides.global_url;
  if (!valid_region(region))
    return make_error(ErrorKind::Invalid,
                      "invalid AWS region \"" + std::string(region.substr(0, kMaxRegionLength)) + "\"");
  std::string url = "https://";
  url.append(host_prefix).append(".").append(region).append(".").append(dns_suffix(region));
  return url;
}

}  // namespace imps::aws
