// ControllerMetrics: the series it exposes and how counters kept elsewhere are copied in.
#include <doctest/doctest.h>

#include "modes/controller_metrics.h"

using namespace imps;
using namespace imps::modes;

namespace {

bool has_line(const std::string& exposition, const std::string& line) {
  return exposition.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("controller metrics: API requests by verb and code, \"error\" when no answer came") {
  obs::Registry registry;
  ControllerMetrics metrics(registry);
  kube::RequestCounts counts;
  counts.list = 4;  // sent totals are not exported: only answers have a code
  counts.answered[{kube::Verb::List, 200}] = 3;
  counts.answered[{kube::Verb::List, kube::kNoAnswer}] = 1;
  counts.answered[{kube::Verb::Watch, 200}] = 2;
  counts.answered[{kube::Verb::Delete, 404}] = 1;
  metrics.sync_requests(counts);
  std::string text = registry.expose();
  CHECK(has_line(text, "# TYPE imps_api_requests_total counter"));
  CHECK(has_line(text, R"(imps_api_requests_total{verb="list",code="200"} 3)"));
  CHECK(has_line(text, R"(imps_api_requests_total{verb="list",code="error"} 1)"));
  CHECK(has_line(text, R"(imps_api_requests_total{verb="watch",code="200"} 2)"));
  CHECK(has_line(text, R"(imps_api_requests_total{verb="delete",code="404"} 1)"));
  CHECK(text.find(R"(verb="get")") == std::string::npos);  // no answer yet, no series

  SUBCASE("syncing again adds only what grew") {
    counts.answered[{kube::Verb::List, 200}] = 5;
    metrics.sync_requests(counts);
    metrics.sync_requests(counts);
    text = registry.expose();
    CHECK(has_line(text, R"(imps_api_requests_total{verb="list",code="200"} 5)"));
    CHECK(has_line(text, R"(imps_api_requests_total{verb="watch",code="200"} 2)"));
  }
  SUBCASE("the refresher's path exports the same series") {
    obs::Registry other;
    sync_api_requests(other, counts);
    CHECK(has_line(other.expose(), R"(imps_api_requests_total{verb="list",code="error"} 1)"));
  }
}

TEST_CASE("controller metrics: reconciles by result with their durations, managed Secrets, reflector counters") {
  obs::Registry registry;
  ControllerMetrics metrics(registry);
  metrics.reconciled(ReconcileOutcome::Success, 0.002);
  metrics.reconciled(ReconcileOutcome::Requeue, 0.3);
  metrics.reconciled(ReconcileOutcome::Error, 20);
  metrics.managed_secrets(7);
  metrics.sync_reflector("pods", kube::ReflectorCounters{2, 1});
  std::string text = registry.expose();
  CHECK(has_line(text, R"(imps_reconciles_total{result="success"} 2)"));
  CHECK(has_line(text, R"(imps_reconciles_total{result="error"} 1)"));
  CHECK(has_line(text, R"(imps_reconcile_duration_seconds_bucket{le="0.005"} 1)"));
  CHECK(has_line(text, R"(imps_reconcile_duration_seconds_bucket{le="0.5"} 2)"));
  CHECK(has_line(text, R"(imps_reconcile_duration_seconds_bucket{le="+Inf"} 3)"));
  CHECK(has_line(text, "imps_reconcile_duration_seconds_count 3"));
  CHECK(has_line(text, "imps_managed_secrets 7"));
  CHECK(has_line(text, R"(imps_watch_restarts_total{resource="pods"} 1)"));
  CHECK(has_line(text, R"(imps_relists_total{resource="pods"} 2)"));
}

TEST_CASE("controller metrics: controller-runtime and workqueue families from the same events") {
  obs::Registry registry;
  ControllerMetrics metrics(registry);
  std::string text = registry.expose();
  // Every result is there from the start, as controller-runtime initialises them.
  for (const char* result : {"success", "error", "requeue", "requeue_after"})
    CHECK(has_line(text, std::string(R"(controller_runtime_reconcile_total{controller="imagepullsecrets",result=")") +
                             result + "\"} 0"));
  CHECK(has_line(text, R"(workqueue_depth{name="imagepullsecrets"} 0)"));

  metrics.reconciled(ReconcileOutcome::Success, 0.002);
  metrics.reconciled(ReconcileOutcome::Requeue, 0.3);
  metrics.reconciled(ReconcileOutcome::Error, 20);
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  queue.failed("a");
  metrics.sync_queue(queue);
  metrics.sync_queue(queue);  // copying in twice adds nothing
  text = registry.expose();
  CHECK(has_line(text, R"(controller_runtime_reconcile_total{controller="imagepullsecrets",result="success"} 1)"));
  CHECK(has_line(text, R"(controller_runtime_reconcile_total{controller="imagepullsecrets",result="requeue"} 1)"));
  CHECK(has_line(text, R"(controller_runtime_reconcile_total{controller="imagepullsecrets",result="error"} 1)"));
  CHECK(has_line(text, R"(controller_runtime_reconcile_errors_total{controller="imagepullsecrets"} 1)"));
  CHECK(has_line(text, R"(controller_runtime_reconcile_time_seconds_count{controller="imagepullsecrets"} 3)"));
  CHECK(has_line(text, R"(controller_runtime_reconcile_time_seconds_bucket{controller="imagepullsecrets",le="0.5"} 2)"));
  CHECK(has_line(text, R"(imps_reconciles_total{result="success"} 2)"));  // a requeue is a success
  CHECK(has_line(text, R"(workqueue_depth{name="imagepullsecrets"} 2)"));
  CHECK(has_line(text, R"(workqueue_adds_total{name="imagepullsecrets"} 2)"));
  CHECK(has_line(text, R"(workqueue_retries_total{name="imagepullsecrets"} 1)"));
}
