// Reconcile planning for one ImagePullSecret: from the desired state (the resource, the
// namespaces it selects, the merged credentials) and the observed state (projections of the
// Secrets that matter) to the writes that make them agree and the status to report.
// Pure: no I/O, no clock (the caller passes `now`), nothing executed. The controller executes
// the actions and, when one fails, folds the failure into the status with mark_failed().
//
// Rules (README.md, Using it): a same-named Secret without our owner label is never touched and is
// reported; between two resources claiming one Secret the older (creationTimestamp, then name)
// keeps it and the newer reports the conflict; a Secret owned by a resource that no longer exists
// is taken over; managed Secrets in namespaces no longer selected, or under an old target name,
// are deleted (not in terminating namespaces, which take their Secrets with them). A resource with
// an invalid spec changes nothing in the cluster; a resource being deleted plans nothing at all
// (the garbage collector removes its Secrets). Two resources creating the same Secret at once is
// settled by the API server: one create gets AlreadyExists, and the next reconcile of each sees
// the Secret's owner label and applies the older-wins rule.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/json.h"
#include "imps/resource.h"
#include "imps/source_secret.h"
#include "imps/status.h"
#include "imps/target_secret.h"

namespace imps {

struct PlanInput {
  const ImagePullSecret* resource = nullptr;
  std::vector<std::string> selected_namespaces;  // any order; terminating ones already left out
  std::set<std::string, std::less<>> terminating_namespaces;
  const MergedSources* sources = nullptr;
  // Secrets named like the target in selected namespaces, plus every Secret labelled with this
  // resource's uid; borrowed from the controller's store.
  std::vector<const ObservedSecret*> observed;
  // Other live ImagePullSecrets by uid (nullptr when unknown): decides who is older.
  std::function<const ImagePullSecret*(std::string_view uid)> find_resource;
  // Problems found outside this plan that the status must report (failed ServiceAccount
  // patches): appended to the reason, and they make the resource Failed.
  std::vector<std::string> other_problems;
  int64_t now = 0;                 // Unix seconds, for validitySeconds
  std::string now_rfc3339;         // for lastSuccessfulReconciliation
};

enum class ActionKind { Create, Update, Recreate, Delete };
const char* to_string(ActionKind kind);

struct Action {
  ActionKind kind = ActionKind::Create;
  std::string namespace_name;
  std::string name;
  // Of the observed Secret (Delete, Recreate): delete preconditions, so that a Secret replaced or
  // changed since it was observed is not deleted on the strength of a stale plan.
  std::string uid;
  std::string resource_version;
  // Create, Update, Recreate: the plan's one rendering of the Secret, shared by all its writes
  // (its data is up to 1 MiB: N namespaces must not cost N copies). Delete: null.
  std::shared_ptr<const DesiredSecret> secret;
  // Update: an application/merge-patch+json body, borrowing secret->data (declared after
  // `secret`, so it goes first). Create, and Recreate (DELETE with the preconditions, then POST,
  // as the type is immutable): empty, the executor builds each POST body from `secret` when it
  // sends it, so no more than one body tree lives at a time. Delete: empty.
  Json body;
};

struct Conflict {
  std::string namespace_name;
  std::string name;
  std::string reason;
};

struct Plan {
  std::vector<Action> actions;
  std::vector<Conflict> conflicts;
  ResourceStatus status;
  bool write_status = false;  // status_changed(resource.status, status)
};

Plan plan(const PlanInput& input);

}  // namespace imps
