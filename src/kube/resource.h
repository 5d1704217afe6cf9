// Request paths and query strings for the resources imps talks to. Core-group resources live
// under /api/v1, all others under /apis/<group>/<version>; namespaced resources put
// /namespaces/<ns> before the plural. Names and namespaces are percent-encoded as path segments.
// Pure string building: no I/O, no validation of names beyond encoding them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace imps::kube {

// Constant descriptors (string_view so the constants need no static initialisation); not meant
// to be built from runtime data.
struct ResourceType {
  std::string_view group;    // "" for the core group
  std::string_view version;
  std::string_view plural;
  std::string_view kind;
  bool namespaced;
};

inline constexpr ResourceType kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline constexpr ResourceType kPods{"", "v1", "pods", "Pod", true};
inline constexpr ResourceType kSecrets{"", "v1", "secrets", "Secret", true};
inline constexpr ResourceType kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
inline constexpr ResourceType kEvents{"", "v1", "events", "Event", true};  // core/v1 (written)
inline constexpr ResourceType kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline constexpr ResourceType kImagePullSecrets{"images.banzaicloud.io", "v1alpha1", "imagepullsecrets",
                                                "ImagePullSecret", false};

// "v1" or "<group>/<version>", as objects spell apiVersion.
std::string api_version(const ResourceType& type);

// The collection: /api/v1/secrets (ns empty: all namespaces, or a cluster-scoped type) or
// /api/v1/namespaces/<ns>/secrets. `ns` is ignored for cluster-scoped types.
std::string collection_path(const ResourceType& type, std::string_view ns = {});
// One object: <collection>/<name>. `name` must not be empty.
std::string object_path(const ResourceType& type, std::string_view ns, std::string_view name);
// Its status subresource: <object>/status.
std::string status_path(const ResourceType& type, std::string_view ns, std::string_view name);
// A pod's eviction subresource (policy/v1 Eviction): /api/v1/namespaces/<ns>/pods/<name>/eviction.
std::string eviction_path(std::string_view ns, std::string_view name);

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;                    // 0 = no limit
  std::string continue_token;
  std::string resource_version;         // "" = most recent, "0" = any (cache)
  std::string resource_version_match;   // "", "NotOlderThan" or "Exact"
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  int64_t timeout_seconds = 0;          // 0 = server default
  bool allow_bookmarks = true;
};

// Query strings without the leading '?'; list_query is empty when no option is set.
std::string list_query(const ListOptions& options);
std::string watch_query(const WatchOptions& options);  // always starts with "watch=1"
// path + ('?' + query, when query is not empty).
std::string with_query(std::string_view path, std::string_view query);

inline constexpr std::string_view kAcceptJson = "application/json";
// Metadata-only transformations (Pods): the list form for LIST, the single form for WATCH/GET.
inline constexpr std::string_view kAcceptMetadataList =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
inline constexpr std::string_view kAcceptMetadata =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

}  // namespace imps::kube
