#include "imps/service_account_plan.h"

#include <algorithm>

#include "imps/string_map.h"

namespace imps {
namespace {

std::vector<std::string> split_names(std::string_view text) {
  std::vector<std::string> out = split_name_list(text);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

Result<ObservedServiceAccount> observe_service_account(const cJSON* service_account) {
  const cJSON* meta = json_member(service_account, "metadata");
  ObservedServiceAccount out;
  out.namespace_name = json_string_or(meta, "namespace");
  out.name = json_string_or(meta, "name");
  if (out.namespace_name.empty() || out.name.empty())
    return make_error(ErrorKind::Invalid, "ServiceAccount: metadata.namespace and metadata.name are required");
  out.uid = json_string_or(meta, "uid");
  out.resource_version = json_string_or(meta, "resourceVersion");
  const cJSON* deletion = json_member(meta, "deletionTimestamp");
  out.deleting = deletion && !cJSON_IsNull(deletion);
  if (auto added = json_string(json_member(meta, "annotations"), kAddedPullSecretsAnnotation.data()))
    out.added = split_names(*added);
  const cJSON* list = json_member(service_account, "imagePullSecrets");
  if (list && !cJSON_IsNull(list) && !cJSON_IsArray(list))
    return make_error(ErrorKind::Invalid, "ServiceAccount " + out.namespace_name + "/" + out.name +
                                              ": imagePullSecrets must be a list");
  for (const cJSON* entry = cJSON_IsArray(list) ? list->child : nullptr; entry; entry = entry->next)
    out.pull_secrets.push_back(json_string_or(entry, "name"));
  return out;
}

std::optional<ServiceAccountPatch> plan_service_account(const ObservedServiceAccount& observed,
                                                        const NameSet& wanted, bool may_remove) {
  ServiceAccountPatch patch;
  NameSet ours(observed.added.begin(), observed.added.end());
  std::vector<std::string> list;
  for (const std::string& name : observed.pull_secrets) {
    if (ours.count(name) && !wanted.count(name) && may_remove) {
      if (!contains(patch.removed, name)) patch.removed.push_back(name);
      continue;
    }
    list.push_back(name);
  }
  for (auto it = ours.begin(); it != ours.end();) {
    bool keep = wanted.count(*it) || (!may_remove && contains(list, *it));
    it = keep ? std::next(it) : ours.erase(it);
  }
  for (const std::string& name : wanted) {
    if (contains(list, name)) continue;
    list.push_back(name);
    ours.insert(name);
    patch.added.push_back(name);
  }
  NameSet recorded(observed.added.begin(), observed.added.end());
  if (list == observed.pull_secrets && ours == recorded) return std::nullopt;

  patch.body = Json::object();
  cJSON* meta = json_add_object(patch.body.get(), "metadata");
  json_set_string(meta, "resourceVersion", observed.resource_version);
  if (ours != recorded) {
    cJSON* annotations = json_add_object(meta, "annotations");
    std::string key(kAddedPullSecretsAnnotation);
    if (ours.empty())
      cJSON_AddNullToObject(annotations, key.c_str());
    else
      json_set_string(annotations, key.c_str(), join_names(ours));
  }
  if (list.empty()) {
    cJSON_AddNullToObject(patch.body.get(), "imagePullSecrets");
  } else {
    cJSON* array = cJSON_AddArrayToObject(patch.body.get(), "imagePullSecrets");
    for (const std::string& name : list) {
      cJSON* entry = cJSON_CreateObject();
      json_set_string(entry, "name", name);
      cJSON_AddItemToArray(array, entry);
    }
  }
  return patch;
}

}  // namespace imps
