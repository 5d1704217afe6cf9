#include "imps/target_secret.h"

#include <algorithm>

#include "base/bytes.h"
#include "imps/source_secret.h"

namespace imps {
namespace {

std::string lookup(const StringMap& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

// Keys that were ours on the observed Secret, according to its bookkeeping annotation.
std::vector<std::string> previously_managed(const ObservedSecret& observed, std::string_view list_key) {
  return split_name_list(lookup(observed.annotations, list_key));
}

// Keys we set before and no longer want (the bookkeeping annotations are always ours), and the
// ones that go from every Secret we write.
std::vector<std::string> removed_annotations(const ObservedSecret& observed, const DesiredSecret& desired) {
  std::vector<std::string> ours = previously_managed(observed, kManagedAnnotationsAnnotation);
  ours.emplace_back(kManagedLabelsAnnotation);
  ours.emplace_back(kManagedAnnotationsAnnotation);
  std::vector<std::string> out;
  for (auto& key : ours)
    if (!desired.annotations.count(key) && observed.annotations.count(key)) out.push_back(std::move(key));
  for (auto& key : dropped_annotations(observed))
    if (!desired.annotations.count(key)) out.push_back(std::move(key));
  return out;
}

std::vector<std::string> removed_labels(const ObservedSecret& observed, const DesiredSecret& desired) {
  std::vector<std::string> out;
  for (auto& key : previously_managed(observed, kManagedLabelsAnnotation))
    if (!desired.labels.count(key) && observed.labels.count(key)) out.push_back(std::move(key));
  return out;
}

bool contains_all(const StringMap& observed, const StringMap& desired) {
  return std::all_of(desired.begin(), desired.end(), [&](const auto& entry) {
    auto it = observed.find(entry.first);
    return it != observed.end() && it->second == entry.second;
  });
}

bool is_imps_owner(const OwnerRef& ref) {
  return ref.kind == kKind && ref.api_version.rfind(std::string(kGroup) + "/", 0) == 0;
}

// Others' owners kept in order, stale ImagePullSecret owners dropped, ours last.
std::vector<OwnerRef> wanted_owner_refs(const ObservedSecret& observed, const DesiredSecret& desired) {
  std::vector<OwnerRef> out;
  for (const OwnerRef& ref : observed.owner_refs)
    if (!is_imps_owner(ref)) out.push_back(ref);
  out.push_back(desired.owner);
  return out;
}

cJSON* owner_refs_json(const std::vector<OwnerRef>& refs) {
  cJSON* array = cJSON_CreateArray();
  for (const OwnerRef& ref : refs) {
    cJSON* o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "apiVersion", ref.api_version.c_str());
    cJSON_AddStringToObject(o, "kind", ref.kind.c_str());
    cJSON_AddStringToObject(o, "name", ref.name.c_str());
    cJSON_AddStringToObject(o, "uid", ref.uid.c_str());
    cJSON_AddBoolToObject(o, "controller", ref.controller);
    cJSON_AddItemToArray(array, o);
  }
  return array;
}

// Our keys set, removed keys null (merge-patch deletion).
void add_patch_map(cJSON* obj, const char* key, const StringMap& set, const std::vector<std::string>& removed) {
  cJSON* child = cJSON_AddObjectToObject(obj, key);
  for (const auto& [k, v] : set) cJSON_AddStringToObject(child, k.c_str(), v.c_str());
  for (const std::string& k : removed) cJSON_AddNullToObject(child, k.c_str());
}

// `data: {.dockerconfigjson: ...}` referring to desired.data rather than copying it: cJSON_Delete
// leaves a reference's string alone, and serialising reads it like any other.
cJSON* add_borrowed_data(cJSON* obj, const DesiredSecret& desired) {
  cJSON* data = cJSON_AddObjectToObject(obj, "data");
  cJSON_AddItemToObject(data, std::string(kDockerConfigJsonKey).c_str(),
                        cJSON_CreateStringReference(desired.data.c_str()));
  return data;
}

}  // namespace

DesiredSecret desired_secret(const ImagePullSecret& resource, std::string_view dockerconfigjson) {
  const TargetSecretSpec& spec = resource.spec.target.secret;
  DesiredSecret out;
  out.name = spec.name;
  out.labels = spec.labels;
  out.annotations = spec.annotations;
  if (!spec.labels.empty()) out.annotations.insert_or_assign(std::string(kManagedLabelsAnnotation), join_names(keys_of(spec.labels)));
  if (!spec.annotations.empty())
    out.annotations.insert_or_assign(std::string(kManagedAnnotationsAnnotation), join_names(keys_of(spec.annotations)));
  // The owner label is ours whatever the spec says: it is how managed Secrets are found.
  out.labels.insert_or_assign(std::string(kOwnerLabel), resource.uid);
  out.data = base64_encode(dockerconfigjson);
  out.data_hash = content_hash(out.data);
  out.owner = OwnerRef{std::string(kApiVersion), std::string(kKind), resource.name, resource.uid, false};
  return out;
}

std::string ObservedSecret::owner_uid() const { return lookup(labels, kOwnerLabel); }

Result<ObservedSecret> observe_secret(const cJSON* secret) {
  const cJSON* metadata = json_member(secret, "metadata");
  if (!cJSON_IsObject(metadata)) return make_error(ErrorKind::Invalid, "Secret: no metadata");
  ObservedSecret out;
  out.namespace_name = json_string_or(metadata, "namespace");
  out.name = json_string_or(metadata, "name");
  out.uid = json_string_or(metadata, "uid");
  out.resource_version = json_string_or(metadata, "resourceVersion");
  const cJSON* deletion = json_member(metadata, "deletionTimestamp");
  out.deleting = deletion && !cJSON_IsNull(deletion);
  out.type = json_string_or(secret, "type", "Opaque");
  out.immutable = json_bool_or(secret, "immutable", false);
  TRY_ASSIGN(out.labels, parse_string_map(json_member(metadata, "labels"), "Secret metadata.labels"));
  TRY_ASSIGN(out.annotations, parse_string_map(json_member(metadata, "annotations"), "Secret metadata.annotations"));
  TRY_ASSIGN(StringMap data, parse_string_map(json_member(secret, "data"), "Secret data"));
  for (const auto& [key, value] : data) {
    if (key == kDockerConfigJsonKey) {
      out.has_data = true;
      out.data_hash = content_hash(value);
    } else {
      out.other_data_keys.push_back(key);
    }
  }
  const cJSON* refs = json_member(metadata, "ownerReferences");
  if (cJSON_IsArray(refs)) {
    for (const cJSON* r = refs->child; r; r = r->next)
      out.owner_refs.push_back(OwnerRef{json_string_or(r, "apiVersion"), json_string_or(r, "kind"),
                                        json_string_or(r, "name"), json_string_or(r, "uid"),
                                        json_bool_or(r, "controller", false)});
  }
  return out;
}

SecretChange data_change(const ObservedSecret& observed, uint64_t data_hash) {
  const bool differs = !observed.has_data || observed.data_hash != data_hash || !observed.other_data_keys.empty();
  if (observed.type != kTypeDockerConfigJson || (observed.immutable && differs)) return SecretChange::Recreate;
  return differs ? SecretChange::Update : SecretChange::None;
}

std::vector<std::string> dropped_annotations(const ObservedSecret& observed) {
  if (!observed.annotations.count(kLastAppliedAnnotation)) return {};
  return {std::string(kLastAppliedAnnotation)};
}

SecretChange needs_update(const ObservedSecret& observed, const DesiredSecret& desired) {
  const SecretChange data = data_change(observed, desired.data_hash);
  if (data == SecretChange::Recreate) return data;
  bool differs = data == SecretChange::Update || !contains_all(observed.labels, desired.labels) ||
                 !contains_all(observed.annotations, desired.annotations) ||
                 !removed_labels(observed, desired).empty() || !removed_annotations(observed, desired).empty() ||
                 observed.owner_refs != wanted_owner_refs(observed, desired);
  return differs ? SecretChange::Update : SecretChange::None;
}

Json create_body(const DesiredSecret& desired, std::string_view namespace_name) {
  Json body = Json::object();
  cJSON* o = body.get();
  cJSON_AddStringToObject(o, "apiVersion", "v1");
  cJSON_AddStringToObject(o, "kind", "Secret");
  cJSON* metadata = cJSON_AddObjectToObject(o, "metadata");
  cJSON_AddStringToObject(metadata, "name", desired.name.c_str());
  json_set_string(metadata, "namespace", namespace_name);
  add_string_map(metadata, "labels", desired.labels);
  add_string_map(metadata, "annotations", desired.annotations);
  cJSON_AddItemToObject(metadata, "ownerReferences", owner_refs_json({desired.owner}));
  cJSON_AddStringToObject(o, "type", std::string(kTypeDockerConfigJson).c_str());
  add_borrowed_data(o, desired);
  return body;
}

Json update_patch(const ObservedSecret& observed, const DesiredSecret& desired) {
  Json body = Json::object();
  cJSON* metadata = cJSON_AddObjectToObject(body.get(), "metadata");
  cJSON_AddStringToObject(metadata, "resourceVersion", observed.resource_version.c_str());
  add_patch_map(metadata, "labels", desired.labels, removed_labels(observed, desired));
  add_patch_map(metadata, "annotations", desired.annotations, removed_annotations(observed, desired));
  cJSON_AddItemToObject(metadata, "ownerReferences", owner_refs_json(wanted_owner_refs(observed, desired)));
  cJSON* data = add_borrowed_data(body.get(), desired);
  for (const std::string& key : observed.other_data_keys) cJSON_AddNullToObject(data, key.c_str());
  return body;
}

}  // namespace imps
