// The controller's view of Namespaces (watched metadata-only): name → labels, annotations and
// whether the namespace is being deleted — the only facts selection reads. A few hundred bytes per
// namespace, so 10k namespaces stay within the memory budget.
// Also the one predicate the controller asks of a namespace: does this resource select it?
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/json_projection.h"
#include "base/result.h"
#include "imps/resource.h"
#include "imps/map_digest.h"
#include "imps/string_map.h"

namespace imps::modes {

struct NamespaceInfo {
  MapDigest labels;  // digests, not the maps: a few dozen bytes per namespace (map_digest.h)
  MapDigest annotations;
  bool terminating = false;  // metadata.deletionTimestamp set or status.phase Terminating
  bool operator==(const NamespaceInfo&) const = default;
};
using NamespaceEntry = std::pair<std::string, NamespaceInfo>;
Result<NamespaceEntry> observe_namespace(const cJSON* object);
// What the namespace reflector keeps of each Namespace: what observe_namespace reads, and the
// resourceVersion; the rest is skipped while parsing (see kPodProjection).
inline constexpr JsonProjection::Member kNamespaceMetadataMembers[] = {
    {"name", &kJsonWhole},        {"resourceVersion", &kJsonWhole},   {"labels", &kJsonWhole},
    {"annotations", &kJsonWhole}, {"deletionTimestamp", &kJsonWhole}};
inline constexpr JsonProjection kNamespaceMetadata{kNamespaceMetadataMembers, false};
inline constexpr JsonProjection::Member kNamespaceMembers[] = {{"metadata", &kNamespaceMetadata}};
inline constexpr JsonProjection kNamespaceProjection{kNamespaceMembers, true};

class NamespaceIndex {
 public:
  using Map = std::map<std::string, NamespaceInfo, std::less<>>;
  // Both return what was stored before (nullopt when the name was unknown).
  std::optional<NamespaceInfo> set(std::string name, NamespaceInfo info);
  std::optional<NamespaceInfo> remove(std::string_view name);
  const NamespaceInfo* find(std::string_view name) const;
  const Map& all() const { return namespaces_; }
  size_t size() const { return namespaces_.size(); }

 private:
  Map namespaces_;
};

// Does `resource` put its Secret into namespace `ns`? `info` null = the namespace does not exist;
// `has_pods` = some pod in it matches the resource's namespacesWithPods. An invalid spec selects
// nothing.
bool selects(const ImagePullSecret& resource, std::string_view ns, const NamespaceInfo* info, bool has_pods);

}  // namespace imps::modes
