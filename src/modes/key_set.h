// The keys a consumer saw during one streamed LIST (kube/reflector.h), so that at its end the
// cached objects it did not see can be dropped. Compact on purpose — a relist of 100k objects
// must not cost what holding the list did: a key is stored as a 64-bit hash of its text, never
// the text. Two keys hashing alike (odds about 1 in 10^9 at 100k keys) would keep one vanished
// object cached until the next relist.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_set>

namespace imps::modes {

class KeySet {
 public:
  void clear();
  void add(std::string_view key);
  bool contains(std::string_view key) const;
  size_t size() const { return hashes_.size(); }

 private:
  std::unordered_set<uint64_t> hashes_;
};

// Erases the entries of `map` whose key is not in `seen`, calling on_drop(key) before each.
template <typename Map, typename OnDrop>
void drop_unseen(Map& map, const KeySet& seen, OnDrop on_drop) {
  for (auto it = map.begin(); it != map.end();) {
    if (seen.contains(it->first)) {
      ++it;
      continue;
    }
    on_drop(it->first);
    it = map.erase(it);
  }
}

}  // namespace imps::modes
