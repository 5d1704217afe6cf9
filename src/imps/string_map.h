// Labels, annotations and Secret data as a sorted string map: sorted so that anything rendered
// from it is deterministic, with a transparent comparator so lookups take a string_view.
// Reading one from JSON rejects non-string values with an error naming the field; it does not
// validate label syntax (selector.h does that where Kubernetes would).
#pragma once

#include <cJSON.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace imps {

using StringMap = std::map<std::string, std::string, std::less<>>;

// An absent or null node is an empty map; anything but an object of strings is an error that
// names `where`.
Result<StringMap> parse_string_map(const cJSON* node, std::string_view where);
// The same walk for other shapes of the result (map_digest.h): `each` sees every member in order.
Status for_each_string(const cJSON* node, std::string_view where,
                       const std::function<void(std::string_view key, std::string_view value)>& each);
// Adds `key: {..}` to obj (nothing when the map is empty, as the API server omits empty maps).
void add_string_map(cJSON* obj, const char* key, const StringMap& map);

// Bookkeeping annotations hold comma-separated lists of names or keys (neither can contain a
// comma): split one, dropping empty items and blanks around them.
std::vector<std::string> split_name_list(std::string_view list);
// The other way: `names` (any range of strings, e.g. keys_of(map)) in their order,
// with `separator` between them; also how status reasons list their causes.
template <typename Names>
std::string join_names(const Names& names, std::string_view separator = ",") {
  std::string out;
  bool first = true;
  for (const auto& name : names) {
    if (!first) out += separator;
    out += name;
    first = false;
  }
  return out;
}

// The map's keys, in order (std::views::keys is not usable with clang 14, which builds the fuzzers).
std::vector<std::string_view> keys_of(const StringMap& map);

// Quotes outside text for an error message, cut to a length that keeps messages readable.
// Only for names, keys and selector values: never pass credentials.
std::string quoted(std::string_view text);

}  // namespace imps
