#include "imps/resource.h"

#include "base/json.h"

namespace imps {
namespace {

// Appends the error of a failed parse to `errors` and returns the value or a default.
template <class T>
T collect(Result<T> result, std::vector<std::string>& errors) {
  if (result.ok()) return std::move(result).value();
  errors.push_back(result.error().message);
  return T{};
}

Error invalid(const std::string& what) { return make_error(ErrorKind::Invalid, what); }

Result<std::string> required_string(const cJSON* obj, const char* key, const std::string& where) {
  const cJSON* m = json_member(obj, key);
  if (!m || cJSON_IsNull(m)) return invalid(where + ": required");
  if (!cJSON_IsString(m)) return invalid(where + ": must be a string");
  if (!*m->valuestring) return invalid(where + ": must not be empty");
  return std::string(m->valuestring);
}

Result<std::vector<SourceRef>> parse_credentials(const cJSON* registry) {
  const cJSON* list = json_member(registry, "credentials");
  if (!list || cJSON_IsNull(list)) return invalid("registry.credentials: required");
  if (!cJSON_IsArray(list)) return invalid("registry.credentials: must be a list");
  std::vector<SourceRef> out;
  int i = 0;
  for (const cJSON* c = list->child; c; c = c->next, ++i) {
    std::string where = "registry.credentials[" + std::to_string(i) + "]";
    if (!cJSON_IsObject(c)) return invalid(where + ": must be an object");
    SourceRef ref;
    TRY_ASSIGN(ref.name, required_string(c, "name", where + ".name"));
    TRY_ASSIGN(ref.namespace_name, required_string(c, "namespace", where + ".namespace"));
    out.push_back(std::move(ref));
  }
  return out;
}

Result<StringMap> parse_label_map(const cJSON* node, const std::string& where) {
  TRY_ASSIGN(StringMap labels, parse_string_map(node, where));
  for (const auto& [key, value] : labels) {
    if (!is_valid_label_key(key)) return invalid(where + ": key " + quoted(key) + " is not a valid label key");
    if (!is_valid_label_value(value))
      return invalid(where + ": value " + quoted(value) + " is not a valid label value");
  }
  return labels;
}

Result<StringMap> parse_annotation_map(const cJSON* node, const std::string& where) {
  TRY_ASSIGN(StringMap annotations, parse_string_map(node, where));
  for (const auto& entry : annotations)
    if (!is_valid_label_key(entry.first))
      return invalid(where + ": key " + quoted(entry.first) + " is not a valid annotation key");
  return annotations;
}

Result<std::string> parse_secret_name(const cJSON* secret) {
  TRY_ASSIGN(std::string name, required_string(secret, "name", "target.secret.name"));
  if (!is_dns_subdomain(name))
    return invalid("target.secret.name: " + quoted(name) + " is not a valid Secret name");
  return name;
}

Result<std::vector<std::string>> parse_names(const cJSON* node) {
  std::vector<std::string> out;
  if (!node || cJSON_IsNull(node)) return out;
  if (!cJSON_IsArray(node)) return invalid("target.namespaces.names: must be a list of strings");
  for (const cJSON* n = node->child; n; n = n->next) {
    if (!cJSON_IsString(n)) return invalid("target.namespaces.names: must be a list of strings");
    out.emplace_back(n->valuestring);
  }
  return out;
}

Result<ServiceAccountSpec> parse_service_accounts(const cJSON* node) {
  ServiceAccountSpec out;
  if (!node || cJSON_IsNull(node)) return out;
  if (!cJSON_IsObject(node)) return invalid("target.serviceAccounts: must be an object");
  const cJSON* names = json_member(node, "names");
  if (names && !cJSON_IsNull(names)) {
    if (!cJSON_IsArray(names)) return invalid("target.serviceAccounts.names: must be a list of strings");
    for (const cJSON* n = names->child; n; n = n->next) {
      if (!cJSON_IsString(n)) return invalid("target.serviceAccounts.names: must be a list of strings");
      std::string name = n->valuestring;
      if (name != kAllServiceAccounts && !is_dns_subdomain(name))
        return invalid("target.serviceAccounts.names: " + quoted(name) + " is not a valid ServiceAccount name");
      out.names.push_back(std::move(name));
    }
  }
  const cJSON* restart = json_member(node, "restartStuckPods");
  if (restart && !cJSON_IsNull(restart) && !cJSON_IsBool(restart))
    return invalid("target.serviceAccounts.restartStuckPods: must be a boolean");
  out.restart_stuck_pods = cJSON_IsTrue(restart);
  return out;
}

// A member that must be an object when present; a mistyped one is reported and read as absent.
const cJSON* object_member(const cJSON* parent, const char* key, const char* where,
                           std::vector<std::string>& errors) {
  const cJSON* m = json_member(parent, key);
  if (!m || cJSON_IsNull(m)) return nullptr;
  if (cJSON_IsObject(m)) return m;
  errors.push_back(std::string(where) + ": must be an object");
  return nullptr;
}

void parse_spec(const cJSON* spec, ImagePullSecret& out) {
  auto& errors = out.spec_errors;
  if (!cJSON_IsObject(spec)) {
    errors.push_back("spec: required");
    return;
  }
  out.spec.credentials = collect(parse_credentials(object_member(spec, "registry", "registry", errors)), errors);
  const cJSON* target = object_member(spec, "target", "target", errors);
  const cJSON* secret = object_member(target, "secret", "target.secret", errors);
  TargetSpec& t = out.spec.target;
  t.secret.name = collect(parse_secret_name(secret), errors);
  t.secret.labels = collect(parse_label_map(json_member(secret, "labels"), "target.secret.labels"), errors);
  t.secret.annotations =
      collect(parse_annotation_map(json_member(secret, "annotations"), "target.secret.annotations"), errors);
  t.service_accounts = collect(parse_service_accounts(json_member(target, "serviceAccounts")), errors);
  const cJSON* namespaces = object_member(target, "namespaces", "target.namespaces", errors);
  t.namespace_names = collect(parse_names(json_member(namespaces, "names")), errors);
  t.namespace_labels = collect(parse_selectors(json_member(namespaces, "labels"), SelectorKind::Labels,
                                               "target.namespaces.labels"),
                               errors);
  t.namespace_annotations = collect(parse_selectors(json_member(namespaces, "annotations"),
                                                    SelectorKind::Annotations, "target.namespaces.annotations"),
                                    errors);
  const cJSON* pods = object_member(target, "namespacesWithPods", "target.namespacesWithPods", errors);
  t.pod_labels = collect(
      parse_selectors(json_member(pods, "labels"), SelectorKind::Labels, "target.namespacesWithPods.labels"),
      errors);
  t.pod_annotations = collect(parse_selectors(json_member(pods, "annotations"), SelectorKind::Annotations,
                                              "target.namespacesWithPods.annotations"),
                              errors);
}

}  // namespace

Result<ImagePullSecret> parse_image_pull_secret(const cJSON* object) {
  if (!cJSON_IsObject(object)) return invalid("ImagePullSecret: not a JSON object");
  const cJSON* metadata = json_member(object, "metadata");
  ImagePullSecret out;
  TRY_ASSIGN(out.name, required_string(metadata, "name", "ImagePullSecret metadata.name"));
  TRY_ASSIGN(out.uid, required_string(metadata, "uid", "ImagePullSecret " + quoted(out.name) + " metadata.uid"));
  out.resource_version = json_string_or(metadata, "resourceVersion");
  out.creation_timestamp = json_string_or(metadata, "creationTimestamp");
  out.generation = json_int64_or(metadata, "generation", 0);
  const cJSON* deletion = json_member(metadata, "deletionTimestamp");
  out.deleting = deletion && !cJSON_IsNull(deletion);
  parse_spec(json_member(object, "spec"), out);
  out.status = parse_status(json_member(object, "status"));
  return out;
}

Result<ImagePullSecret> parse_image_pull_secret(std::string_view json_text) {
  TRY_ASSIGN(Json doc, Json::parse(json_text));
  return parse_image_pull_secret(doc.get());
}

bool ServiceAccountSpec::names_account(std::string_view name) const {
  for (const std::string& n : names)
    if (n == kAllServiceAccounts || n == name) return true;
  return false;
}

bool is_older(const ImagePullSecret& a, const ImagePullSecret& b) {
  if (a.creation_timestamp != b.creation_timestamp) return a.creation_timestamp < b.creation_timestamp;
  return a.name < b.name;
}

}  // namespace imps
