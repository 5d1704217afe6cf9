#include "imps/target_secret.h"

#include <algorithm>

#include "base/bytes.h"
#include "imps/source_secret.h"

namespace imps {
namespace {

// Keys we set before (the bookkeeping annotations list them) and no longer want (the bookkeeping
// annotations themselves are always ours), and the ones that go from every Secret we write.
std::vector<std::string> removed_annotations(const ObservedSecret& observed, const DesiredSecret& desired) {
  std::vector<std::string> ours = split_name_list(observed.managed_annotations);
  ours.emplace_back(kManagedLabelsAnnotation);
  ours.emplace_back(kManagedAnnotationsAnnotation);
  std::vector<std::string> out;
  for (auto& key : ours)
    if (!desired.annotations.count(key) && observed.annotations.contains(key)) out.push_back(std::move(key));
  for (auto& key : dropped_annotations(observed))
    if (!desired.annotations.count(key)) out.push_back(std::move(key));
  return out;
}

std::vector<std::string> removed_labels(const ObservedSecret& observed, const DesiredSecret& desired) {
  std::vector<std::string> out;
  for (auto& key : split_name_list(observed.managed_labels))
    if (!desired.labels.count(key) && observed.labels.contains(key)) out.push_back(std::move(key));
  return out;
}

bool contains_all(const MapDigest& observed, const StringMap& desired) {
  return std::all_of(desired.begin(), desired.end(),
                     [&](const auto& entry) { return observed.contains(entry.first, entry.second); });
}

bool is_imps_owner(const OwnerRef& ref) {
  return ref.kind == kKind && ref.api_version.rfind(std::string(kGroup) + "/", 0) == 0;
}

// Others' owners kept in order, stale ImagePullSecret owners dropped, ours last.
std::vector<OwnerRef> wanted_owner_refs(const ObservedSecret& observed, const DesiredSecret& desired) {
  std::vector<OwnerRef> out = observed.other_owner_refs;
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

SecretType secret_type(std::string_view type) {
  if (type == kTypeDockerConfigJson) return SecretType::DockerConfigJson;
  if (type == kTypeDockerCfg) return SecretType::DockerCfg;
  return SecretType::Other;
}

uint64_t owner_refs_hash(const std::vector<OwnerRef>& refs) {
  std::string text;  // NUL cannot occur inside the fields (cJSON strings end there)
  for (const OwnerRef& ref : refs) {
    for (const std::string* field : {&ref.api_version, &ref.kind, &ref.name, &ref.uid}) (text += *field) += '\0';
    text += ref.controller ? "1\n" : "0\n";
  }
  return content_hash(text);
}

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
  out.type = secret_type(json_string_or(secret, "type", "Opaque"));
  out.immutable = json_bool_or(secret, "immutable", false);
  const cJSON* labels = json_member(metadata, "labels");
  const cJSON* annotations = json_member(metadata, "annotations");
  TRY_ASSIGN(out.labels, MapDigest::parse(labels, "Secret metadata.labels"));
  TRY_ASSIGN(out.annotations, MapDigest::parse(annotations, "Secret metadata.annotations"));
  out.owner_uid = json_string_or(labels, std::string(kOwnerLabel).c_str());
  out.managed_labels = json_string_or(annotations, std::string(kManagedLabelsAnnotation).c_str());
  out.managed_annotations = json_string_or(annotations, std::string(kManagedAnnotationsAnnotation).c_str());
  TRY(for_each_string(json_member(secret, "data"), "Secret data", [&out](std::string_view key, std::string_view value) {
    if (key == kDockerConfigJsonKey) {
      out.has_data = true;
      out.data_hash = content_hash(value);
    } else {
      out.other_data_keys.emplace_back(key);
    }
  }));
  const cJSON* refs = json_member(metadata, "ownerReferences");
  std::vector<OwnerRef> all;
  if (cJSON_IsArray(refs)) {
    for (const cJSON* r = refs->child; r; r = r->next)
      all.push_back(OwnerRef{json_string_or(r, "apiVersion"), json_string_or(r, "kind"), json_string_or(r, "name"),
                             json_string_or(r, "uid"), json_bool_or(r, "controller", false)});
  }
  out.owner_refs_hash = owner_refs_hash(all);
  for (OwnerRef& ref : all)
    if (!is_imps_owner(ref)) out.other_owner_refs.push_back(std::move(ref));
  return out;
}

SecretChange data_change(const ObservedSecret& observed, uint64_t data_hash) {
  const bool differs = !observed.has_data || observed.data_hash != data_hash || !observed.other_data_keys.empty();
  if (observed.type != SecretType::DockerConfigJson || (observed.immutable && differs)) return SecretChange::Recreate;
  return differs ? SecretChange::Update : SecretChange::None;
}

std::vector<std::string> dropped_annotations(const ObservedSecret& observed) {
  if (!observed.annotations.contains(kLastAppliedAnnotation)) return {};
  return {std::string(kLastAppliedAnnotation)};
}

SecretChange needs_update(const ObservedSecret& observed, const DesiredSecret& desired) {
  const SecretChange data = data_change(observed, desired.data_hash);
  if (data == SecretChange::Recreate) return data;
  bool differs = data == SecretChange::Update || !contains_all(observed.labels, desired.labels) ||
                 !contains_all(observed.annotations, desired.annotations) ||
                 !removed_labels(observed, desired).empty() || !removed_annotations(observed, desired).empty() ||
                 observed.owner_refs_hash != owner_refs_hash(wanted_owner_refs(observed, desired));
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
