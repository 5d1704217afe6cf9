// The opening of every AWS JSON answer imps reads (ECR GetAuthorizationToken, the container
// credentials agent): bounded before it is parsed, and errors that name the answer. What the
// document must hold is the caller's.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/json.h"
#include "base/result.h"

namespace imps::aws {

// TooLarge past `max_bytes`; Invalid "<what>: <parser's message>" when it is not JSON.
// `what` names the answer: "ECR GetAuthorizationToken response".
Result<Json> parse_json_answer(std::string_view body, size_t max_bytes, std::string_view what);

}  // namespace imps::aws
