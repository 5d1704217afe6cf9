// What the controller remembers about Pods, which it must never cache whole (100k pods): per
// (resource, namespace) the number of pods that select the namespace for that resource
// (namespacesWithPods), and for each pod that matches at least one resource, which resources
// it matched — so that a delete or relabel can undo its counts without the pod's old labels.
// Pods that match nothing cost nothing. Resources are identified by name (the queue's key).
// Memory (the 100k-pod budget): a pod costs one hash-table entry — a 64-bit hash of
// "<namespace>/<name>" and the id of its set of matched resources; the sets are interned, since
// most pods match the same one or two resources. Two pods whose names hash alike (odds about
// 1 in 10^9 at 100k pods) would share one record; a resync's relist rebuilds the index anyway.
// Pure bookkeeping: deciding which resources a pod matches is the caller's (selection.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/json_projection.h"
#include "base/result.h"
#include "imps/map_digest.h"
#include "imps/string_map.h"

namespace imps::modes {

// The fields of a Pod (PartialObjectMetadata) that selection reads.
struct PodMeta {
  std::string namespace_name;
  std::string name;
  MapDigest labels;
  MapDigest annotations;
};
Result<PodMeta> observe_pod(const cJSON* object);
// What the pod reflector keeps of each Pod: what observe_pod reads, and the resourceVersion.
// Other members are skipped while parsing (most of a Pod's metadata is ownerReferences and
// managedFields); Status objects of watch ERROR events keep their top-level members.
inline constexpr JsonProjection::Member kPodMetadataMembers[] = {
    {"namespace", &kJsonWhole}, {"name", &kJsonWhole}, {"resourceVersion", &kJsonWhole},
    {"labels", &kJsonWhole},    {"annotations", &kJsonWhole}};
inline constexpr JsonProjection kPodMetadata{kPodMetadataMembers, false};
inline constexpr JsonProjection::Member kPodMembers[] = {{"metadata", &kPodMetadata}};
inline constexpr JsonProjection kPodProjection{kPodMembers, true};

// A namespace gained its first or lost its last matching pod for a resource.
struct PodCountChange {
  std::string resource;
  std::string namespace_name;
  bool has_pods = false;  // the count is now > 0
  bool operator==(const PodCountChange&) const = default;
};

class PodIndex {
 public:
  // The pod now matches exactly `resources` (empty: none, or deleted). Returns the counts that
  // crossed 0↔1.
  std::vector<PodCountChange> set(std::string_view ns, std::string_view name,
                                  std::vector<std::string> resources);
  std::vector<PodCountChange> remove(std::string_view ns, std::string_view name) {
    return set(ns, name, {});
  }
  // Becomes `next` (rebuilt from a full list) and returns the (resource, namespace) pairs whose
  // having-pods state differs between the two.
  std::vector<PodCountChange> replace(PodIndex next);

  bool has_pods(std::string_view resource, std::string_view ns) const;
  size_t tracked_pods() const { return pods_.size(); }

 private:
  using CountKey = std::pair<std::string, std::string>;  // (resource, namespace)
  using ResourceSet = std::vector<std::string>;           // sorted, unique, never empty
  uint32_t intern(ResourceSet resources);

  std::unordered_map<uint64_t, uint32_t> pods_;  // hash of "ns/name" → index into sets_
  std::vector<ResourceSet> sets_;
  std::map<ResourceSet, uint32_t> set_ids_;
  std::map<CountKey, uint32_t, std::less<>> counts_;  // only non-zero counts are kept
};

}  // namespace imps::modes
