#include "kube/projection.h"

namespace imps::kube {
namespace {

// {"<kept>": whole, "<wrapped>": object}, nothing else: built per parse, as `object` varies.
Result<Json> parse_wrapped(std::string_view text, std::string_view kept, std::string_view wrapped,
                           const JsonProjection& object) {
  const JsonProjection::Member members[] = {{kept, &kJsonWhole}, {wrapped, &object}};
  return parse_projected(text, JsonProjection{members, false});
}

}  // namespace

Result<Json> parse_list(std::string_view text, const JsonProjection& object) {
  return parse_wrapped(text, "metadata", "items", object);
}

Result<Json> parse_watch_event(std::string_view text, const JsonProjection& object) {
  return parse_wrapped(text, "type", "object", object);
}

}  // namespace imps::kube
