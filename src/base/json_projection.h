// Parsing a JSON document into a cJSON tree of only the members a reader needs. API answers are
// mostly bytes imps never reads (a Kubernetes object's managedFields are often half of it, a
// Pod's spec and status the rest); building them into a tree only to drop it costs memory per list
// page and CPU per watch event. Skipped parts are still checked (strings and their escapes,
// numbers, literals, nesting), so a malformed document is rejected whatever it hides, as
// Json::parse would; kept parts are parsed by cJSON itself.
#pragma once

#include <span>
#include <string_view>

#include "base/json.h"
#include "base/result.h"

namespace imps {

// What to keep of a JSON value. For an object: the listed members with their own projections
// (nullptr: drop the member), and the members not listed whole (keep_others) or not at all. For
// an array: each element through this projection. Scalars are kept as they are.
struct JsonProjection {
  struct Member {
    std::string_view key;
    const JsonProjection* projection;  // nullptr: drop this member
  };
  std::span<const Member> members;
  bool keep_others = false;
};

// Keeps a value as it is.
inline constexpr JsonProjection kJsonWhole{{}, true};

// Json::parse, keeping only what `projection` names. Errors are those of Json::parse (malformed
// JSON near byte N, trailing data); nesting deeper than cJSON's limit is malformed too.
Result<Json> parse_projected(std::string_view text, const JsonProjection& projection);

}  // namespace imps
