// Kubernetes LabelSelector semantics over a string map (a namespace's or pod's labels or
// annotations). A selector is a list of requirements that are all ANDed: matchLabels /
// matchAnnotations entries are equality requirements; matchExpressions use In, NotIn (which also
// matches an absent key), Exists, DoesNotExist. A selector with no requirements (`{}`) matches
// everything. Selectors are validated and compiled once; matching allocates nothing.
// Label selectors check label syntax (qualified-name keys, label values); annotation selectors
// only require non-empty keys, since annotation values are free text.
// Unknown members of a selector object are ignored (the CRD schema prunes them anyway).
#pragma once

#include <cJSON.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "imps/map_digest.h"
#include "imps/string_map.h"

namespace imps {

enum class SelectorKind { Labels, Annotations };

enum class SelectorOperator { In, NotIn, Exists, DoesNotExist };

struct Requirement {
  std::string key;
  SelectorOperator op = SelectorOperator::Exists;
  std::vector<std::string> values;  // sorted, for In/NotIn only
  // What matching compares (map_digest.h): content_hash of the key and of each value, sorted.
  uint64_t key_hash = 0;
  std::vector<uint64_t> value_hashes;
  bool operator==(const Requirement&) const = default;
};

class Selector {
 public:
  // `where` names the selector in errors, e.g. "target.namespaces.labels[1]".
  static Result<Selector> parse(const cJSON* node, SelectorKind kind, std::string_view where);

  bool matches(const MapDigest& map) const;
  const std::vector<Requirement>& requirements() const { return requirements_; }
  bool operator==(const Selector&) const = default;

 private:
  std::vector<Requirement> requirements_;
};

// A JSON array of selectors (absent or null → empty list); elements are named where[i].
Result<std::vector<Selector>> parse_selectors(const cJSON* node, SelectorKind kind,
                                              std::string_view where);
// True when any selector of the list matches (an empty list matches nothing).
bool matches_any(const std::vector<Selector>& selectors, const MapDigest& map);

// Kubernetes label syntax: key = [DNS-subdomain prefix '/'] name, name ≤ 63 characters of
// [A-Za-z0-9_.-] starting and ending alphanumeric; a value is empty or has the name syntax.
bool is_valid_label_key(std::string_view key);
bool is_valid_label_value(std::string_view value);
// RFC 1123 subdomain as Kubernetes checks object names (Secrets) and key prefixes: ≤ 253
// characters, lowercase alphanumeric labels separated by '.', '-' inside labels.
bool is_dns_subdomain(std::string_view name);

}  // namespace imps
