#include "imps/string_map.h"

namespace imps {

// Long enough for any valid qualified name (253 + 1 + 63), short enough for a status line.
constexpr size_t kMaxQuotedChars = 320;

std::vector<std::string> split_name_list(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

Status for_each_string(const cJSON* node, std::string_view where,
                       const std::function<void(std::string_view key, std::string_view value)>& each) {
  if (!node || cJSON_IsNull(node)) return {};
  if (!cJSON_IsObject(node))
    return make_error(ErrorKind::Invalid, std::string(where) + ": must be an object of strings");
  for (const cJSON* item = node->child; item; item = item->next) {
    if (!cJSON_IsString(item) || !item->valuestring || !item->string)
      return make_error(ErrorKind::Invalid,
                        std::string(where) + ": value of " + quoted(item->string ? item->string : "") +
                            " must be a string");
    each(item->string, item->valuestring);
  }
  return {};
}

Result<StringMap> parse_string_map(const cJSON* node, std::string_view where) {
  StringMap out;
  TRY(for_each_string(node, where, [&out](std::string_view key, std::string_view value) {
    out.insert_or_assign(std::string(key), std::string(value));
  }));
  return out;
}

void add_string_map(cJSON* obj, const char* key, const StringMap& map) {
  if (map.empty()) return;
  cJSON* child = cJSON_AddObjectToObject(obj, key);
  for (const auto& [k, v] : map) cJSON_AddStringToObject(child, k.c_str(), v.c_str());
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  if (text.size() > kMaxQuotedChars) {
    out.append(text.substr(0, kMaxQuotedChars));
    out += "...";
  } else {
    out.append(text);
  }
  out += '"';
  return out;
}

std::vector<std::string_view> keys_of(const StringMap& map) {
  std::vector<std::string_view> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  return keys;
}

}  // namespace imps
