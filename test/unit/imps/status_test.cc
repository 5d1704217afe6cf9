#include <doctest/doctest.h>

#include <limits>

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
