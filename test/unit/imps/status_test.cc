#include <doctest/doctest.h>

#include <limits>

#include "imps/status.h"

using namespace imps;

TEST_CASE("status comparison ignores lastSuccessfulReconciliation only") {
  ResourceStatus a{"Ready", "", "t1", 10, {"a"}, {{"x.y", "Ok"}}, 0, {}};
  ResourceStatus b = a;
  b.last_successful_reconciliation = "t2";
  CHECK_FALSE(status_changed(a, b));
  b.validity_seconds = 11;
  CHECK(status_changed(a, b));
  ResourceStatus c = a;
  c.managed_namespaces.mutate().push_back("b");
  CHECK(status_changed(a, c));
  ResourceStatus d = a;
  d.source_secret_status["x.y"] = "broken";
  CHECK(status_changed(a, d));
}

TEST_CASE("a validity that only counted down is no change; a new expiry is") {
  ResourceStatus first{"Ready", "", "2026-12-04T10:00:00Z", 600, {"a"}, {{"x.y", "Ok"}}, 0, {}};
  ResourceStatus later = first;
  later.last_successful_reconciliation = "2026-12-04T10:01:30Z";
  later.validity_seconds = 510;  // the same expiry, 10:10:00
  CHECK_FALSE(status_changed(first, later));
  later.validity_seconds = 1200;  // a refreshed credential
  CHECK(status_changed(first, later));
  later.validity_seconds = 509;
  CHECK(status_changed(first, later));
  later.validity_seconds = 0;  // nothing expires any more
  CHECK(status_changed(first, later));
  // A Failed status keeps an older lastSuccessfulReconciliation: its validity is compared as is.
  ResourceStatus failed = first;
  failed.status = "Failed";
  ResourceStatus failed_later = failed;
  failed_later.validity_seconds = 510;
  CHECK(status_changed(failed, failed_later));
}

TEST_CASE("status JSON and execution failures") {
  ResourceStatus s{"Ready", "", "t2", 10, {"a", "b"}, {{"x.y", "Ok"}}, 0, {}};
  CHECK(status_to_json(s).dump() ==
        R"({"status":"Ready","reason":"","lastSuccessfulReconciliation":"t2","validitySeconds":10,)"
        R"("managedNamespaces":["a","b"],"sourceSecretStatus":{"x.y":"Ok"}})");
  ResourceStatus previous;
  previous.last_successful_reconciliation = "t1";
  mark_failed(s, "create b/pull: forbidden", previous, "2024-02-01T00:00:00Z");
  mark_failed(s, "delete c/pull: timeout", previous, "2024-02-01T00:00:00Z");
  CHECK(s.status == "Failed");
  CHECK(s.reason == "create b/pull: forbidden; delete c/pull: timeout");
  CHECK(s.last_successful_reconciliation == "t1");
  REQUIRE(s.conditions.size() == 1);
  CHECK(s.conditions[0].status == "False");
  CHECK(s.conditions[0].message == s.reason);
  CHECK(parse_status(status_to_json(s).get()) == s);
}

namespace {

constexpr const char* kT1 = "2024-02-01T00:00:00Z";
constexpr const char* kT2 = "2024-02-01T00:05:00Z";

ResourceStatus outcome(const char* state, const char* reason, std::vector<std::string> managed = {"a", "b"}) {
  ResourceStatus s;
  s.status = state;
  s.reason = reason;
  s.managed_namespaces = std::move(managed);
  return s;
}

// `planned` as the planner would finish it against the stored `previous`.
ResourceStatus settled(ResourceStatus planned, const ResourceStatus& previous, int64_t generation, const char* now) {
  set_ready_condition(planned, previous, generation, now);
  return planned;
}

}  // namespace

TEST_CASE("Ready condition: True or False with a reason and a message naming the cause") {
  const ResourceStatus ready = settled(outcome("Ready", ""), {}, 3, kT1);
  CHECK(ready.observed_generation == 3);
  REQUIRE(ready.conditions.size() == 1);
  CHECK(ready.conditions[0] ==
        Condition{"Ready", "True", "Reconciled", "pull Secret up to date in 2 namespace(s)", 3, kT1});
  const ResourceStatus failed =
      settled(outcome("Failed", "source ns.ecr: not found; target.namespaces.labels[0]: bad"), {}, 4, kT1);
  REQUIRE(failed.conditions.size() == 1);
  CHECK(failed.conditions[0] == Condition{"Ready", "False", "ReconciliationFailed",
                                          "source ns.ecr: not found; target.namespaces.labels[0]: bad", 4, kT1});
}

TEST_CASE("Ready condition: lastTransitionTime moves only when Ready flips, so nothing else plans a write") {
  const ResourceStatus first = settled(outcome("Ready", ""), {}, 1, kT1);
  // The same outcome later: equal, no status write.
  const ResourceStatus again = settled(outcome("Ready", ""), first, 1, kT2);
  CHECK_FALSE(status_changed(first, again));
  // More namespaces: the status changes anyway; the transition time stays.
  const ResourceStatus wider = settled(outcome("Ready", "", {"a", "b", "c"}), first, 1, kT2);
  CHECK(status_changed(first, wider));
  CHECK(wider.conditions[0].last_transition_time == kT1);
  // A flip to False is a transition; a different failure text is not.
  const ResourceStatus failed = settled(outcome("Failed", "x"), first, 1, kT2);
  CHECK(failed.conditions[0].last_transition_time == kT2);
  const ResourceStatus other = settled(outcome("Failed", "y"), failed, 1, "2024-02-01T00:09:00Z");
  CHECK(other.conditions[0].last_transition_time == kT2);
  CHECK(other.conditions[0].message == "y");
  // A new generation is recorded (kubectl wait and kstatus compare it) without a transition.
  const ResourceStatus edited = settled(outcome("Ready", ""), first, 2, kT2);
  CHECK(status_changed(first, edited));
  CHECK(edited.observed_generation == 2);
  CHECK(edited.conditions[0].observed_generation == 2);
  CHECK(edited.conditions[0].last_transition_time == kT1);
}

TEST_CASE("Ready condition: an execution failure after a planned True flips it now; a stored False keeps its time") {
  const ResourceStatus stored_ready = settled(outcome("Ready", ""), {}, 1, kT1);
  ResourceStatus planned = settled(outcome("Ready", ""), stored_ready, 1, kT2);
  mark_failed(planned, "create a/pull: forbidden", stored_ready, kT2);
  CHECK(planned.conditions[0] ==
        Condition{"Ready", "False", "ReconciliationFailed", "create a/pull: forbidden", 1, kT2});

  const ResourceStatus stored_failed = settled(outcome("Failed", "old cause"), {}, 1, kT1);
  ResourceStatus replanned = settled(outcome("Ready", ""), stored_failed, 1, kT2);
  CHECK(replanned.conditions[0].last_transition_time == kT2);  // planned as a recovery...
  mark_failed(replanned, "create a/pull: forbidden", stored_failed, kT2);
  CHECK(replanned.conditions[0].last_transition_time == kT1);  // ...which did not happen
}

TEST_CASE("conditions of other types are kept; a status without conditions gets Ready appended") {
  auto doc = Json::parse(R"({"status":"Ready","conditions":[
      {"type":"Synced","status":"True","reason":"ArgoCD","message":"m","observedGeneration":7,
       "lastTransitionTime":"2023-01-01T00:00:00Z"},
      {"type":"Ready","status":"True","reason":"Reconciled","message":"old","observedGeneration":1,
       "lastTransitionTime":"2023-06-01T00:00:00Z"}]})");
  REQUIRE(doc.ok());
  const ResourceStatus stored = parse_status(doc->get());
  REQUIRE(stored.conditions.size() == 2);
  const ResourceStatus next = settled(outcome("Ready", ""), stored, 2, kT2);
  REQUIRE(next.conditions.size() == 2);
  CHECK(next.conditions[0] == stored.conditions[0]);
  CHECK(next.conditions[1].type == "Ready");
  CHECK(next.conditions[1].last_transition_time == "2023-06-01T00:00:00Z");
  // The original wrote no conditions: the first reconcile adds Ready (one write, once).
  const ResourceStatus from_original = parse_status(Json::parse(R"({"status":"Ready","reason":""})")->get());
  CHECK(from_original.conditions.empty());
  CHECK(status_changed(from_original, settled(outcome("Ready", ""), from_original, 1, kT1)));
}

TEST_CASE("conditions JSON: metav1.Condition's shape, read back leniently") {
  ResourceStatus s = settled(outcome("Failed", "why"), {}, 5, kT1);
  const std::string json = status_to_json(s).dump();
  CHECK(json.find(R"("observedGeneration":5,"conditions":[{"type":"Ready","status":"False",)"
                  R"("reason":"ReconciliationFailed","message":"why","observedGeneration":5,)"
                  R"("lastTransitionTime":"2024-02-01T00:00:00Z"}])") != std::string::npos);
  CHECK(parse_status(status_to_json(s).get()) == s);
  // Never written: neither field appears.
  CHECK(status_to_json(outcome("Ready", "")).dump().find("conditions") == std::string::npos);
  auto bad = Json::parse(R"({"observedGeneration":"x","conditions":[1,"s",{"status":"True"},{"type":3},
      {"type":"Ready","status":true,"observedGeneration":1e300},null]})");
  REQUIRE(bad.ok());
  const ResourceStatus lenient = parse_status(bad->get());
  CHECK(lenient.observed_generation == 0);
  REQUIRE(lenient.conditions.size() == 1);
  CHECK(lenient.conditions[0].status.empty());
  CHECK(lenient.conditions[0].observed_generation == std::numeric_limits<int64_t>::max());
  CHECK(parse_status(Json::parse(R"({"conditions":{"type":"Ready"}})")->get()).conditions.empty());
}

TEST_CASE("integers from JSON are clamped, never converted out of range") {
  auto doc = Json::parse(R"({"big":1e300,"small":-1e300,"n":42.9,"s":"7","neg":-3})");
  REQUIRE(doc.ok());
  CHECK(json_int64_or(doc->get(), "big", 0) == std::numeric_limits<int64_t>::max());
  CHECK(json_int64_or(doc->get(), "small", 0) == std::numeric_limits<int64_t>::min());
  CHECK(json_int64_or(doc->get(), "n", 0) == 42);
  CHECK(json_int64_or(doc->get(), "neg", 0) == -3);
  CHECK(json_int64_or(doc->get(), "s", 5) == 5);
  CHECK(json_int64_or(doc->get(), "absent", 5) == 5);
}

TEST_CASE("set_managed keeps managedNamespaces sorted and unique") {
  ResourceStatus s;
  set_managed(s, "b", true);
  set_managed(s, "a", true);
  set_managed(s, "c", true);
  set_managed(s, "b", true);
  CHECK(s.managed_namespaces == std::vector<std::string>{"a", "b", "c"});
  set_managed(s, "b", false);
  set_managed(s, "x", false);
  CHECK(s.managed_namespaces == std::vector<std::string>{"a", "c"});
}
