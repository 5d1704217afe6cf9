#include <doctest/doctest.h>

#include "imps/status.h"

using namespace imps;

TEST_CASE("status comparison ignores lastSuccessfulReconciliation only") {
  ResourceStatus a{"Ready", "", "t1", 10, {"a"}, {{"x.y", "Ok"}}};
  ResourceStatus b = a;
  b.last_successful_reconciliation = "t2";
  CHECK_FALSE(status_changed(a, b));
  b.validity_seconds = 11;
  CHECK(status_changed(a, b));
  ResourceStatus c = a;
  c.managed_namespaces.push_back("b");
  CHECK(status_changed(a, c));
  ResourceStatus d = a;
  d.source_secret_status["x.y"] = "broken";
  CHECK(status_changed(a, d));
}

TEST_CASE("status JSON and execution failures") {
  ResourceStatus s{"Ready", "", "t2", 10, {"a", "b"}, {{"x.y", "Ok"}}};
  CHECK(status_to_json(s).dump() ==
        R"({"status":"Ready","reason":"","lastSuccessfulReconciliation":"t2","validitySeconds":10,)"
        R"("managedNamespaces":["a","b"],"sourceSecretStatus":{"x.y":"Ok"}})");
  ResourceStatus previous;
  previous.last_successful_reconciliation = "t1";
  mark_failed(s, "create b/pull: forbidden", previous);
  mark_failed(s, "delete c/pull: timeout", previous);
  CHECK(s.status == "Failed");
  CHECK(s.reason == "create b/pull: forbidden; delete c/pull: timeout");
  CHECK(s.last_successful_reconciliation == "t1");
  CHECK(parse_status(status_to_json(s).get()) == s);
}
