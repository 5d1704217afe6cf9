// Which namespaces get a resource's Secret: the OR of the five rules of the spec (listed name,
// namespace labels, namespace annotations, a pod with matching labels, a pod with matching
// annotations); a terminating namespace is never selected.
// The pod side is a separate predicate so the controller need not keep pods: it counts, per
// namespace and resource, the pods for which `pod_matches` holds and passes `count > 0` here.
#pragma once

#include <string_view>

#include "imps/resource.h"
#include "imps/map_digest.h"
#include "imps/string_map.h"

namespace imps {

struct NamespaceFacts {
  std::string_view name;
  const MapDigest& labels;
  const MapDigest& annotations;
  bool terminating = false;      // status.phase Terminating or deletionTimestamp set
  bool has_matching_pod = false;  // some pod in it satisfies pod_matches for this resource
};

bool namespace_selected(const TargetSpec& target, const NamespaceFacts& ns);

// Does a pod with these labels and annotations select its namespace for this resource?
bool pod_matches(const TargetSpec& target, const MapDigest& pod_labels, const MapDigest& pod_annotations);

// False when the resource has no namespacesWithPods selectors: its pods need not be counted.
bool selects_by_pods(const TargetSpec& target);

}  // namespace imps
