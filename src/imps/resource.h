// The ImagePullSecret custom resource (images.banzaicloud.io/v1alpha1, cluster-scoped) as a plain
// value: identity, the validated spec with compiled selectors, and the current status.
// Invariant: `spec` is meaningful only when `spec_errors` is empty; an invalid spec is not an
// error of the parse (the resource still has to get a Failed status naming the field), while
// unusable metadata (no name or uid) is. Error paths are relative to spec, as in
// "target.namespaces.labels[1].matchExpressions[0]: ...".
// Parsing does no I/O and keeps nothing of the JSON tree.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "imps/selector.h"
#include "imps/status.h"
#include "imps/string_map.h"

namespace imps {

inline constexpr std::string_view kGroup = "images.banzaicloud.io";
inline constexpr std::string_view kApiVersion = "images.banzaicloud.io/v1alpha1";
inline constexpr std::string_view kKind = "ImagePullSecret";

struct SourceRef {
  std::string namespace_name;
  std::string name;
  // "<namespace>.<name>", the key of status.sourceSecretStatus.
  std::string key() const { return namespace_name + "." + name; }
  bool operator==(const SourceRef&) const = default;
};

struct TargetSecretSpec {
  std::string name;
  StringMap labels;
  StringMap annotations;
};

// spec.target.serviceAccounts (an addition over the original): the ServiceAccounts whose
// imagePullSecrets get the target Secret in every namespace that holds it.
inline constexpr std::string_view kAllServiceAccounts = "*";
struct ServiceAccountSpec {
  std::vector<std::string> names;  // ServiceAccount names, or "*" for all of them
  bool restart_stuck_pods = false;
  bool operator==(const ServiceAccountSpec&) const = default;
  bool used() const { return !names.empty(); }
  bool names_account(std::string_view name) const;
};

struct TargetSpec {
  TargetSecretSpec secret;
  ServiceAccountSpec service_accounts;
  std::vector<std::string> namespace_names;
  std::vector<Selector> namespace_labels;
  std::vector<Selector> namespace_annotations;
  std::vector<Selector> pod_labels;
  std::vector<Selector> pod_annotations;
};

struct ImagePullSecretSpec {
  std::vector<SourceRef> credentials;
  TargetSpec target;
};

struct ImagePullSecret {
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string creation_timestamp;  // RFC 3339 as the server wrote it; orders resources by age
  int64_t generation = 0;
  bool deleting = false;  // metadata.deletionTimestamp is set
  ImagePullSecretSpec spec;
  std::vector<std::string> spec_errors;
  ResourceStatus status;
};

Result<ImagePullSecret> parse_image_pull_secret(const cJSON* object);
// Convenience for whole documents (watch objects, GET bodies); the caller bounds text size.
Result<ImagePullSecret> parse_image_pull_secret(std::string_view json_text);

// True when a is older than b: by creationTimestamp, then by name (RFC 3339 in UTC with a fixed
// format compares correctly as text, which is what the API server writes).
bool is_older(const ImagePullSecret& a, const ImagePullSecret& b);

}  // namespace imps
