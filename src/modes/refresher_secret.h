// The refresher's target Secret, as pure pieces. No ImagePullSecret exists in refresher mode, so,
// like the original refresher (which upserts the named Secret), the target gets no owner-uid
// label and no ownerReference: the operator named it on the command line, which makes it ours.
// Only its type and the .dockerconfigjson data are managed; labels and annotations other parties
// set are left alone, other data keys are removed (a pull Secret holds one key), and the original's
// banzaicloud.com/last-applied copy of the credentials is dropped (target_secret.h says why).
// Also the core/v1 Event body for problems reported on the target Secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/json.h"
#include "imps/target_secret.h"

namespace imps::modes {

// `data` is the base64 of the .dockerconfigjson document.
Json refresher_create_body(std::string_view ns, std::string_view name, std::string_view data);
// Recreate when the type differs (immutable in the API) or an immutable Secret's data must change.
SecretChange refresher_change(const ObservedSecret& observed, std::string_view data);
// Only a pull Secret (type dockerconfigjson or dockercfg) may be deleted to recreate it: a Secret of
// any other type at the target's name holds something else (a TLS key, a token) that is not ours.
bool refresher_may_replace(const ObservedSecret& observed);
// Merge patch carrying the observed resourceVersion (optimistic concurrency).
Json refresher_update_patch(const ObservedSecret& observed, std::string_view data);

// The Lease refresher replicas elect their leader on: "imps-refresher-<target name>", so replicas of
// one refresher contend and refreshers of different targets do not. Secret and Lease names are
// both DNS subdomains (at most 253 characters); a target name too long for the prefix is cut and
// a hash of the whole name appended, so two long names stay apart.
std::string refresher_lease_name(std::string_view target_name);

struct SecretEvent {
  std::string ns, name, uid;  // the involved Secret; uid empty when it does not exist yet
  bool warning = false;
  std::string reason;   // UpperCamelCase
  std::string message;  // names and error texts, never Secret data
};
Json secret_event_body(const SecretEvent& event, uint64_t unix_nanos, std::string_view now_rfc3339);

}  // namespace imps::modes
