#include <doctest/doctest.h>

#include "imps/resource.h"
#include "imps/selection.h"

using namespace imps;

namespace {

// The three ImagePullSecret examples of the original README, as the API server returns them.
constexpr const char* kReadmeAnnotations = R"({
  "apiVersion":"images.banzaicloud.io/v1alpha1","kind":"ImagePullSecret",
  "metadata":{"name":"imps","uid":"u-1","resourceVersion":"77","generation":2,
              "creationTimestamp":"2024-01-01T00:00:00Z"},
  "spec":{"registry":{"credentials":[{"name":"registry--https-index.docker.io-v1-pull-secret-5cbe024b",
                                      "namespace":"registry-access"}]},
          "target":{"namespaces":{"annotations":[{"matchAnnotations":{"sidecar.istio.io/inject":"true"}}]},
                    "namespacesWithPods":{"annotations":[{"matchAnnotations":{"sidecar.istio.io/inject":"true"}}]},
                    "secret":{"name":"istio-pull-secret"}}}})";

constexpr const char* kReadmeNames = R"({
  "apiVersion":"images.banzaicloud.io/v1alpha1","kind":"ImagePullSecret",
  "metadata":{"name":"imps","uid":"u-2"},
  "spec":{"registry":{"credentials":[
            {"name":"registry--https-index.docker.io-v1-pull-secret-5cbe024b","namespace":"registry-access"},
            {"name":"registry--999653XXXXX.dkr.ecr.eu-central-1.amazonaws.com-pull-secret-5e3481fc",
             "namespace":"registry-access"}]},
          "target":{"namespaces":{"names":["backyards-registry-access","backyards-system","backyards-canary",
                                           "cert-manager","istio-system"]},
                    "secret":{"name":"istio-pull-secret"}}}})";

constexpr const char* kReadmeRules = R"({
  "apiVersion":"images.banzaicloud.io/v1alpha1","kind":"ImagePullSecret",
  "metadata":{"name":"imps","uid":"u-3"},
  "spec":{"registry":{"credentials":[{"name":"c","namespace":"registry-access"}]},
          "target":{"namespaces":{"annotations":[{"matchAnnotations":{"sidecar.istio.io/inject":"true"}},
                                                 {"matchAnnotations":{"backyards.banzaicloud.io/image-registry-access":"true"}}],
                                  "labels":[{"matchExpressions":[{"key":"istio.io/rev","operator":"Exists"}]}],
                                  "names":["backyards-registry-access","backyards-system","backyards-canary",
                                           "cert-manager","istio-system"]},
                    "namespacesWithPods":{"annotations":[{"matchAnnotations":{"sidecar.istio.io/inject":"true"}}],
                                          "labels":[{"matchExpressions":[{"key":"istio.io/rev","operator":"Exists"}]}]},
                    "secret":{"name":"istio-pull-secret"}}}})";

ImagePullSecret must_parse(std::string_view json) {
  auto r = parse_image_pull_secret(json);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return std::move(r).value();
}

std::string with_spec(const std::string& spec) {
  return R"({"metadata":{"name":"r","uid":"u"},"spec":)" + spec + "}";
}

}  // namespace

TEST_CASE("README examples parse without errors") {
  for (const char* example : {kReadmeAnnotations, kReadmeNames, kReadmeRules}) {
    ImagePullSecret r = must_parse(example);
    CHECK(r.spec_errors.empty());
    CHECK(r.name == "imps");
    CHECK(r.spec.target.secret.name == "istio-pull-secret");
    CHECK_FALSE(r.spec.credentials.empty());
  }
}

TEST_CASE("README annotation example: identity, sources and selectors") {
  ImagePullSecret r = must_parse(kReadmeAnnotations);
  CHECK(r.uid == "u-1");
  CHECK(r.resource_version == "77");
  CHECK(r.generation == 2);
  CHECK(r.creation_timestamp == "2024-01-01T00:00:00Z");
  CHECK_FALSE(r.deleting);
  REQUIRE(r.spec.credentials.size() == 1);
  CHECK(r.spec.credentials[0].key() == "registry-access.registry--https-index.docker.io-v1-pull-secret-5cbe024b");
  CHECK(r.spec.target.namespace_annotations.size() == 1);
  CHECK(r.spec.target.pod_annotations.size() == 1);
  CHECK(r.spec.target.namespace_labels.empty());
  CHECK(selects_by_pods(r.spec.target));
  CHECK(r.status == ResourceStatus{});
}

TEST_CASE("README rule example selects by each of its rules") {
  ImagePullSecret r = must_parse(kReadmeRules);
  const TargetSpec& t = r.spec.target;
  StringMap none;
  StringMap inject = {{"sidecar.istio.io/inject", "true"}};
  StringMap access = {{"backyards.banzaicloud.io/image-registry-access", "true"}};
  StringMap rev = {{"istio.io/rev", "canary"}};
  CHECK(namespace_selected(t, {"cert-manager", none, none}));
  CHECK(namespace_selected(t, {"a", none, inject}));
  CHECK(namespace_selected(t, {"a", none, access}));
  CHECK(namespace_selected(t, {"a", rev, none}));
  CHECK(namespace_selected(t, {"a", none, none, false, true}));
  CHECK_FALSE(namespace_selected(t, {"a", none, none}));
  CHECK_FALSE(namespace_selected(t, {"a", inject, none}));  // a label is not an annotation
  CHECK(pod_matches(t, rev, none));
  CHECK(pod_matches(t, none, inject));
  CHECK_FALSE(pod_matches(t, none, access));
}

TEST_CASE("metadata, deletion, labels and annotations of the target secret") {
  ImagePullSecret r = must_parse(R"({"metadata":{"name":"r","uid":"u","deletionTimestamp":"2024-01-01T00:00:00Z"},
    "spec":{"registry":{"credentials":[]},"target":{"secret":{"name":"s",
      "labels":{"team":"a"},"annotations":{"note.example.com/x":"free text, ok"}}}}})");
  CHECK(r.deleting);
  CHECK(r.spec_errors.empty());
  CHECK(r.spec.target.secret.labels == StringMap{{"team", "a"}});
  CHECK(r.spec.target.secret.annotations.at("note.example.com/x") == "free text, ok");
}

TEST_CASE("unusable metadata fails the parse") {
  CHECK_FALSE(parse_image_pull_secret("[]").ok());
  CHECK_FALSE(parse_image_pull_secret("{").ok());
  CHECK_FALSE(parse_image_pull_secret(R"({"spec":{}})").ok());
  CHECK_FALSE(parse_image_pull_secret(R"({"metadata":{"name":"r"}})").ok());
  CHECK_FALSE(parse_image_pull_secret(R"({"metadata":{"name":"","uid":"u"}})").ok());
  ImagePullSecret no_spec = must_parse(R"({"metadata":{"uid":"u","name":"r"}})");
  CHECK(no_spec.spec_errors == std::vector<std::string>{"spec: required"});
}

TEST_CASE("invalid specs give per-resource errors naming the field") {
  const std::string ok_target = R"("target":{"secret":{"name":"s"}})";
  const std::string ok_registry = R"("registry":{"credentials":[{"name":"a","namespace":"b"}]})";
  struct Row {
    std::string spec;
    const char* error;
  } rows[] = {
      {"{" + ok_target + "}", "registry.credentials: required"},
      {R"({"registry":{"credentials":{}},)" + ok_target + "}", "registry.credentials: must be a list"},
      {R"({"registry":{"credentials":[{"name":"a"}]},)" + ok_target + "}",
       "registry.credentials[0].namespace: required"},
      {R"({"registry":{"credentials":[{"name":"a","namespace":"b"},{"name":"","namespace":"b"}]},)" + ok_target + "}",
       "registry.credentials[1].name: must not be empty"},
      {R"({"registry":{"credentials":[{"name":1,"namespace":"b"}]},)" + ok_target + "}",
       "registry.credentials[0].name: must be a string"},
      {R"({"registry":{"credentials":["x"]},)" + ok_target + "}", "registry.credentials[0]: must be an object"},
      {"{" + ok_registry + "}", "target.secret.name: required"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"Bad_Name"}}})",
       R"(target.secret.name: "Bad_Name" is not a valid Secret name)"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s","labels":{"a":"b c"}}}})",
       R"(target.secret.labels: value "b c" is not a valid label value)"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s","labels":{"a b":"c"}}}})",
       R"(target.secret.labels: key "a b" is not a valid label key)"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s","annotations":{"a":1}}}})",
       R"(target.secret.annotations: value of "a" must be a string)"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s","annotations":{"a b":"x"}}}})",
       R"(target.secret.annotations: key "a b" is not a valid annotation key)"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s"},"namespaces":{"names":"ns"}}})",
       "target.namespaces.names: must be a list of strings"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s"},"namespaces":{"labels":[{},
         {"matchExpressions":[{"key":"a","operator":"Foo"}]}]}}})",
       R"(target.namespaces.labels[1].matchExpressions[0]: operator "Foo" is not one of In, NotIn, Exists, DoesNotExist)"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s"},"namespaces":{"annotations":[
         {"matchExpressions":[{"key":"a","operator":"In"}]}]}}})",
       "target.namespaces.annotations[0].matchExpressions[0]: operator In needs at least one value"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s"},"namespacesWithPods":{"labels":[
         {"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}]}}})",
       "target.namespacesWithPods.labels[0].matchExpressions[0]: operator Exists takes no values"},
      {"{" + ok_registry + R"(,"target":{"secret":{"name":"s"},"namespacesWithPods":{"annotations":{}}}})",
       "target.namespacesWithPods.annotations: must be a list of selectors"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.spec);
    ImagePullSecret r = must_parse(with_spec(row.spec));
    REQUIRE(r.spec_errors.size() == 1);
    CHECK(r.spec_errors[0] == row.error);
  }
}

TEST_CASE("independent spec errors are all reported") {
  ImagePullSecret r = must_parse(with_spec(R"({"target":{"namespaces":{"labels":[{"matchExpressions":[{"key":"a","operator":"X"}]}]}}})"));
  CHECK(r.spec_errors.size() == 3);
}

TEST_CASE("status is read leniently") {
  ImagePullSecret r = must_parse(R"({"metadata":{"name":"r","uid":"u"},"spec":{},
    "status":{"status":"Ready","reason":"","lastSuccessfulReconciliation":"2024-01-01T00:00:00Z",
              "validitySeconds":3600,"managedNamespaces":["b","a",1],"sourceSecretStatus":{"x.y":"Ok"}}})");
  CHECK(r.status.status == "Ready");
  CHECK(r.status.validity_seconds == 3600);
  CHECK(r.status.managed_namespaces == std::vector<std::string>{"a", "b"});
  CHECK(r.status.source_secret_status.at("x.y") == "Ok");
  ImagePullSecret odd = must_parse(R"({"metadata":{"name":"r","uid":"u"},"status":{"status":5,"sourceSecretStatus":[]}})");
  CHECK(odd.status == ResourceStatus{});
}

TEST_CASE("oversized and deeply nested input is rejected or parsed without trouble") {
  std::string names;
  for (int i = 0; i < 20000; ++i) names += (i ? "," : "") + std::string("\"ns-") + std::to_string(i) + "\"";
  ImagePullSecret r = must_parse(with_spec(R"({"registry":{"credentials":[]},"target":{"secret":{"name":"s"},
    "namespaces":{"names":[)" + names + "]}}}"));
  CHECK(r.spec.target.namespace_names.size() == 20000);
  std::string deep = with_spec(std::string(3000, '[') + std::string(3000, ']'));
  CHECK_FALSE(parse_image_pull_secret(deep).ok());
}

TEST_CASE("older resources sort first by creation time, then by name") {
  ImagePullSecret a, b;
  a.creation_timestamp = "2024-01-01T00:00:00Z";
  b.creation_timestamp = "2024-01-02T00:00:00Z";
  a.name = "z";
  b.name = "a";
  CHECK(is_older(a, b));
  CHECK_FALSE(is_older(b, a));
  b.creation_timestamp = a.creation_timestamp;
  CHECK(is_older(b, a));
  CHECK_FALSE(is_older(a, a));
}

TEST_CASE("every prefix of a resource document fails cleanly") {
  std::string doc = kReadmeRules;
  for (size_t n = 0; n + 1 < doc.size(); ++n) CHECK_FALSE(parse_image_pull_secret(doc.substr(0, n)).ok());
  CHECK(parse_image_pull_secret(doc).ok());
}

TEST_CASE("mistyped members are spec errors, not crashes") {
  for (const char* spec : {R"("x")", "[]", R"({"registry":[],"target":[]})",
                           R"({"registry":{"credentials":[]},"target":{"secret":"s"}})",
                           R"({"registry":{"credentials":[]},"target":{"secret":{"name":"s"},"namespaces":[]}})",
                           R"({"registry":{"credentials":[]},"target":{"secret":{"name":"s"},"namespaces":{"labels":[[]]}}})"}) {
    CAPTURE(spec);
    CHECK_FALSE(must_parse(with_spec(spec)).spec_errors.empty());
  }
}

TEST_CASE("target.serviceAccounts: names, \"*\" and restartStuckPods") {
  const std::string base = R"({"registry":{"credentials":[]},"target":{"secret":{"name":"pull"},)";
  auto absent = must_parse(with_spec(R"({"registry":{"credentials":[]},"target":{"secret":{"name":"pull"}}})"));
  CHECK_FALSE(absent.spec.target.service_accounts.used());
  auto r = must_parse(with_spec(base + R"("serviceAccounts":{"names":["default","ci"],"restartStuckPods":true}}})"));
  CHECK(r.spec_errors.empty());
  const ServiceAccountSpec& sa = r.spec.target.service_accounts;
  CHECK(sa.names == std::vector<std::string>{"default", "ci"});
  CHECK(sa.restart_stuck_pods);
  CHECK(sa.names_account("ci"));
  CHECK_FALSE(sa.names_account("other"));
  auto all = must_parse(with_spec(base + R"("serviceAccounts":{"names":["*"]}}})"));
  CHECK(all.spec.target.service_accounts.names_account("anything"));
  CHECK_FALSE(all.spec.target.service_accounts.restart_stuck_pods);
}

TEST_CASE("malformed target.serviceAccounts is a spec error naming the field") {
  const std::string base = R"({"registry":{"credentials":[]},"target":{"secret":{"name":"pull"},"serviceAccounts":)";
  struct Row {
    const char* value;
    const char* error;
  } rows[] = {
      {R"([])", "target.serviceAccounts: must be an object"},
      {R"({"names":"default"})", "target.serviceAccounts.names: must be a list of strings"},
      {R"({"names":[1]})", "target.serviceAccounts.names: must be a list of strings"},
      {R"({"names":["Not_Valid"]})", "target.serviceAccounts.names: \"Not_Valid\" is not a valid ServiceAccount name"},
      {R"({"names":["default"],"restartStuckPods":"yes"})", "target.serviceAccounts.restartStuckPods: must be a boolean"},
  };
  for (const Row& row : rows) {
    auto r = must_parse(with_spec(base + row.value + "}}"));
    REQUIRE(r.spec_errors.size() == 1);
    CHECK(r.spec_errors[0] == row.error);
  }
  std::string oversized = base + R"({"names":[")" + std::string(300, 'a') + R"("]}}})";
  auto r = must_parse(with_spec(oversized));
  CHECK(r.spec_errors.size() == 1);
}
