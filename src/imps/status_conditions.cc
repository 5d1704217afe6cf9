#include "imps/status_conditions.h"

#include <algorithm>

#include "base/json.h"
#include "imps/status.h"

namespace imps {
namespace {

const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type) {
  auto it = std::find_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

}  // namespace

std::vector<Condition> parse_conditions(const cJSON* list) {
  std::vector<Condition> out;
  if (!cJSON_IsArray(list)) return out;
  for (const cJSON* item = list->child; item; item = item->next) {
    if (!cJSON_IsString(json_member(item, "type"))) continue;
    out.push_back(Condition{json_string_or(item, "type"), json_string_or(item, "status"),
                            json_string_or(item, "reason"), json_string_or(item, "message"),
                            json_int64_or(item, "observedGeneration", 0),
                            json_string_or(item, "lastTransitionTime")});
  }
  return out;
}

cJSON* conditions_to_json(const std::vector<Condition>& conditions) {
  cJSON* array = cJSON_CreateArray();
  for (const Condition& c : conditions) {
    cJSON* o = cJSON_CreateObject();
    json_set_string(o, "type", c.type);
    json_set_string(o, "status", c.status);
    json_set_string(o, "reason", c.reason);
    json_set_string(o, "message", c.message);
    cJSON_AddNumberToObject(o, "observedGeneration", double(c.observed_generation));
    json_set_string(o, "lastTransitionTime", c.last_transition_time);
    cJSON_AddItemToArray(array, o);
  }
  return array;
}

void set_condition(std::vector<Condition>& conditions, Condition condition, const std::vector<Condition>& previous,
                   std::string_view now_rfc3339) {
  const Condition* before = find_condition(previous, condition.type);
  condition.last_transition_time =
      before && before->status == condition.status ? before->last_transition_time : std::string(now_rfc3339);
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == condition.type; });
  if (it == conditions.end())
    conditions.push_back(std::move(condition));
  else
    *it = std::move(condition);
}

}  // namespace imps
