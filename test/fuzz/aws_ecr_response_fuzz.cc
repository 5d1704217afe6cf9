// libFuzzer harness: arbitrary bytes as an ECR GetAuthorizationToken answer must yield a token or
// an error, never a crash or unbounded memory; a parsed token must split what AWS sent exactly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/ecr.h"
#include "base/bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto token = imps::aws::parse_ecr_authorization_response(body);
  if (token.ok() && imps::base64_decode(token->authorization_token).value() != token->username + ":" + token->password)
    __builtin_trap();
  return 0;
}
