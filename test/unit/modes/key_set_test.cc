#include <doctest/doctest.h>

#include "modes/key_set.h"

#include <map>
#include <string>
#include <vector>

using namespace imps::modes;

TEST_CASE("key set: remembers added keys until cleared") {
  KeySet seen;
  CHECK_FALSE(seen.contains("n/a"));
  seen.add("n/a");
  seen.add("n/a");
  seen.add("n/b");
  CHECK(seen.size() == 2);
  CHECK(seen.contains("n/a"));
  CHECK(seen.contains("n/b"));
  CHECK_FALSE(seen.contains("n/c"));
  CHECK_FALSE(seen.contains(""));
  seen.clear();
  CHECK(seen.size() == 0);
  CHECK_FALSE(seen.contains("n/a"));
}

TEST_CASE("key set: 100k keys stay distinct") {
  KeySet seen;
  for (int i = 0; i < 100'000; ++i) seen.add("namespace-" + std::to_string(i % 1000) + "/pod-" + std::to_string(i));
  CHECK(seen.size() == 100'000);
  CHECK(seen.contains("namespace-7/pod-99007"));
  CHECK_FALSE(seen.contains("namespace-8/pod-99007"));
}

TEST_CASE("key set: drop_unseen erases and reports exactly the unseen entries") {
  std::map<std::string, int> cache{{"a", 1}, {"b", 2}, {"c", 3}};
  KeySet seen;
  seen.add("b");
  seen.add("z");
  std::vector<std::string> dropped;
  drop_unseen(cache, seen, [&](const std::string& key) { dropped.push_back(key); });
  CHECK(dropped == std::vector<std::string>{"a", "c"});
  CHECK(cache == std::map<std::string, int>{{"b", 2}});
}
