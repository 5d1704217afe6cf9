// Where an AWS service lives: the SDK-convention default host per region and partition, and the
// AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL overrides. The override values are inputs (the
// app layer reads the environment); this file reads nothing. Pure.
// Only the aws and aws-cn partitions get defaults (cn-* → amazonaws.com.cn, everything else
// amazonaws.com, which also covers GovCloud); FIPS, dual-stack and ISO partitions need an override.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace imps::aws {

struct EndpointOverrides {
  std::string service_url;  // AWS_ENDPOINT_URL_ECR or AWS_ENDPOINT_URL_STS; wins
  std::string global_url;   // AWS_ENDPOINT_URL
};

// Region names go into host names, so only [a-z0-9-] (1–32 chars) passes.
bool valid_region(std::string_view region);
std::string dns_suffix(std::string_view region);  // "amazonaws.com" or "amazonaws.com.cn"

// "https://<prefix>.<region>.<suffix>" unless overridden; an override URL is returned as given
// for the HTTP layer to parse. Invalid when no override applies and the region is invalid.
Result<std::string> resolve_endpoint(std::string_view host_prefix, std::string_view region,
                                     const EndpointOverrides& overrides);

}  // namespace imps::aws
