// The controller's Prometheus series (spec: imps_reconciles_total{result},
// imps_reconcile_duration_seconds, imps_managed_secrets, imps_api_requests_total{verb,code},
// imps_watch_restarts_total{resource}, imps_relists_total{resource}). Counters kept elsewhere
// (the client's request counts, the reflectors' counters) are copied in by sync_* before each
// exposition, since a Counter can only be incremented.
// imps_api_requests_total counts answered requests (code = HTTP status, "error" when none came);
// the refresher exports it too, through sync_api_requests.
// Beside them, from the same events, the controller-runtime and client-go workqueue families the
// Go original exposed, so that its dashboards and alerts keep working:
// controller_runtime_reconcile_total{controller,result}, controller_runtime_reconcile_errors_total,
// controller_runtime_reconcile_time_seconds, workqueue_depth{name}, workqueue_adds_total,
// workqueue_retries_total (controller and queue name: imagepullsecrets, the original's).
#pragma once

#include <map>
#include <string>

#include "http/connection_budget.h"
#include "kube/client.h"
#include "kube/reflector_state.h"
#include "modes/work_queue.h"
#include "obs/metrics.h"

namespace imps::modes {

// Brings imps_api_requests_total{verb,code} up to `counts.answered`.
void sync_api_requests(obs::Registry& registry, const kube::RequestCounts& counts);
// imps_connections{part}, imps_connection_limit{part} and
// imps_connection_budget_refusals_total{part} from the descriptor budget (both modes).
void sync_connection_budget(obs::Registry& registry, const http::ConnectionBudget& budget);

// Requeue: succeeded but asked to run again at once (controller-runtime's result="requeue").
enum class ReconcileOutcome { Success, Requeue, Error };

class ControllerMetrics {
 public:
  explicit ControllerMetrics(obs::Registry& registry);

  void reconciled(ReconcileOutcome outcome, double seconds);
  void sync_queue(const WorkQueue& queue);
  void managed_secrets(size_t count) { managed_->set(static_cast<double>(count)); }
  void sync_requests(const kube::RequestCounts& counts) { sync_api_requests(registry_, counts); }
  // `resource` is one of a fixed vocabulary (imagepullsecrets, namespaces, pods, ...).
  void sync_reflector(const std::string& resource, const kube::ReflectorCounters& counters);

 private:
  obs::Registry& registry_;
  obs::Counter* success_;
  obs::Counter* error_;
  obs::Histogram* duration_;
  obs::Gauge* managed_;
  // controller-runtime's names for the same events
  obs::Counter* runtime_success_;
  obs::Counter* runtime_requeue_;
  obs::Counter* runtime_error_;
  obs::Counter* runtime_errors_;
  obs::Histogram* runtime_time_;
  obs::Gauge* queue_depth_;
  obs::Counter* queue_adds_;
  obs::Counter* queue_retries_;
};

}  // namespace imps::modes
