#include <doctest/doctest.h>

#include "kube/resource.h"

using namespace imps::kube;

TEST_CASE("paths for core, grouped, namespaced and cluster-scoped resources") {
  CHECK(api_version(kSecrets) == "v1");
  CHECK(api_version(kLeases) == "coordination.k8s.io/v1");
  CHECK(api_version(kImagePullSecrets) == "images.banzaicloud.io/v1alpha1");

  CHECK(collection_path(kNamespaces) == "/api/v1/namespaces");
  CHECK(object_path(kNamespaces, "", "app") == "/api/v1/namespaces/app");
  CHECK(collection_path(kPods) == "/api/v1/pods");
  CHECK(collection_path(kSecrets, "app") == "/api/v1/namespaces/app/secrets");
  CHECK(object_path(kSecrets, "app", "db") == "/api/v1/namespaces/app/secrets/db");
  CHECK(collection_path(kEvents, "app") == "/api/v1/namespaces/app/events");
  CHECK(object_path(kLeases, "ops", "73de1ad9.banzaicloud.io") ==
        "/apis/coordination.k8s.io/v1/namespaces/ops/leases/73de1ad9.banzaicloud.io");
  CHECK(collection_path(kImagePullSecrets) == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets");
  CHECK(collection_path(kImagePullSecrets, "ignored") == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets");
  CHECK(status_path(kImagePullSecrets, "", "ecr") == "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/ecr/status");
}

TEST_CASE("names and namespaces are escaped as path segments") {
  CHECK(object_path(kSecrets, "a/b", "x y?#") == "/api/v1/namespaces/a%2Fb/secrets/x%20y%3F%23");
  CHECK(object_path(kSecrets, "app", "..") == "/api/v1/namespaces/app/secrets/..");
}

TEST_CASE("list query: only set options, escaped, in a stable order") {
  CHECK(list_query({}).empty());
  ListOptions o;
  o.label_selector = "app in (web,api),!legacy";
  o.field_selector = "type=kubernetes.io/dockerconfigjson";
  o.limit = 500;
  o.continue_token = "eyJ2Ijo+/=";
  o.resource_version = "0";
  o.resource_version_match = "NotOlderThan";
  CHECK(list_query(o) ==
        "labelSelector=app%20in%20%28web%2Capi%29%2C%21legacy"
        "&fieldSelector=type%3Dkubernetes.io%2Fdockerconfigjson"
        "&limit=500&continue=eyJ2Ijo%2B%2F%3D&resourceVersion=0&resourceVersionMatch=NotOlderThan");
  CHECK(with_query("/api/v1/pods", list_query(o)).rfind("/api/v1/pods?labelSelector=", 0) == 0);
  CHECK(with_query("/api/v1/pods", "") == "/api/v1/pods");
}

TEST_CASE("watch query always asks for a watch") {
  WatchOptions plain;
  plain.allow_bookmarks = false;
  CHECK(watch_query(plain) == "watch=1");
  WatchOptions o;
  o.resource_version = "48210";
  o.timeout_seconds = 417;
  o.field_selector = "metadata.name=x";
  CHECK(watch_query(o) == "watch=1&fieldSelector=metadata.name%3Dx&resourceVersion=48210"
                          "&allowWatchBookmarks=true&timeoutSeconds=417");
}

TEST_CASE("metadata-only Accept headers") {
  CHECK(kAcceptMetadataList == "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
  CHECK(kAcceptMetadata == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
}
