// The container credential source (ECS task roles, EKS Pod Identity), as pure pieces: which URLs
// may be asked for credentials, the Authorization token taken from the token file, and the JSON
// answer. The same parser reads IMDS's security-credentials document (same keys, plus "Code").
// No I/O: the caller reads the token file on every fetch (it is rotated) and sends the GET.
#pragma once

#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "base/result.h"

namespace imps::aws {

// The answer is a few hundred bytes plus a session token of about 1 KB.
constexpr size_t kMaxContainerResponseBytes = 64 * 1024;

// botocore's rule: any https URL; plain http only to a loopback address, localhost, the ECS agent
// (169.254.170.2) or the EKS Pod Identity agent (169.254.170.23, fd00:ec2::23). `host` is an IPv6
// literal without brackets.
bool container_credentials_url_allowed(std::string_view scheme, std::string_view host);

// The file content as the Authorization header value: trailing whitespace (a final newline) is
// dropped; CR or LF anywhere else is refused, since it would split the header.
Result<std::string> container_authorization_token(std::string_view file_content);

// {"AccessKeyId","SecretAccessKey","Token","Expiration"} with Expiration RFC 3339 with a fraction
// of any length (Go's RFC3339Nano); a "Code" other than "Success" is an error carrying Code/Message.
Result<Credentials> parse_container_credentials(std::string_view body);

}  // namespace imps::aws
