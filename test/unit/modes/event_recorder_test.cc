#include <doctest/doctest.h>

#include "modes/event_recorder.h"

using namespace imps;
using namespace imps::modes;

TEST_CASE("event_body: core/v1 Event in default about the cluster-scoped resource, client-go naming") {
  ImagePullSecret r;
  r.name = "imps";
  r.uid = "0b6c-uid";
  Json body = event_body(r, {EventType::Warning, "SourceCredentialsError", "source a.b: not found"},
                         0x17d2a4c0b8e9f3a1ull, "2024-05-01T12:00:00Z");
  const cJSON* root = body.get();
  CHECK(json_string_or(root, "apiVersion") == "v1");
  CHECK(json_string_or(root, "kind") == "Event");
  CHECK(json_string_or(json_member(root, "metadata"), "name") == "imps.17d2a4c0b8e9f3a1");
  CHECK(json_string_or(json_member(root, "metadata"), "namespace") == "default");
  const cJSON* involved = json_member(root, "involvedObject");
  CHECK(json_string_or(involved, "apiVersion") == "images.banzaicloud.io/v1alpha1");
  CHECK(json_string_or(involved, "kind") == "ImagePullSecret");
  CHECK(json_string_or(involved, "name") == "imps");
  CHECK(json_string_or(involved, "uid") == "0b6c-uid");
  CHECK(json_member(involved, "namespace") == nullptr);
  CHECK(json_string_or(root, "type") == "Warning");
  CHECK(json_string_or(root, "reason") == "SourceCredentialsError");
  CHECK(json_string_or(root, "message") == "source a.b: not found");
  CHECK(json_string_or(root, "firstTimestamp") == "2024-05-01T12:00:00Z");
  CHECK(json_string_or(root, "lastTimestamp") == "2024-05-01T12:00:00Z");
  CHECK(json_number(root, "count") == 1);
  CHECK(json_string_or(json_member(root, "source"), "component") == "imps");
  CHECK(json_member(root, "eventTime") == nullptr);  // set, it would switch to new-style validation
}

TEST_CASE("event_body: Normal events") {
  ImagePullSecret r;
  r.name = "x";
  Json body = event_body(r, {EventType::Normal, "Reconciled", "ok"}, 1, "2024-05-01T12:00:00Z");
  CHECK(json_string_or(body.get(), "type") == "Normal");
  CHECK(json_string_or(json_member(body.get(), "metadata"), "name") == "x.1");
}
