#include "imps/stuck_pod.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "base/json.h"

namespace imps {
namespace {

// The kubelet's reasons for a container whose image could not be pulled (kubelet/images).
bool pulling_failed(const cJSON* statuses) {
  for (const cJSON* s = cJSON_IsArray(statuses) ? statuses->child : nullptr; s; s = s->next) {
    std::string reason = json_string_or(json_path(s, {"state", "waiting"}), "reason");
    if (reason == "ErrImagePull" || reason == "ImagePullBackOff") return true;
  }
  return false;
}

// Kinds whose controllers replace a deleted pod without counting it against anything; the Job
// controller counts it as a failure (stuck_pod.h).
constexpr std::array<std::string_view, 3> kRecreatingKinds = {"ReplicaSet", "StatefulSet", "DaemonSet"};

}  // namespace

bool StuckPod::lacks(std::string_view secret) const {
  return std::find(pull_secrets.begin(), pull_secrets.end(), secret) == pull_secrets.end();
}

bool StuckPod::restartable() const {
  return std::find(kRecreatingKinds.begin(), kRecreatingKinds.end(), controller_kind) != kRecreatingKinds.end();
}

std::optional<StuckPod> stuck_pod(const cJSON* pod) {
  const cJSON* meta = json_member(pod, "metadata");
  const cJSON* status = json_member(pod, "status");
  const cJSON* deletion = json_member(meta, "deletionTimestamp");
  if (json_string_or(status, "phase") != "Pending" || (deletion && !cJSON_IsNull(deletion))) return std::nullopt;
  if (!pulling_failed(json_member(status, "containerStatuses")) &&
      !pulling_failed(json_member(status, "initContainerStatuses")))
    return std::nullopt;
  StuckPod out;
  out.namespace_name = json_string_or(meta, "namespace");
  out.name = json_string_or(meta, "name");
  out.uid = json_string_or(meta, "uid");
  if (out.namespace_name.empty() || out.name.empty()) return std::nullopt;
  const cJSON* spec = json_member(pod, "spec");
  // serviceAccount is the deprecated alias the API server still fills in.
  out.service_account = json_string_or(spec, "serviceAccountName", json_string_or(spec, "serviceAccount", "default"));
  if (out.service_account.empty()) out.service_account = "default";
  const cJSON* secrets = json_member(spec, "imagePullSecrets");
  for (const cJSON* s = cJSON_IsArray(secrets) ? secrets->child : nullptr; s; s = s->next)
    out.pull_secrets.push_back(json_string_or(s, "name"));
  const cJSON* owners = json_member(meta, "ownerReferences");
  for (const cJSON* o = cJSON_IsArray(owners) ? owners->child : nullptr; o; o = o->next)
    if (cJSON_IsTrue(json_member(o, "controller"))) out.controller_kind = json_string_or(o, "kind");
  return out;
}

}  // namespace imps
