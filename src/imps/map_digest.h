// Labels or annotations as selectors compare them: a 64-bit hash of each key and of its value
// (content_hash), sorted by key hash. The controller keeps this for every namespace instead of
// the maps themselves: 16 bytes an entry instead of two strings and a tree node, which is what
// lets 10,000 namespaces fit the memory budget. Two strings with one hash (odds about 1 in 10^19
// for a pair) would make a selector see a key or value that is not there; whoever sets the
// labels could set the real ones anyway, so this grants no one anything.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "imps/string_map.h"

namespace imps {

class MapDigest {
 public:
  MapDigest() = default;
  // Implicit: a map in full can be matched wherever its digest can (tests, one-off checks).
  MapDigest(const StringMap& map);  // NOLINT(google-explicit-constructor)

  // The same rules and errors as parse_string_map, without building the map.
  static Result<MapDigest> parse(const cJSON* node, std::string_view where);

  // The hash of the value under the key whose hash is `key_hash`, if the key is there.
  std::optional<uint64_t> find(uint64_t key_hash) const;
  // Whether `key` is there; whether it is there with exactly `value`.
  bool contains(std::string_view key) const;
  bool contains(std::string_view key, std::string_view value) const;
  size_t size() const { return entries_.size(); }
  bool operator==(const MapDigest&) const = default;

 private:
  void add(std::string_view key, std::string_view value);
  void seal();  // sorts, drops repeated keys (the last one wins, as in a JSON object), shrinks

  std::vector<std::pair<uint64_t, uint64_t>> entries_;  // (key hash, value hash)
};

}  // namespace imps
