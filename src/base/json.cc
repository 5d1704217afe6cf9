#include "base/json.h"

#include <cstdlib>

namespace imps {

Result<Json> Json::parse(std::string_view text) {
  const char* end = nullptr;
  cJSON* root = cJSON_ParseWithLengthOpts(text.data(), text.size(), &end, false);
  if (!root) {
    size_t at = end && end >= text.data() ? size_t(end - text.data()) : 0;
    return make_error(ErrorKind::Invalid, "malformed JSON near byte " + std::to_string(at));
  }
  Json doc(root);
  // Only whitespace may follow the document.
  for (const char* p = end; p && p < text.data() + text.size(); ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
      return make_error(ErrorKind::Invalid, "trailing data after JSON document at byte " +
                                                std::to_string(p - text.data()));
  }
  return doc;
}

std::string Json::dump() const {
  if (!root_) return "null";
  char* s = cJSON_PrintUnformatted(root_.get());
  if (!s) return "null";
  std::string out(s);
  cJSON_free(s);
  return out;
}

const cJSON* json_member(const cJSON* obj, const char* key) {
  if (!cJSON_IsObject(obj)) return nullptr;
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

std::optional<std::string_view> json_string(const cJSON* obj, const char* key) {
  const cJSON* m = json_member(obj, key);
  if (!cJSON_IsString(m) || !m->valuestring) return std::nullopt;
  return std::string_view(m->valuestring);
}

std::string json_string_or(const cJSON* obj, const char* key, std::string_view fallback) {
  auto s = json_string(obj, key);
  return std::string(s ? *s : fallback);
}

std::optional<double> json_number(const cJSON* obj, const char* key) {
  const cJSON* m = json_member(obj, key);
  if (!cJSON_IsNumber(m)) return std::nullopt;
  return m->valuedouble;
}

bool json_bool_or(const cJSON* obj, const char* key, bool fallback) {
  const cJSON* m = json_member(obj, key);
  if (!cJSON_IsBool(m)) return fallback;
  return cJSON_IsTrue(m);
}

const cJSON* json_path(const cJSON* obj, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    obj = json_member(obj, k);
    if (!obj) return nullptr;
  }
  return obj;
}

void json_set_string(cJSON* obj, const char* key, std::string_view value) {
  std::string copy(value);
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  cJSON_AddItemToObject(obj, key, cJSON_CreateString(copy.c_str()));
}

cJSON* json_add_object(cJSON* obj, const char* key) {
  cJSON* child = cJSON_CreateObject();
  cJSON_AddItemToObject(obj, key, child);
  return child;
}

}  // namespace imps
