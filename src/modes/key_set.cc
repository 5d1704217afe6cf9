#include "modes/key_set.h"

#include "base/bytes.h"

namespace imps::modes {

void KeySet::clear() {
  // Swapping with an empty set releases the buckets; clear() would keep them for the next list.
  std::unordered_set<uint64_t>().swap(hashes_);
}

void KeySet::add(std::string_view key) { hashes_.insert(content_hash(key)); }

bool KeySet::contains(std::string_view key) const { return hashes_.count(content_hash(key)) != 0; }

}  // namespace imps::modes
