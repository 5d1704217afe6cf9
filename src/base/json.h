// Owning cJSON trees and small read helpers. cJSON nodes are borrowed (`const cJSON*`) from a
// Json that owns the root; helpers return nullptr/empty for absent or mistyped members so callers
// decide what is an error. Parsing takes an explicit length (no NUL terminator needed) and the
// caller bounds the input size; cJSON bounds nesting depth (CJSON_NESTING_LIMIT).
#pragma once

#include <cJSON.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace imps {

struct CJsonDeleter {
  void operator()(cJSON* p) const { cJSON_Delete(p); }
};

class Json {
 public:
  Json() = default;
  explicit Json(cJSON* root) : root_(root) {}

  static Result<Json> parse(std::string_view text);
  static Json object() { return Json(cJSON_CreateObject()); }
  static Json array() { return Json(cJSON_CreateArray()); }

  cJSON* get() const { return root_.get(); }
  cJSON* release() { return root_.release(); }
  explicit operator bool() const { return root_ != nullptr; }

  std::string dump() const;  // compact

 private:
  std::unique_ptr<cJSON, CJsonDeleter> root_;
};

// Read helpers on borrowed nodes.
const cJSON* json_member(const cJSON* obj, const char* key);  // nullptr if obj is not an object
std::optional<std::string_view> json_string(const cJSON* obj, const char* key);
std::string json_string_or(const cJSON* obj, const char* key, std::string_view fallback = {});
std::optional<double> json_number(const cJSON* obj, const char* key);
bool json_bool_or(const cJSON* obj, const char* key, bool fallback);
// Walks a dotted path of object members: json_path(o, {"metadata", "name"}).
const cJSON* json_path(const cJSON* obj, std::initializer_list<const char*> keys);

// Builders (cJSON copies the strings).
void json_set_string(cJSON* obj, const char* key, std::string_view value);
cJSON* json_add_object(cJSON* obj, const char* key);

}  // namespace imps
