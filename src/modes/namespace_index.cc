#include "modes/namespace_index.h"

#include "base/json.h"
#include "imps/selection.h"

namespace imps::modes {

Result<NamespaceEntry> observe_namespace(const cJSON* object) {
  const cJSON* meta = json_member(object, "metadata");
  NamespaceEntry out;
  out.first = json_string_or(meta, "name");
  if (out.first.empty()) return make_error(ErrorKind::Invalid, "namespace without metadata.name");
  TRY_ASSIGN(out.second.labels, MapDigest::parse(json_member(meta, "labels"), "metadata.labels"));
  TRY_ASSIGN(out.second.annotations, MapDigest::parse(json_member(meta, "annotations"), "metadata.annotations"));
  const cJSON* deletion = json_member(meta, "deletionTimestamp");
  out.second.terminating = (deletion && !cJSON_IsNull(deletion)) ||
                           json_string_or(json_member(object, "status"), "phase") == "Terminating";
  return out;
}

std::optional<NamespaceInfo> NamespaceIndex::set(std::string name, NamespaceInfo info) {
  auto it = namespaces_.find(name);
  if (it == namespaces_.end()) {
    namespaces_.emplace(std::move(name), std::move(info));
    return std::nullopt;
  }
  std::optional<NamespaceInfo> before = std::move(it->second);
  it->second = std::move(info);
  return before;
}

std::optional<NamespaceInfo> NamespaceIndex::remove(std::string_view name) {
  auto it = namespaces_.find(name);
  if (it == namespaces_.end()) return std::nullopt;
  std::optional<NamespaceInfo> before = std::move(it->second);
  namespaces_.erase(it);
  return before;
}

const NamespaceInfo* NamespaceIndex::find(std::string_view name) const {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : &it->second;
}

bool selects(const ImagePullSecret& resource, std::string_view ns, const NamespaceInfo* info, bool has_pods) {
  if (!info || !resource.spec_errors.empty() || resource.deleting) return false;
  NamespaceFacts facts{ns, info->labels, info->annotations, info->terminating, has_pods};
  return namespace_selected(resource.spec.target, facts);
}

}  // namespace imps::modes
