#include "imps/map_digest.h"

#include <algorithm>

#include "base/bytes.h"

namespace imps {

MapDigest::MapDigest(const StringMap& map) {
  entries_.reserve(map.size());
  for (const auto& [key, value] : map) add(key, value);
  seal();
}

Result<MapDigest> MapDigest::parse(const cJSON* node, std::string_view where) {
  MapDigest out;
  TRY(for_each_string(node, where, [&out](std::string_view key, std::string_view value) { out.add(key, value); }));
  out.seal();
  return out;
}

void MapDigest::add(std::string_view key, std::string_view value) {
  entries_.emplace_back(content_hash(key), content_hash(value));
}

void MapDigest::seal() {
  // Stable, so that of repeated keys the last one added stays last, and wins below.
  std::stable_sort(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto last_of_each = std::unique(entries_.rbegin(), entries_.rend(),
                                  [](const auto& a, const auto& b) { return a.first == b.first; });
  entries_.erase(entries_.begin(), last_of_each.base());
  entries_.shrink_to_fit();
}

std::optional<uint64_t> MapDigest::find(uint64_t key_hash) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key_hash,
                             [](const auto& entry, uint64_t key) { return entry.first < key; });
  if (it == entries_.end() || it->first != key_hash) return std::nullopt;
  return it->second;
}

bool MapDigest::contains(std::string_view key) const { return find(content_hash(key)).has_value(); }

bool MapDigest::contains(std::string_view key, std::string_view value) const {
  return find(content_hash(key)) == content_hash(value);
}

}  // namespace imps
