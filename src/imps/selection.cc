#include "imps/selection.h"

#include <algorithm>

namespace imps {

bool namespace_selected(const TargetSpec& target, const NamespaceFacts& ns) {
  if (ns.terminating) return false;
  const auto& names = target.namespace_names;
  return std::find(names.begin(), names.end(), ns.name) != names.end() ||
         matches_any(target.namespace_labels, ns.labels) ||
         matches_any(target.namespace_annotations, ns.annotations) || ns.has_matching_pod;
}

bool pod_matches(const TargetSpec& target, const MapDigest& pod_labels, const MapDigest& pod_annotations) {
  return matches_any(target.pod_labels, pod_labels) || matches_any(target.pod_annotations, pod_annotations);
}

bool selects_by_pods(const TargetSpec& target) {
  return !target.pod_labels.empty() || !target.pod_annotations.empty();
}

}  // namespace imps
