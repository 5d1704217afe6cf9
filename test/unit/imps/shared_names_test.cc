#include <doctest/doctest.h>

#include "imps/shared_names.h"
#include "imps/status.h"

using namespace imps;

TEST_CASE("shared names: copies share one list until one of them changes it") {
  SharedNames a{"a", "b"};
  SharedNames b = a;
  CHECK(&a.get() == &b.get());
  b.mutate().push_back("c");
  CHECK(a == std::vector<std::string>{"a", "b"});
  CHECK(b == std::vector<std::string>{"a", "b", "c"});
  CHECK_FALSE(a == b);
  // Equal contents compare equal without sharing.
  CHECK(a == SharedNames(std::vector<std::string>{"a", "b"}));
  SharedNames empty;
  CHECK(empty.empty());
  CHECK(empty == SharedNames(std::vector<std::string>{}));
  empty.mutate().push_back("x");
  CHECK(empty.size() == 1);
}

TEST_CASE("set_managed copies the status's namespace list only when it changes it") {
  ResourceStatus before;
  before.managed_namespaces = {"a", "c"};
  ResourceStatus after = before;
  set_managed(after, "a", true);  // already there
  set_managed(after, "b", false);  // already absent
  CHECK(&after.managed_namespaces.get() == &before.managed_namespaces.get());
  set_managed(after, "b", true);
  CHECK(after.managed_namespaces == std::vector<std::string>{"a", "b", "c"});
  CHECK(before.managed_namespaces == std::vector<std::string>{"a", "c"});
  set_managed(after, "a", false);
  CHECK(after.managed_namespaces == std::vector<std::string>{"b", "c"});
}
