#include "imps/docker_config.h"

#include "imps/string_map.h"

namespace imps {

Result<DockerConfig> DockerConfig::from_auths(const cJSON* auths, std::string_view what) {
  if (!cJSON_IsObject(auths))
    return make_error(ErrorKind::Invalid, std::string(what) + " is not an object of registries");
  DockerConfig out;
  for (const cJSON* entry = auths->child; entry; entry = entry->next) {
    if (!cJSON_IsObject(entry))
      return make_error(ErrorKind::Invalid, std::string(what) + ": entry for registry " +
                                                quoted(entry->string ? entry->string : "") +
                                                " is not an object");
    out.set(entry->string ? entry->string : "", entry);
  }
  return out;
}

Result<DockerConfig> DockerConfig::parse_config_json(std::string_view text) {
  auto doc = Json::parse(text);
  // The parser's message says only where the JSON broke, never what it contained.
  if (!doc.ok()) return std::move(doc).error().context(".dockerconfigjson");
  const cJSON* auths = json_member(doc->get(), "auths");
  if (!auths) return make_error(ErrorKind::Invalid, ".dockerconfigjson has no \"auths\" object");
  return from_auths(auths, ".dockerconfigjson auths");
}

Result<DockerConfig> DockerConfig::parse_dockercfg(std::string_view text) {
  auto doc = Json::parse(text);
  if (!doc.ok()) return std::move(doc).error().context(".dockercfg");
  return from_auths(doc->get(), ".dockercfg");
}

void DockerConfig::set(std::string registry, const cJSON* entry) {
  char* text = cJSON_PrintUnformatted(entry);
  auths_.insert_or_assign(std::move(registry), text ? std::string(text) : std::string("{}"));
  cJSON_free(text);
}

void DockerConfig::merge(const DockerConfig& later) {
  for (const auto& [registry, entry] : later.auths_) auths_.insert_or_assign(registry, entry);
}

std::string DockerConfig::render() const {
  Json root = Json::object();
  cJSON* auths = cJSON_AddObjectToObject(root.get(), "auths");
  for (const auto& [registry, entry] : auths_) {
    // Entries were printed by cJSON from a parsed object, so they parse back.
    cJSON* item = cJSON_ParseWithLength(entry.data(), entry.size());
    cJSON_AddItemToObject(auths, registry.c_str(), item ? item : cJSON_CreateObject());
  }
  return root.dump();
}

std::string DockerConfig::entry(std::string_view registry) const {
  auto it = auths_.find(registry);
  return it == auths_.end() ? std::string() : it->second;
}

}  // namespace imps
