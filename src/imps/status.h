// The status of an ImagePullSecret: what the controller reports and writes through /status.
// `status_changed` ignores lastSuccessfulReconciliation so that an unchanged outcome costs no
// write; the controller decides separately when that timestamp alone is worth writing.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
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
  std::vector<std::string> managed_namespaces;  // sorted
  StringMap source_secret_status;  // "<ns>.<name>" → "Ok" | error text
  bool operator==(const ResourceStatus&) const = default;
};

// Lenient: a status is written by us or by the original operator; fields of the wrong type are
// treated as absent rather than failing the whole resource.
ResourceStatus parse_status(const cJSON* status);
// The `status` object for a /status write.
Json status_to_json(const ResourceStatus& status);

bool status_changed(const ResourceStatus& before, const ResourceStatus& after);

// Folds a failure found while executing a plan into the planned status: Failed, the cause
// appended to the reason, lastSuccessfulReconciliation back to its previous value.
void mark_failed(ResourceStatus& status, std::string_view cause, const ResourceStatus& previous);

// An integer member (JSON numbers are doubles): non-numbers and NaN give the fallback, values
// beyond int64 are clamped, since converting them unchecked is undefined behaviour.
int64_t json_int64_or(const cJSON* obj, const char* key, int64_t fallback);

}  // namespace imps
