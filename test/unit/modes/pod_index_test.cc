#include <doctest/doctest.h>

#include "base/json.h"
#include "modes/pod_index.h"

using namespace imps;
using namespace imps::modes;

using Changes = std::vector<PodCountChange>;

TEST_CASE("the first matching pod in a namespace flips it, further pods do not") {
  PodIndex index;
  CHECK(index.set("ns", "p1", {"r"}) == Changes{{"r", "ns", true}});
  CHECK(index.has_pods("r", "ns"));
  CHECK(index.set("ns", "p2", {"r"}).empty());
  CHECK(index.set("ns", "p1", {"r"}).empty());  // a MODIFIED event that changes nothing
  CHECK(index.remove("ns", "p1").empty());
  CHECK(index.remove("ns", "p2") == Changes{{"r", "ns", false}});
  CHECK_FALSE(index.has_pods("r", "ns"));
  CHECK(index.tracked_pods() == 0);
}

TEST_CASE("pods matching nothing are not tracked, deleting unknown pods is harmless") {
  PodIndex index;
  CHECK(index.set("ns", "p", {}).empty());
  CHECK(index.tracked_pods() == 0);
  CHECK(index.remove("ns", "ghost").empty());
}

TEST_CASE("a relabel moves a pod between resources without its old labels") {
  PodIndex index;
  CHECK(index.set("ns", "p", {"a", "b"}) == Changes{{"a", "ns", true}, {"b", "ns", true}});
  CHECK(index.set("ns", "p", {"b", "c", "c"}) == Changes{{"a", "ns", false}, {"c", "ns", true}});
  CHECK(index.remove("ns", "p") == Changes{{"b", "ns", false}, {"c", "ns", false}});
}

TEST_CASE("counts are per namespace") {
  PodIndex index;
  index.set("x", "p", {"r"});
  CHECK_FALSE(index.has_pods("r", "y"));
  CHECK(index.set("y", "p", {"r"}) == Changes{{"r", "y", true}});
  CHECK(index.remove("x", "p") == Changes{{"r", "x", false}});
  CHECK(index.has_pods("r", "y"));
}

TEST_CASE("replace reports only the pairs whose state differs") {
  PodIndex index;
  index.set("x", "p", {"r"});
  index.set("y", "p", {"r"});
  PodIndex next;
  next.set("y", "q", {"r"});
  next.set("z", "q", {"s"});
  CHECK(index.replace(std::move(next)) == Changes{{"r", "x", false}, {"s", "z", true}});
  CHECK(index.has_pods("r", "y"));
  CHECK(index.remove("y", "q") == Changes{{"r", "y", false}});
}

TEST_CASE("observe_pod reads metadata and rejects malformed pods") {
  auto ok = Json::parse(R"({"metadata":{"namespace":"n","name":"p","labels":{"a":"1"},"annotations":{"b":"2"}}})");
  auto pod = observe_pod(ok->get());
  REQUIRE(pod.ok());
  CHECK(pod->namespace_name == "n");
  CHECK(pod->labels == MapDigest(StringMap{{"a", "1"}}));
  CHECK(pod->annotations == MapDigest(StringMap{{"b", "2"}}));
  for (const char* bad : {R"({})", R"({"metadata":{"name":"p"}})", R"([1])",
                          R"({"metadata":{"namespace":"n","name":"p","labels":{"a":1}}})"}) {
    auto json = Json::parse(bad);
    REQUIRE(json.ok());
    CHECK_FALSE(observe_pod(json->get()).ok());
  }
}

TEST_CASE("many pods: counts follow every add and remove, and the index empties") {
  PodIndex index;
  size_t flips = 0;
  for (int i = 0; i < 1000; ++i)
    flips += index.set("ns" + std::to_string(i % 10), "p" + std::to_string(i), {i % 2 ? "odd" : "even"}).size();
  CHECK(flips == 10);  // each namespace turns on once (even i land in even namespaces)
  CHECK(index.tracked_pods() == 1000);
  for (int i = 0; i < 1000; ++i) index.remove("ns" + std::to_string(i % 10), "p" + std::to_string(i));
  CHECK(index.tracked_pods() == 0);
  for (int n = 0; n < 10; ++n) {
    CHECK_FALSE(index.has_pods("odd", "ns" + std::to_string(n)));
    CHECK_FALSE(index.has_pods("even", "ns" + std::to_string(n)));
  }
}
