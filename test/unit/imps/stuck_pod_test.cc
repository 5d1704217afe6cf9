#include <doctest/doctest.h>

#include <string>

#include "base/json.h"
#include "imps/stuck_pod.h"

using namespace imps;

namespace {

std::optional<StuckPod> judge(std::string_view json) {
  auto doc = Json::parse(json);
  REQUIRE(doc.ok());
  return stuck_pod(doc->get());
}

constexpr const char* kStuck = R"({"metadata":{"name":"web-1","namespace":"ns","uid":"u1",
  "ownerReferences":[{"kind":"Node","name":"n"},{"kind":"ReplicaSet","name":"web","controller":true}]},
  "spec":{"serviceAccountName":"builder","imagePullSecrets":[{"name":"mine"}]},
  "status":{"phase":"Pending","containerStatuses":[{"name":"a","state":{"running":{}}},
    {"name":"b","state":{"waiting":{"reason":"ImagePullBackOff"}}}]}})";

}  // namespace

TEST_CASE("a Pending pod waiting on an image pull is stuck") {
  auto pod = judge(kStuck);
  REQUIRE(pod);
  CHECK(pod->namespace_name == "ns");
  CHECK(pod->name == "web-1");
  CHECK(pod->uid == "u1");
  CHECK(pod->service_account == "builder");
  CHECK(pod->controller_kind == "ReplicaSet");
  CHECK(pod->restartable());
  CHECK(pod->lacks("pull"));
  CHECK_FALSE(pod->lacks("mine"));
  auto init = judge(R"({"metadata":{"name":"p","namespace":"ns"},"spec":{},
    "status":{"phase":"Pending","initContainerStatuses":[{"state":{"waiting":{"reason":"ErrImagePull"}}}]}})");
  REQUIRE(init);
  CHECK(init->service_account == "default");
  CHECK(init->controller_kind.empty());
  CHECK_FALSE(init->restartable());
}

TEST_CASE("running, deleting or otherwise waiting pods are not stuck") {
  CHECK_FALSE(judge(R"({"metadata":{"name":"p","namespace":"ns"},"status":{"phase":"Running",
    "containerStatuses":[{"state":{"waiting":{"reason":"ImagePullBackOff"}}}]}})"));
  CHECK_FALSE(judge(R"({"metadata":{"name":"p","namespace":"ns","deletionTimestamp":"t"},"status":{"phase":"Pending",
    "containerStatuses":[{"state":{"waiting":{"reason":"ErrImagePull"}}}]}})"));
  CHECK_FALSE(judge(R"({"metadata":{"name":"p","namespace":"ns"},"status":{"phase":"Pending",
    "containerStatuses":[{"state":{"waiting":{"reason":"ContainerCreating"}}}]}})"));
}

TEST_CASE("only controllers that recreate pods make them restartable") {
  for (const char* kind : {"ReplicaSet", "StatefulSet", "DaemonSet"}) {
    StuckPod pod;
    pod.controller_kind = kind;
    CHECK(pod.restartable());
  }
  StuckPod other;
  other.controller_kind = "Node";
  CHECK_FALSE(other.restartable());
  // The Job controller would count the eviction against the Job's backoffLimit.
  StuckPod job;
  job.controller_kind = "Job";
  CHECK_FALSE(job.restartable());
}

TEST_CASE("malformed pods are never stuck") {
  for (const char* text : {R"([])", R"({"status":"Pending"})", R"({"metadata":7,"status":{"phase":"Pending"}})",
                           R"({"metadata":{"name":"p","namespace":"ns"},"status":{"phase":"Pending","containerStatuses":{}}})",
                           R"({"metadata":{"namespace":"ns"},"status":{"phase":"Pending",
                             "containerStatuses":[{"state":{"waiting":{"reason":"ErrImagePull"}}}]}})"})
    CHECK_FALSE(judge(text));
  auto odd = judge(R"({"metadata":{"name":"p","namespace":"ns","ownerReferences":[7,{"controller":"yes"}]},
    "spec":{"serviceAccountName":"","imagePullSecrets":[null,{"name":1}]},
    "status":{"phase":"Pending","containerStatuses":[{"state":{"waiting":{"reason":"ErrImagePull"}}}]}})");
  REQUIRE(odd);
  CHECK(odd->service_account == "default");
  CHECK(odd->controller_kind.empty());
}
