// status.conditions: the metav1.Condition list that kstatus, `kubectl wait --for=condition=Ready`,
// Argo CD and Flux read. imps owns one condition, Ready, derived from the original's
// status.status/reason (status.h) so that the two can never disagree.
// Invariants: a condition's lastTransitionTime changes only when its status flips, so an
// unchanged outcome compares equal and plans no status write; conditions of other types, written
// by other tools, are kept as they are. Pure: the caller passes the time.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imps {

inline constexpr std::string_view kConditionReady = "Ready";

struct Condition {
  std::string type;
  std::string status;  // "True", "False" or "Unknown"
  std::string reason;  // UpperCamelCase
  std::string message;
  int64_t observed_generation = 0;
  std::string last_transition_time;  // RFC 3339
  bool operator==(const Condition&) const = default;
};

// Lenient like the rest of the status: entries that are not objects with a string type are
// skipped, other fields of the wrong type read as empty.
std::vector<Condition> parse_conditions(const cJSON* list);
// A JSON array in metav1.Condition's shape (all six fields present, as the schema requires).
cJSON* conditions_to_json(const std::vector<Condition>& conditions);

// Replaces (or appends) the condition of `condition.type` in `conditions`, keeping the
// lastTransitionTime `previous` had for that type when the status is the same; otherwise the
// transition happens `now_rfc3339`.
void set_condition(std::vector<Condition>& conditions, Condition condition, const std::vector<Condition>& previous,
                   std::string_view now_rfc3339);

}  // namespace imps
