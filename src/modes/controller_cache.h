// The controller's cached state of the world, filled by its reflectors and read by reconciles:
// ImagePullSecrets (parsed), namespaces and pod counts (namespace_index.h, pod_index.h), and
// projections of the Secrets that matter — ours (found through the owner-uid label) and
// same-named Secrets of other parties (learned when a create answers AlreadyExists).
// Reconciles read it and never modify cached objects in place; stores are updated only from the
// API's own answers (watch events, or the object a write returned).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "imps/resource.h"
#include "imps/target_secret.h"
#include "modes/namespace_index.h"
#include "modes/pod_index.h"

namespace imps::modes {

// "<namespace>/<name>", the key of the Secret stores.
std::string secret_key(std::string_view ns, std::string_view name);

// True when resourceVersion `a` is known to be older than `b`. Resource versions are opaque in
// the API contract, but every etcd-backed server writes decimal revisions; the cache needs an
// order because a write's answer and the watch events around it arrive in either order. Anything
// that is not decimal counts as not older (the newest arrival wins).
bool older_version(std::string_view a, std::string_view b);

struct ControllerCache {
  using SecretStore = std::map<std::string, ObservedSecret, std::less<>>;

  std::map<std::string, ImagePullSecret, std::less<>> resources;  // by name (the queue key)
  NamespaceIndex namespaces;
  PodIndex pods;
  SecretStore managed;  // labelled with an owner uid
  SecretStore foreign;  // named like a target but not ours: never touched, reported
  // Failed ServiceAccount patches (service_accounts.h), by resource then "<ns>/<name>": their
  // texts join status.reason; written only by ServiceAccountSync.
  std::map<std::string, std::map<std::string, std::string>, std::less<>> service_account_problems;

  // Stores `secret` unless the store already holds a newer version of it.
  void store_managed(ObservedSecret secret);

  const ImagePullSecret* find_resource(std::string_view name) const;
  const ImagePullSecret* find_by_uid(std::string_view uid) const;
  // Namespaces the resource selects now (terminating ones excluded), sorted.
  std::vector<std::string> selected_namespaces(const ImagePullSecret& resource) const;
  std::set<std::string, std::less<>> terminating_namespaces() const;
  // The planner's `observed`: Secrets named like the target in `selected`, plus every Secret
  // labelled with the resource's uid.
  std::vector<const ObservedSecret*> observed_for(const ImagePullSecret& resource,
                                                  const std::vector<std::string>& selected) const;
  // The same for one namespace: the Secret named like the target there, plus the resource's
  // Secrets there. O(log n + Secrets in `ns`), for plans of one namespace.
  bool selects_namespace(const ImagePullSecret& resource, std::string_view ns) const;
  std::vector<const ObservedSecret*> observed_in(const ImagePullSecret& resource, std::string_view ns) const;
};

}  // namespace imps::modes
