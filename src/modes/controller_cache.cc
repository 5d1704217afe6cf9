#include "modes/controller_cache.h"

namespace imps::modes {

std::string secret_key(std::string_view ns, std::string_view name) {
  return std::string(ns) + "/" + std::string(name);
}

bool older_version(std::string_view a, std::string_view b) {
  auto decimal = [](std::string_view v) {
    return !v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (!decimal(a) || !decimal(b)) return false;
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

void ControllerCache::store_managed(ObservedSecret secret) {
  std::string key = secret_key(secret.namespace_name, secret.name);
  auto it = managed.find(key);
  if (it != managed.end() && it->second.uid == secret.uid && older_version(secret.resource_version, it->second.resource_version))
    return;
  managed.insert_or_assign(std::move(key), std::move(secret));
}

const ImagePullSecret* ControllerCache::find_resource(std::string_view name) const {
  auto it = resources.find(name);
  return it == resources.end() ? nullptr : &it->second;
}

const ImagePullSecret* ControllerCache::find_by_uid(std::string_view uid) const {
  for (const auto& [name, resource] : resources)
    if (resource.uid == uid) return &resource;
  return nullptr;
}

std::vector<std::string> ControllerCache::selected_namespaces(const ImagePullSecret& resource) const {
  std::vector<std::string> out;
  for (const auto& [ns, info] : namespaces.all())
    if (selects(resource, ns, &info, pods.has_pods(resource.name, ns))) out.push_back(ns);
  return out;
}

std::set<std::string, std::less<>> ControllerCache::terminating_namespaces() const {
  std::set<std::string, std::less<>> out;
  for (const auto& [ns, info] : namespaces.all())
    if (info.terminating) out.insert(ns);
  return out;
}

std::vector<const ObservedSecret*> ControllerCache::observed_for(const ImagePullSecret& resource,
                                                                 const std::vector<std::string>& selected) const {
  std::vector<const ObservedSecret*> out;
  const std::string& target = resource.spec.target.secret.name;
  for (const std::string& ns : selected) {
    std::string key = secret_key(ns, target);
    if (auto it = managed.find(key); it != managed.end()) {
      if (it->second.owner_uid != resource.uid) out.push_back(&it->second);  // ours is added below
    } else if (auto f = foreign.find(key); f != foreign.end()) {
      out.push_back(&f->second);
    }
  }
  for (const auto& [key, secret] : managed)
    if (secret.owner_uid == resource.uid) out.push_back(&secret);
  return out;
}

bool ControllerCache::selects_namespace(const ImagePullSecret& resource, std::string_view ns) const {
  return selects(resource, ns, namespaces.find(ns), pods.has_pods(resource.name, ns));
}

std::vector<const ObservedSecret*> ControllerCache::observed_in(const ImagePullSecret& resource,
                                                                std::string_view ns) const {
  std::vector<const ObservedSecret*> out;
  std::string key = secret_key(ns, resource.spec.target.secret.name);
  if (auto it = managed.find(key); it != managed.end()) {
    if (it->second.owner_uid != resource.uid) out.push_back(&it->second);  // ours is added below
  } else if (auto f = foreign.find(key); f != foreign.end()) {
    out.push_back(&f->second);
  }
  std::string prefix = secret_key(ns, "");
  for (auto it = managed.lower_bound(prefix); it != managed.end() && it->first.starts_with(prefix); ++it)
    if (it->second.owner_uid == resource.uid) out.push_back(&it->second);
  return out;
}

}  // namespace imps::modes
