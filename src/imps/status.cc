#include "imps/status.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/clock.h"

namespace imps {

ResourceStatus parse_status(const cJSON* status) {
  ResourceStatus out;
  if (!cJSON_IsObject(status)) return out;
  out.status = json_string_or(status, "status");
  out.reason = json_string_or(status, "reason");
  out.last_successful_reconciliation = json_string_or(status, "lastSuccessfulReconciliation");
  out.validity_seconds = json_int64_or(status, "validitySeconds", 0);
  const cJSON* managed = json_member(status, "managedNamespaces");
  if (cJSON_IsArray(managed)) {
    std::vector<std::string> names;
    for (const cJSON* ns = managed->child; ns; ns = ns->next)
      if (cJSON_IsString(ns)) names.emplace_back(ns->valuestring);
    std::sort(names.begin(), names.end());
    out.managed_namespaces = std::move(names);
  }
  auto sources = parse_string_map(json_member(status, "sourceSecretStatus"), "status");
  if (sources.ok()) out.source_secret_status = std::move(sources).value();
  out.observed_generation = json_int64_or(status, "observedGeneration", 0);
  out.conditions = parse_conditions(json_member(status, "conditions"));
  return out;
}

Json status_to_json(const ResourceStatus& status) {
  Json out = Json::object();
  cJSON* o = out.get();
  cJSON_AddStringToObject(o, "status", status.status.c_str());
  cJSON_AddStringToObject(o, "reason", status.reason.c_str());
  if (!status.last_successful_reconciliation.empty())
    cJSON_AddStringToObject(o, "lastSuccessfulReconciliation",
                            status.last_successful_reconciliation.c_str());
  cJSON_AddNumberToObject(o, "validitySeconds", double(status.validity_seconds));
  cJSON* managed = cJSON_AddArrayToObject(o, "managedNamespaces");
  for (const std::string& ns : status.managed_namespaces)
    cJSON_AddItemToArray(managed, cJSON_CreateString(ns.c_str()));
  cJSON* sources = cJSON_AddObjectToObject(o, "sourceSecretStatus");
  for (const auto& [key, value] : status.source_secret_status)
    cJSON_AddStringToObject(sources, key.c_str(), value.c_str());
  if (status.observed_generation > 0)
    cJSON_AddNumberToObject(o, "observedGeneration", double(status.observed_generation));
  if (!status.conditions.empty()) cJSON_AddItemToObject(o, "conditions", conditions_to_json(status.conditions));
  return out;
}

namespace {

// validitySeconds counts down: planned a minute later, the same credential shows 60 fewer
// seconds. What a reader learns from it is the expiry, lastSuccessfulReconciliation (the time it
// was planned at, for a Ready status) plus validitySeconds; two statuses that imply the same
// expiry say the same. A Failed status keeps an older lastSuccessfulReconciliation, so its
// validity is compared as it is.
bool same_expiry(const ResourceStatus& a, const ResourceStatus& b) {
  if (a.validity_seconds == b.validity_seconds) return true;
  if (a.validity_seconds <= 0 || b.validity_seconds <= 0 || a.status != kStatusReady || b.status != kStatusReady)
    return false;
  const int64_t a_ms = parse_rfc3339_ms(a.last_successful_reconciliation);
  const int64_t b_ms = parse_rfc3339_ms(b.last_successful_reconciliation);
  if (a_ms < 0 || b_ms < 0) return false;
  return a_ms / 1000 + a.validity_seconds == b_ms / 1000 + b.validity_seconds;
}

}  // namespace

bool status_changed(const ResourceStatus& before, const ResourceStatus& after) {
  ResourceStatus a = before;  // cheap: managedNamespaces is shared, not copied
  a.last_successful_reconciliation = after.last_successful_reconciliation;
  if (same_expiry(before, after)) a.validity_seconds = after.validity_seconds;
  return !(a == after);
}

void set_ready_condition(ResourceStatus& status, const ResourceStatus& previous, int64_t generation,
                         std::string_view now_rfc3339) {
  const bool ready = status.status == kStatusReady;
  status.observed_generation = generation;
  status.conditions = previous.conditions;
  Condition condition{std::string(kConditionReady), ready ? "True" : "False",
                      ready ? "Reconciled" : "ReconciliationFailed",
                      ready ? "pull Secret up to date in " + std::to_string(status.managed_namespaces.size()) +
                                  " namespace(s)"
                            : status.reason,
                      generation, ""};
  set_condition(status.conditions, std::move(condition), previous.conditions, now_rfc3339);
}

void mark_failed(ResourceStatus& status, std::string_view cause, const ResourceStatus& previous,
                 std::string_view now_rfc3339) {
  status.status = kStatusFailed;
  if (!status.reason.empty()) status.reason += "; ";
  status.reason += cause;
  status.last_successful_reconciliation = previous.last_successful_reconciliation;
  set_ready_condition(status, previous, status.observed_generation, now_rfc3339);
}

void set_managed(ResourceStatus& status, std::string_view ns, bool managed) {
  const std::vector<std::string>& names = status.managed_namespaces.get();
  auto it = std::lower_bound(names.begin(), names.end(), ns);
  const bool present = it != names.end() && *it == ns;
  if (managed == present) return;  // unchanged: the list stays shared
  const auto at = it - names.begin();
  std::vector<std::string>& own = status.managed_namespaces.mutate();
  if (managed) own.emplace(own.begin() + at, ns);
  else own.erase(own.begin() + at);
}

int64_t json_int64_or(const cJSON* obj, const char* key, int64_t fallback) {
  auto v = json_number(obj, key);
  if (!v || std::isnan(*v)) return fallback;
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  constexpr double kLimit = 9223372036854775808.0;
  if (*v >= kLimit) return std::numeric_limits<int64_t>::max();
  if (*v < -kLimit) return std::numeric_limits<int64_t>::min();
  return int64_t(*v);
}

}  // namespace imps
