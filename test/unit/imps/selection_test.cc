#include <doctest/doctest.h>

#include "base/json.h"
#include "imps/selection.h"

using namespace imps;

namespace {

std::vector<Selector> selectors(const char* json, SelectorKind kind) {
  auto doc = Json::parse(json);
  REQUIRE(doc.ok());
  auto list = parse_selectors(doc->get(), kind, "t");
  REQUIRE(list.ok());
  return std::move(list).value();
}

const StringMap kNone;
const StringMap kLabelled = {{"env", "prod"}};
const StringMap kAnnotated = {{"inject", "true"}};

}  // namespace

TEST_CASE("each selection rule alone selects, and nothing else does") {
  TargetSpec by_name, by_labels, by_annotations;
  by_name.namespace_names = {"x"};
  by_labels.namespace_labels = selectors(R"([{"matchLabels":{"env":"prod"}}])", SelectorKind::Labels);
  by_annotations.namespace_annotations = selectors(R"([{"matchAnnotations":{"inject":"true"}}])", SelectorKind::Annotations);
  TargetSpec empty;

  CHECK(namespace_selected(by_name, {"x", kNone, kNone}));
  CHECK_FALSE(namespace_selected(by_name, {"y", kLabelled, kAnnotated}));
  CHECK(namespace_selected(by_labels, {"y", kLabelled, kNone}));
  CHECK_FALSE(namespace_selected(by_labels, {"x", kNone, kLabelled}));
  CHECK(namespace_selected(by_annotations, {"y", kNone, kAnnotated}));
  CHECK_FALSE(namespace_selected(by_annotations, {"y", kAnnotated, kNone}));
  // A matching pod selects the namespace whatever the other rules say.
  CHECK(namespace_selected(empty, {"y", kNone, kNone, false, true}));
  CHECK_FALSE(namespace_selected(empty, {"y", kLabelled, kAnnotated}));
}

TEST_CASE("rules are ORed") {
  TargetSpec t;
  t.namespace_names = {"x"};
  t.namespace_labels = selectors(R"([{"matchLabels":{"env":"prod"}}])", SelectorKind::Labels);
  CHECK(namespace_selected(t, {"x", kNone, kNone}));
  CHECK(namespace_selected(t, {"y", kLabelled, kNone}));
  CHECK(namespace_selected(t, {"x", kLabelled, kNone}));
  CHECK_FALSE(namespace_selected(t, {"y", kNone, kNone}));
}

TEST_CASE("terminating namespaces are never selected") {
  TargetSpec t;
  t.namespace_names = {"x"};
  t.namespace_labels = selectors("[{}]", SelectorKind::Labels);
  CHECK(namespace_selected(t, {"x", kNone, kNone}));
  CHECK_FALSE(namespace_selected(t, {"x", kLabelled, kNone, true, true}));
}

TEST_CASE("an empty selector in a list selects every namespace") {
  TargetSpec t;
  t.namespace_annotations = selectors("[{}]", SelectorKind::Annotations);
  CHECK(namespace_selected(t, {"any", kNone, kNone}));
}

TEST_CASE("pod predicate: labels or annotations, and whether pods matter at all") {
  TargetSpec t;
  CHECK_FALSE(selects_by_pods(t));
  CHECK_FALSE(pod_matches(t, kLabelled, kAnnotated));
  t.pod_labels = selectors(R"([{"matchExpressions":[{"key":"env","operator":"In","values":["prod"]}]}])",
                           SelectorKind::Labels);
  CHECK(selects_by_pods(t));
  CHECK(pod_matches(t, kLabelled, kNone));
  CHECK_FALSE(pod_matches(t, kNone, kLabelled));
  t.pod_annotations = selectors(R"([{"matchAnnotations":{"inject":"true"}}])", SelectorKind::Annotations);
  CHECK(pod_matches(t, kNone, kAnnotated));
  CHECK_FALSE(pod_matches(t, kNone, kNone));
}
