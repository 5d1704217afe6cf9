// Last good credentials (spec §12): while a source fails, the entries it contributed before
// stay in the target Secret until the source recovers or the credential expires. The target
// Secret itself is the memory: it survives restarts and fail-overs, and it holds exactly what
// pods pull with. So while any source fails, the document to write is what the working sources
// give plus every entry of the current target that no working source supplies, unless that entry
// has expired. An ECR entry carries its own expiry: its password is base64 of a JSON object
// with "expiration" (Unix seconds); other entries never expire.
// Consequence, chosen deliberately: while one source fails, an entry a working source dropped
// (or a source removed from the spec) also stays until the failing source recovers: without
// per-source bookkeeping in the cluster the two cannot be told apart after a restart, and
// keeping a credential a little longer is the safe side.
// Pure: no I/O, no clock (the caller passes `now`).
#pragma once

#include <cstdint>
#include <string_view>

#include <cJSON.h>

#include "base/result.h"
#include "imps/docker_config.h"

namespace imps {

// Unix seconds at which an entry's credential expires, 0 when it carries no expiry (or the
// password is not an ECR token).
int64_t entry_expiry(std::string_view entry_json);

// The entries of a Secret's .dockerconfigjson as read from the API (none when the key is absent).
Result<DockerConfig> secret_document(const cJSON* secret);

struct KeptCredentials {
  DockerConfig config;          // the document to write
  int64_t earliest_expiry = 0;  // of the entries kept from `current`, 0 when none expires
};
// `working`: the merge of the sources as they resolve now (failing ones contribute nothing).
// `current`: the target Secret's document as it is in the cluster.
KeptCredentials keep_last_good(const DockerConfig& working, const DockerConfig& current, int64_t now);

// Milliseconds from `now` (Unix seconds) until the earliest kept entry has expired, plus a second
// so that the run removing it comes after the expiry, not just before; 0 when none expires.
int64_t ms_until_kept_expiry(const KeptCredentials& kept, int64_t now);

}  // namespace imps
