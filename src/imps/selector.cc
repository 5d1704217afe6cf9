#include "imps/selector.h"

#include <algorithm>

#include "base/bytes.h"
#include "base/json.h"

namespace imps {
namespace {

// Kubernetes limits: a label name segment and value are at most 63 characters (one DNS label),
// a key prefix is a DNS subdomain of at most 253.
constexpr size_t kMaxNameLength = 63;
constexpr size_t kMaxPrefixLength = 253;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  if (!is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

Error invalid(std::string_view where, const std::string& what) {
  return make_error(ErrorKind::Invalid, std::string(where) + ": " + what);
}

Status check_key(std::string_view key, SelectorKind kind, std::string_view where) {
  if (key.empty()) return invalid(where, "key must not be empty");
  if (kind == SelectorKind::Labels && !is_valid_label_key(key))
    return invalid(where, "key " + quoted(key) + " is not a valid label key");
  return {};
}

Status check_value(std::string_view value, SelectorKind kind, std::string_view where) {
  if (kind == SelectorKind::Labels && !is_valid_label_value(value))
    return invalid(where, "value " + quoted(value) + " is not a valid label value");
  return {};
}

Result<SelectorOperator> parse_operator(const cJSON* expr, std::string_view where) {
  const cJSON* op = json_member(expr, "operator");
  std::string_view name = cJSON_IsString(op) && op->valuestring ? op->valuestring : "";
  if (name == "In") return SelectorOperator::In;
  if (name == "NotIn") return SelectorOperator::NotIn;
  if (name == "Exists") return SelectorOperator::Exists;
  if (name == "DoesNotExist") return SelectorOperator::DoesNotExist;
  return invalid(where, "operator " + quoted(name) + " is not one of In, NotIn, Exists, DoesNotExist");
}

Result<Requirement> parse_expression(const cJSON* expr, SelectorKind kind, std::string_view where) {
  if (!cJSON_IsObject(expr)) return invalid(where, "must be an object");
  Requirement req;
  const cJSON* key = json_member(expr, "key");
  if (key && !cJSON_IsString(key)) return invalid(where, "key must be a string");
  req.key = key ? key->valuestring : "";
  TRY(check_key(req.key, kind, where));
  TRY_ASSIGN(req.op, parse_operator(expr, where));
  const cJSON* values = json_member(expr, "values");
  if (values && !cJSON_IsNull(values)) {
    if (!cJSON_IsArray(values)) return invalid(where, "values must be a list of strings");
    for (const cJSON* v = values->child; v; v = v->next) {
      if (!cJSON_IsString(v)) return invalid(where, "values must be a list of strings");
      TRY(check_value(v->valuestring, kind, where));
      req.values.emplace_back(v->valuestring);
    }
  }
  bool set_based = req.op == SelectorOperator::In || req.op == SelectorOperator::NotIn;
  if (set_based && req.values.empty())
    return invalid(where, std::string("operator ") + (req.op == SelectorOperator::In ? "In" : "NotIn") +
                              " needs at least one value");
  if (!set_based && !req.values.empty())
    return invalid(where, std::string("operator ") +
                              (req.op == SelectorOperator::Exists ? "Exists" : "DoesNotExist") +
                              " takes no values");
  std::sort(req.values.begin(), req.values.end());
  return req;
}

}  // namespace

bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > kMaxPrefixLength) return false;
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (lower_alnum(c) || c == '-') continue;
    // Each dot-separated label must start and end alphanumeric.
    if (c == '.' && lower_alnum(s[i - 1]) && lower_alnum(s[i + 1])) continue;
    return false;
  }
  return true;
}

bool is_valid_label_key(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return is_name(key);
  return is_dns_subdomain(key.substr(0, slash)) && is_name(key.substr(slash + 1));
}

bool is_valid_label_value(std::string_view value) { return value.empty() || is_name(value); }

namespace {

void add_hashes(Requirement& req) {
  req.key_hash = content_hash(req.key);
  for (const std::string& value : req.values) req.value_hashes.push_back(content_hash(value));
  std::sort(req.value_hashes.begin(), req.value_hashes.end());
}

}  // namespace

Result<Selector> Selector::parse(const cJSON* node, SelectorKind kind, std::string_view where) {
  if (!cJSON_IsObject(node)) return invalid(where, "must be an object");
  Selector out;
  const char* equality_member = kind == SelectorKind::Labels ? "matchLabels" : "matchAnnotations";
  std::string equality_where = std::string(where) + "." + equality_member;
  TRY_ASSIGN(StringMap equal, parse_string_map(json_member(node, equality_member), equality_where));
  for (auto& [key, value] : equal) {
    TRY(check_key(key, kind, equality_where));
    TRY(check_value(value, kind, equality_where));
    out.requirements_.push_back({key, SelectorOperator::In, {value}, 0, {}});
  }
  const cJSON* exprs = json_member(node, "matchExpressions");
  if (exprs && !cJSON_IsNull(exprs)) {
    std::string exprs_where = std::string(where) + ".matchExpressions";
    if (!cJSON_IsArray(exprs)) return invalid(exprs_where, "must be a list");
    int i = 0;
    for (const cJSON* e = exprs->child; e; e = e->next, ++i) {
      TRY_ASSIGN(Requirement req,
                 parse_expression(e, kind, exprs_where + "[" + std::to_string(i) + "]"));
      out.requirements_.push_back(std::move(req));
    }
  }
  for (Requirement& req : out.requirements_) add_hashes(req);
  return out;
}

bool Selector::matches(const MapDigest& map) const {
  for (const Requirement& req : requirements_) {
    const std::optional<uint64_t> value = map.find(req.key_hash);
    bool present = value.has_value();
    bool listed = present && std::binary_search(req.value_hashes.begin(), req.value_hashes.end(), *value);
    bool ok = false;
    switch (req.op) {
      case SelectorOperator::In: ok = listed; break;
      case SelectorOperator::NotIn: ok = !listed; break;
      case SelectorOperator::Exists: ok = present; break;
      case SelectorOperator::DoesNotExist: ok = !present; break;
    }
    if (!ok) return false;
  }
  return true;
}

Result<std::vector<Selector>> parse_selectors(const cJSON* node, SelectorKind kind,
                                              std::string_view where) {
  std::vector<Selector> out;
  if (!node || cJSON_IsNull(node)) return out;
  if (!cJSON_IsArray(node)) return invalid(where, "must be a list of selectors");
  int i = 0;
  for (const cJSON* s = node->child; s; s = s->next, ++i) {
    TRY_ASSIGN(Selector sel, Selector::parse(s, kind, std::string(where) + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(sel));
  }
  return out;
}

bool matches_any(const std::vector<Selector>& selectors, const MapDigest& map) {
  return std::any_of(selectors.begin(), selectors.end(),
                     [&](const Selector& s) { return s.matches(map); });
}

}  // namespace imps
