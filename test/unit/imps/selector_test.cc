#include <doctest/doctest.h>

#include "base/json.h"
#include "imps/selector.h"

using namespace imps;

namespace {

Result<Selector> parse(std::string_view json, SelectorKind kind = SelectorKind::Labels) {
  auto doc = Json::parse(json);
  REQUIRE(doc.ok());
  return Selector::parse(doc->get(), kind, "target.namespaces.labels[1]");
}

bool matches(std::string_view json, const StringMap& map, SelectorKind kind = SelectorKind::Labels) {
  auto s = parse(json, kind);
  REQUIRE_MESSAGE(s.ok(), s.error().message);
  return s->matches(map);
}

const StringMap kIstio = {{"istio.io/rev", "1-20"}, {"env", "prod"}};

}  // namespace

TEST_CASE("an empty selector matches everything, even an empty map") {
  CHECK(matches("{}", {}));
  CHECK(matches("{}", kIstio));
  CHECK(matches(R"({"matchLabels":null,"matchExpressions":null})", kIstio));
}

TEST_CASE("each operator, with the key present and absent") {
  struct Row {
    const char* selector;
    bool with_istio;  // against kIstio
    bool with_empty;  // against {}
  } rows[] = {
      {R"({"matchLabels":{"env":"prod"}})", true, false},
      {R"({"matchLabels":{"env":"dev"}})", false, false},
      {R"({"matchExpressions":[{"key":"env","operator":"In","values":["dev","prod"]}]})", true, false},
      {R"({"matchExpressions":[{"key":"env","operator":"In","values":["dev"]}]})", false, false},
      {R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["dev"]}]})", true, true},
      {R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})", false, true},
      {R"({"matchExpressions":[{"key":"istio.io/rev","operator":"Exists"}]})", true, false},
      {R"({"matchExpressions":[{"key":"istio.io/rev","operator":"Exists","values":[]}]})", true, false},
      {R"({"matchExpressions":[{"key":"istio.io/rev","operator":"DoesNotExist"}]})", false, true},
      {R"({"matchExpressions":[{"key":"other","operator":"DoesNotExist"}]})", true, true},
  };
  for (const Row& row : rows) {
    CAPTURE(row.selector);
    CHECK(matches(row.selector, kIstio) == row.with_istio);
    CHECK(matches(row.selector, {}) == row.with_empty);
  }
}

TEST_CASE("requirements inside one selector are ANDed") {
  const char* both = R"({"matchLabels":{"env":"prod"},
                         "matchExpressions":[{"key":"istio.io/rev","operator":"Exists"},
                                             {"key":"team","operator":"DoesNotExist"}]})";
  CHECK(matches(both, kIstio));
  CHECK_FALSE(matches(both, {{"env", "prod"}}));
  CHECK_FALSE(matches(both, {{"env", "prod"}, {"istio.io/rev", "x"}, {"team", "a"}}));
}

TEST_CASE("a list of selectors is ORed and an empty list matches nothing") {
  auto doc = Json::parse(R"([{"matchLabels":{"env":"dev"}},{"matchLabels":{"env":"prod"}}])");
  REQUIRE(doc.ok());
  auto list = parse_selectors(doc->get(), SelectorKind::Labels, "x");
  REQUIRE(list.ok());
  CHECK(matches_any(*list, kIstio));
  CHECK(matches_any(*list, StringMap{{"env", "dev"}}));
  CHECK_FALSE(matches_any(*list, StringMap{{"env", "qa"}}));
  CHECK_FALSE(matches_any({}, kIstio));
  CHECK(parse_selectors(nullptr, SelectorKind::Labels, "x")->empty());
}

TEST_CASE("annotation selectors use matchAnnotations and free-text values") {
  const char* sel = R"({"matchAnnotations":{"sidecar.istio.io/inject":"true"},
                        "matchExpressions":[{"key":"note","operator":"In","values":["two words, and more!"]}]})";
  CHECK(matches(sel, {{"sidecar.istio.io/inject", "true"}, {"note", "two words, and more!"}},
                SelectorKind::Annotations));
  CHECK_FALSE(matches(sel, {{"sidecar.istio.io/inject", "false"}, {"note", "two words, and more!"}},
                      SelectorKind::Annotations));
  // matchLabels is not an annotation selector member: ignored, so this selects everything.
  CHECK(matches(R"({"matchLabels":{"a":"b"}})", {}, SelectorKind::Annotations));
}

TEST_CASE("invalid selectors are rejected with an error naming the selector") {
  struct Row {
    const char* selector;
    SelectorKind kind;
    const char* message;
  } rows[] = {
      {R"({"matchExpressions":[{"key":"a","operator":"Foo"}]})", SelectorKind::Labels,
       R"(target.namespaces.labels[1].matchExpressions[0]: operator "Foo" is not one of In, NotIn, Exists, DoesNotExist)"},
      {R"({"matchExpressions":[{"key":"a"}]})", SelectorKind::Labels,
       R"(target.namespaces.labels[1].matchExpressions[0]: operator "" is not one of In, NotIn, Exists, DoesNotExist)"},
      {R"({"matchExpressions":[{"key":"a","operator":"in","values":["x"]}]})", SelectorKind::Labels,
       R"(target.namespaces.labels[1].matchExpressions[0]: operator "in" is not one of In, NotIn, Exists, DoesNotExist)"},
      {R"({"matchExpressions":[{"key":"a","operator":"In"}]})", SelectorKind::Labels,
       "target.namespaces.labels[1].matchExpressions[0]: operator In needs at least one value"},
      {R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]})", SelectorKind::Labels,
       "target.namespaces.labels[1].matchExpressions[0]: operator NotIn needs at least one value"},
      {R"({"matchExpressions":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists","values":["x"]}]})",
       SelectorKind::Labels, "target.namespaces.labels[1].matchExpressions[1]: operator Exists takes no values"},
      {R"({"matchExpressions":[{"key":"a","operator":"DoesNotExist","values":["x"]}]})", SelectorKind::Annotations,
       "target.namespaces.labels[1].matchExpressions[0]: operator DoesNotExist takes no values"},
      {R"({"matchExpressions":[{"key":"","operator":"Exists"}]})", SelectorKind::Annotations,
       "target.namespaces.labels[1].matchExpressions[0]: key must not be empty"},
      {R"({"matchExpressions":[{"operator":"Exists"}]})", SelectorKind::Labels,
       "target.namespaces.labels[1].matchExpressions[0]: key must not be empty"},
      {R"({"matchExpressions":[{"key":5,"operator":"Exists"}]})", SelectorKind::Labels,
       "target.namespaces.labels[1].matchExpressions[0]: key must be a string"},
      {R"({"matchExpressions":[{"key":"a","operator":"In","values":"x"}]})", SelectorKind::Labels,
       "target.namespaces.labels[1].matchExpressions[0]: values must be a list of strings"},
      {R"({"matchExpressions":[{"key":"a","operator":"In","values":[1]}]})", SelectorKind::Labels,
       "target.namespaces.labels[1].matchExpressions[0]: values must be a list of strings"},
      {R"({"matchExpressions":[{"key":"a","operator":"In","values":["has space"]}]})", SelectorKind::Labels,
       R"(target.namespaces.labels[1].matchExpressions[0]: value "has space" is not a valid label value)"},
      {R"({"matchExpressions":[{"key":"Bad_Prefix/x","operator":"Exists"}]})", SelectorKind::Labels,
       R"(target.namespaces.labels[1].matchExpressions[0]: key "Bad_Prefix/x" is not a valid label key)"},
      {R"({"matchExpressions":{}})", SelectorKind::Labels, "target.namespaces.labels[1].matchExpressions: must be a list"},
      {R"({"matchExpressions":["x"]})", SelectorKind::Labels,
       "target.namespaces.labels[1].matchExpressions[0]: must be an object"},
      {R"({"matchLabels":{"a":1}})", SelectorKind::Labels,
       R"(target.namespaces.labels[1].matchLabels: value of "a" must be a string)"},
      {R"({"matchLabels":{"-a":"b"}})", SelectorKind::Labels,
       R"(target.namespaces.labels[1].matchLabels: key "-a" is not a valid label key)"},
      {R"({"matchLabels":{"":"b"}})", SelectorKind::Labels, "target.namespaces.labels[1].matchLabels: key must not be empty"},
      {R"({"matchAnnotations":{"":"b"}})", SelectorKind::Annotations,
       "target.namespaces.labels[1].matchAnnotations: key must not be empty"},
      {R"({"matchAnnotations":[]})", SelectorKind::Annotations,
       "target.namespaces.labels[1].matchAnnotations: must be an object of strings"},
      {R"("x")", SelectorKind::Labels, "target.namespaces.labels[1]: must be an object"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.selector);
    auto s = parse(row.selector, row.kind);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == ErrorKind::Invalid);
    CHECK(s.error().message == row.message);
  }
}

TEST_CASE("a list names the failing element by index") {
  auto doc = Json::parse(R"([{}, {"matchExpressions":[{"key":"a","operator":"Foo"}]}])");
  REQUIRE(doc.ok());
  auto list = parse_selectors(doc->get(), SelectorKind::Labels, "target.namespaces.labels");
  REQUIRE_FALSE(list.ok());
  CHECK(list.error().message.rfind("target.namespaces.labels[1].matchExpressions[0]: ", 0) == 0);
  auto not_list = Json::parse(R"({"a":1})");
  CHECK_FALSE(parse_selectors(not_list->get(), SelectorKind::Labels, "x").ok());
}

TEST_CASE("label key and value syntax") {
  for (const char* key : {"a", "app.kubernetes.io/name", "istio.io/rev", "A_b-c.d", "x/y", "a1.b-2/Z"}) {
    CAPTURE(key);
    CHECK(is_valid_label_key(key));
  }
  std::string long_name(64, 'a');
  std::string long_prefix(254, 'a');
  for (std::string key : {std::string(""), std::string("/a"), std::string("a/"), std::string("-a"), std::string("a-"),
                          std::string("a b"), std::string("A.io/x"), std::string("a..b/x"), std::string("a/b/c"),
                          std::string(".a/x"), long_name, long_prefix + "/x"}) {
    CAPTURE(key);
    CHECK_FALSE(is_valid_label_key(key));
  }
  CHECK(is_valid_label_key(std::string(63, 'a')));
  CHECK(is_valid_label_value(""));
  CHECK(is_valid_label_value("1-20"));
  CHECK_FALSE(is_valid_label_value("a b"));
  CHECK_FALSE(is_valid_label_value(long_name));
  CHECK_FALSE(is_valid_label_value("a/b"));
}

TEST_CASE("oversized keys are cut in error messages") {
  std::string key(5000, 'k');
  auto s = parse(R"({"matchLabels":{")" + key + R"(":"v"}})");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.size() < 500);
}
