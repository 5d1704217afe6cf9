// The status of an ImagePullSecret: what the controller reports and writes through /status.
// `status_changed` ignores lastSuccessfulReconciliation so that an unchanged outcome costs no
// write; the controller decides separately when that timestamp alone is worth writing.
// Beside the original's fields: observedGeneration and a kstatus Ready condition
// (status_conditions.h), both derived from the rest by set_ready_condition, so they change only
// when the outcome or the spec's generation does.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "imps/shared_names.h"
#include "imps/status_conditions.h"
#include "imps/string_map.h"

namespace imps {

inline constexpr std::string_view kStatusReady = "Ready";
inline constexpr std::string_view kStatusFailed = "Failed";
inline constexpr std::string_view kSourceOk = "Ok";

struct ResourceStatus {
  std::string status;  // "", Ready or Failed
  std::string reason;  // empty when Ready
  std::string last_successful_reconciliation;  // RFC 3339, supplied by the caller's clock
  int64_t validity_seconds = 0;
  SharedNames managed_namespaces;  // sorted
  StringMap source_secret_status;  // "<ns>.<name>" → "Ok" | error text
  int64_t observed_generation = 0;  // metadata.generation this status describes; 0: not written yet
  std::vector<Condition> conditions;
  bool operator==(const ResourceStatus&) const = default;
};

// Lenient: a status is written by us or by the original operator; fields of the wrong type are
// treated as absent rather than failing the whole resource.
ResourceStatus parse_status(const cJSON* status);
// The `status` object for a /status write.
Json status_to_json(const ResourceStatus& status);

// Whether `after` tells a reader anything `before` did not: lastSuccessfulReconciliation aside,
// and validitySeconds too when both imply the same expiry (it counts down between plans).
bool status_changed(const ResourceStatus& before, const ResourceStatus& after);

// Sets observedGeneration to `generation` and the Ready condition from status/reason: True with
// reason Reconciled, or False with reason ReconciliationFailed and the failure text (which names
// the failing source, selector or Secret) as its message. `previous` is the stored status, whose
// other conditions are kept and whose Ready lastTransitionTime survives unless Ready flips.
void set_ready_condition(ResourceStatus& status, const ResourceStatus& previous, int64_t generation,
                         std::string_view now_rfc3339);

// Folds a failure found while executing a plan into the planned status: Failed, the cause
// appended to the reason, lastSuccessfulReconciliation back to its previous value, the Ready
// condition following (a flip from the planned True happens `now_rfc3339`).
void mark_failed(ResourceStatus& status, std::string_view cause, const ResourceStatus& previous,
                 std::string_view now_rfc3339);

// Adds `ns` to or removes it from the sorted managedNamespaces (a plan of one namespace changes
// only its own entry).
void set_managed(ResourceStatus& status, std::string_view ns, bool managed);

// An integer member (JSON numbers are doubles): non-numbers and NaN give the fallback, values
// beyond int64 are clamped, since converting them unchecked is undefined behaviour.
int64_t json_int64_or(const cJSON* obj, const char* key, int64_t fallback);

}  // namespace imps
