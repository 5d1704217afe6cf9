#include "aws/json_answer.h"

#include <string>

namespace imps::aws {

Result<Json> parse_json_answer(std::string_view body, size_t max_bytes, std::string_view what) {
  if (body.size() > max_bytes)
    return make_error(ErrorKind::TooLarge, std::string(what) + " exceeds " + std::to_string(max_bytes) + " bytes");
  auto doc = Json::parse(body);
  if (!doc.ok()) return make_error(ErrorKind::Invalid, std::string(what) + ": " + doc.error().message);
  return doc;
}

}  // namespace imps::aws
