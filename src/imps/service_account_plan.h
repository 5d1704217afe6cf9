// ServiceAccounts that carry the target Secret (spec.target.serviceAccounts): from a projection
// of one ServiceAccount and the Secret names it should list, the one merge patch that makes it so.
//
// What imps added is recorded on the ServiceAccount itself, in the annotation
// images.banzaicloud.io/added-pull-secrets (sorted, comma-separated Secret names; Secret names
// cannot contain commas), so that after a restart imps still removes exactly its own entries and
// never one a user or another tool put there. Rules:
//  - a wanted name not listed is appended (once, at the end; the other entries keep their order)
//    and recorded;
//  - a wanted name already listed but not recorded is somebody else's: left alone, not recorded;
//  - a recorded name no longer wanted is removed from the list and from the record (unless
//    removals are on hold, see plan_service_account);
//  - a recorded name the list no longer holds is forgotten unless it is wanted (then re-added).
// The patch carries the observed resourceVersion, so a concurrent change makes it fail with 409
// instead of being overwritten. Pure: no I/O; the caller decides what is wanted.
#pragma once

#include <cJSON.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace imps {

inline constexpr std::string_view kAddedPullSecretsAnnotation = "images.banzaicloud.io/added-pull-secrets";

struct ObservedServiceAccount {
  std::string namespace_name;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::vector<std::string> pull_secrets;  // imagePullSecrets[].name, in order
  std::vector<std::string> added;         // the annotation's names, sorted, unique
  bool deleting = false;
};
Result<ObservedServiceAccount> observe_service_account(const cJSON* service_account);

using NameSet = std::set<std::string, std::less<>>;

struct ServiceAccountPatch {
  std::vector<std::string> added;    // appended by this patch
  std::vector<std::string> removed;  // imps' own entries this patch takes out
  Json body;                         // application/merge-patch+json
};

// nullopt when the ServiceAccount already agrees. With `may_remove` false nothing is removed
// (used while a resource's spec is unreadable: its wishes are unknown, and a typo must not strip
// working pull secrets).
std::optional<ServiceAccountPatch> plan_service_account(const ObservedServiceAccount& observed,
                                                        const NameSet& wanted, bool may_remove);

}  // namespace imps
