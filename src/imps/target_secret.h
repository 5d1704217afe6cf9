// The Secret written into each selected namespace (the contract with existing clusters):
// type kubernetes.io/dockerconfigjson, data .dockerconfigjson, labels = spec labels + owner-uid,
// annotations = spec annotations, an ownerReference to the ImagePullSecret (controller: false).
//
// Which labels and annotations are ours: the owner-uid label, plus the keys listed in two
// bookkeeping annotations (managed-labels, managed-annotations: sorted, comma-separated key
// lists; keys cannot contain commas). We chose annotations over comparing with the previous spec
// because the previous spec is gone after a restart; they hold key names only, never values or
// credentials. A key that was ours and is no longer in the spec is removed; keys other parties
// set are left alone.
//
// The Go original's operator-tools reconciler stored a zipped copy of each object it wrote,
// credentials included, in the banzaicloud.com/last-applied annotation; after rotation that copy
// holds stale credentials. It is removed from every Secret imps adopts, in the adopting write.
//
// Observed Secrets are kept as a small projection with a hash of the data, not the data itself,
// so that 10k namespaces do not cost 10k copies of the credentials (nor 10k label maps).
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "imps/map_digest.h"
#include "imps/resource.h"
#include "imps/string_map.h"

namespace imps {

inline constexpr std::string_view kOwnerLabel = "images.banzaicloud.io/owner-uid";
inline constexpr std::string_view kManagedLabelsAnnotation = "images.banzaicloud.io/managed-labels";
inline constexpr std::string_view kManagedAnnotationsAnnotation = "images.banzaicloud.io/managed-annotations";
inline constexpr std::string_view kDockerConfigJsonKey = ".dockerconfigjson";
inline constexpr std::string_view kLastAppliedAnnotation = "banzaicloud.com/last-applied";

struct OwnerRef {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool operator==(const OwnerRef&) const = default;
};
// Tells two lists of owners apart (order counts) without keeping them.
uint64_t owner_refs_hash(const std::vector<OwnerRef>& refs);

// The same in every namespace: rendered once per plan and shared by all its writes.
struct DesiredSecret {
  std::string name;
  StringMap labels;
  StringMap annotations;
  std::string data;  // base64 of the .dockerconfigjson document
  uint64_t data_hash = 0;  // content_hash(data), computed once: compared against every Secret
  OwnerRef owner;
};
DesiredSecret desired_secret(const ImagePullSecret& resource, std::string_view dockerconfigjson);

// The type as the planners tell types apart; the type's name itself is never needed again.
enum class SecretType : uint8_t { DockerConfigJson, DockerCfg, Other };
SecretType secret_type(std::string_view type);

// What the caches keep of each Secret, a few hundred bytes: labels and annotations as digests,
// plus the values imps reads back (its owner label, its bookkeeping key lists); of the
// ownerReferences only the ones a patch keeps, with a hash of the whole list for comparing.
struct ObservedSecret {
  std::string namespace_name;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string owner_uid;  // the owner-uid label, empty for a Secret imps does not manage
  MapDigest labels;
  MapDigest annotations;
  std::string managed_labels;       // the managed-labels annotation: keys imps set before
  std::string managed_annotations;  // the managed-annotations one
  uint64_t data_hash = 0;  // content_hash of the base64 .dockerconfigjson value
  std::vector<std::string> other_data_keys;
  std::vector<OwnerRef> other_owner_refs;  // the owners that are not ImagePullSecrets, in order
  uint64_t owner_refs_hash = 0;            // owner_refs_hash() of all ownerReferences
  SecretType type = SecretType::Other;
  bool has_data = false;  // the .dockerconfigjson key is present
  bool immutable = false;
  bool deleting = false;
};
Result<ObservedSecret> observe_secret(const cJSON* secret);

enum class SecretChange { None, Update, Recreate };
// Recreate when the type differs (immutable in the API) or the data must change in an immutable
// Secret; Update when data, our labels/annotations or our ownerReference differ; server-owned
// fields and other parties' metadata are ignored.
SecretChange needs_update(const ObservedSecret& observed, const DesiredSecret& desired);
// The part of that rule both modes share (the refresher manages no metadata): what the type and
// the .dockerconfigjson data (`data_hash`: content_hash of its base64) alone call for.
SecretChange data_change(const ObservedSecret& observed, uint64_t data_hash);
// Annotations imps removes from every Secret it writes, whatever else it manages there: the
// original's last-applied copy of the credentials, when `observed` has it.
std::vector<std::string> dropped_annotations(const ObservedSecret& observed);

// Both bodies borrow desired.data (up to 1 MiB of base64) instead of copying it into the tree, so
// that writing N namespaces does not hold N copies of the credentials: `desired` must outlive the
// returned Json and stay unchanged while it does.
//
// POST body for a new Secret in `namespace_name`.
Json create_body(const DesiredSecret& desired, std::string_view namespace_name);
Json create_body(DesiredSecret&&, std::string_view) = delete;  // would borrow from a temporary
// application/merge-patch+json body that turns `observed` into `desired`: sets our metadata,
// nulls keys that were ours and are no longer desired, rewrites ownerReferences (others' kept,
// stale ImagePullSecret owners dropped), and carries resourceVersion for optimistic concurrency.
Json update_patch(const ObservedSecret& observed, const DesiredSecret& desired);
Json update_patch(const ObservedSecret&, DesiredSecret&&) = delete;  // would borrow from a temporary

}  // namespace imps
