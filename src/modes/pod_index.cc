#include "modes/pod_index.h"

#include <algorithm>

#include "base/bytes.h"
#include "base/json.h"
#include "imps/target_secret.h"

namespace imps::modes {

Result<PodMeta> observe_pod(const cJSON* object) {
  const cJSON* meta = json_member(object, "metadata");
  PodMeta pod;
  pod.namespace_name = json_string_or(meta, "namespace");
  pod.name = json_string_or(meta, "name");
  if (pod.namespace_name.empty() || pod.name.empty())
    return make_error(ErrorKind::Invalid, "pod without metadata.namespace or metadata.name");
  TRY_ASSIGN(pod.labels, MapDigest::parse(json_member(meta, "labels"), "metadata.labels"));
  TRY_ASSIGN(pod.annotations, MapDigest::parse(json_member(meta, "annotations"), "metadata.annotations"));
  return pod;
}

uint32_t PodIndex::intern(ResourceSet resources) {
  auto [it, inserted] = set_ids_.try_emplace(resources, static_cast<uint32_t>(sets_.size()));
  if (inserted) sets_.push_back(std::move(resources));
  return it->second;
}

std::vector<PodCountChange> PodIndex::set(std::string_view ns, std::string_view name,
                                          std::vector<std::string> resources) {
  std::sort(resources.begin(), resources.end());
  resources.erase(std::unique(resources.begin(), resources.end()), resources.end());
  const uint64_t key = content_hash(std::string(ns) + "/" + std::string(name));
  static const ResourceSet kNone;
  auto found = pods_.find(key);
  const ResourceSet& before = found == pods_.end() ? kNone : sets_[found->second];
  std::vector<PodCountChange> changes;
  for (const std::string& r : before) {
    if (std::binary_search(resources.begin(), resources.end(), r)) continue;
    auto it = counts_.find(CountKey{r, std::string(ns)});
    if (it == counts_.end()) continue;
    if (--it->second == 0) {
      counts_.erase(it);
      changes.push_back({r, std::string(ns), false});
    }
  }
  for (const std::string& r : resources) {
    if (std::binary_search(before.begin(), before.end(), r)) continue;
    if (++counts_[CountKey{r, std::string(ns)}] == 1) changes.push_back({r, std::string(ns), true});
  }
  if (resources.empty())
    pods_.erase(key);
  else
    pods_.insert_or_assign(key, intern(std::move(resources)));
  return changes;
}

std::vector<PodCountChange> PodIndex::replace(PodIndex next) {
  std::vector<PodCountChange> changes;
  for (const auto& [key, count] : counts_)
    if (!next.counts_.count(key)) changes.push_back({key.first, key.second, false});
  for (const auto& [key, count] : next.counts_)
    if (!counts_.count(key)) changes.push_back({key.first, key.second, true});
  *this = std::move(next);
  return changes;
}

bool PodIndex::has_pods(std::string_view resource, std::string_view ns) const {
  return counts_.count(CountKey{std::string(resource), std::string(ns)}) != 0;
}

}  // namespace imps::modes
