// Docker registry credentials: the `auths` map of a .dockerconfigjson document, keyed by registry,
// each entry kept as it came (username, password, auth, email, identitytoken, registrytoken and
// anything else), stored as compact JSON text so the value is cheap to copy and compare.
// Rendering is deterministic — registries sorted, compact JSON — so unchanged input gives
// byte-identical output and an unchanged Secret is never rewritten.
// Parsing rejects anything but objects of objects; errors name registries, never field values.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/result.h"

namespace imps {

class DockerConfig {
 public:
  // `{"auths": {"<registry>": {...}}}` (kubernetes.io/dockerconfigjson).
  static Result<DockerConfig> parse_config_json(std::string_view text);
  // `{"<registry>": {...}}` (legacy kubernetes.io/dockercfg).
  static Result<DockerConfig> parse_dockercfg(std::string_view text);

  // Adds or replaces one registry's entry; `entry` must be a JSON object.
  void set(std::string registry, const cJSON* entry);
  // Entries of `later` replace ours for the same registry (later sources win).
  void merge(const DockerConfig& later);

  std::string render() const;  // the .dockerconfigjson document
  size_t size() const { return auths_.size(); }
  bool empty() const { return auths_.empty(); }
  // The compact JSON of one entry, empty when the registry is absent.
  std::string entry(std::string_view registry) const;
  // Registry → compact JSON entry, sorted by registry.
  const std::map<std::string, std::string, std::less<>>& entries() const { return auths_; }
  bool operator==(const DockerConfig&) const = default;

 private:
  static Result<DockerConfig> from_auths(const cJSON* auths, std::string_view what);
  std::map<std::string, std::string, std::less<>> auths_;
};

}  // namespace imps
