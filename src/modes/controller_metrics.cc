#include "modes/controller_metrics.h"

namespace imps::modes {
namespace {

constexpr std::string_view kReconciles = "imps_reconciles_total";
constexpr std::string_view kReconcilesHelp = "Reconciles of ImagePullSecrets by result.";
constexpr std::string_view kRequests = "imps_api_requests_total";
constexpr std::string_view kRequestsHelp =
    "Kubernetes API requests answered, retries included, by verb and HTTP status (\"error\": no answer).";
// The original's controller and queue name, which its dashboards select on.
constexpr std::string_view kController = "imagepullsecrets";
constexpr std::string_view kRuntimeReconciles = "controller_runtime_reconcile_total";
constexpr std::string_view kRuntimeReconcilesHelp = "Total number of reconciliations per controller";

obs::Labels controller_labels(std::string_view result = {}) {
  obs::Labels labels{{"controller", std::string(kController)}};
  if (!result.empty()) labels.emplace_back("result", result);
  return labels;
}

// Counters mirror totals kept elsewhere: add what grew since the last copy.
void catch_up(obs::Counter& counter, uint64_t total) {
  counter.inc(static_cast<double>(total) - counter.value());
}

}  // namespace

ControllerMetrics::ControllerMetrics(obs::Registry& registry)
    : registry_(registry),
      success_(&registry.counter(kReconciles, kReconcilesHelp, {{"result", "success"}})),
      error_(&registry.counter(kReconciles, kReconcilesHelp, {{"result", "error"}})),
      duration_(&registry.histogram("imps_reconcile_duration_seconds", "Time from the start of a reconcile to its last answer.",
                                    obs::kLatencyBucketsSeconds)),
      managed_(&registry.gauge("imps_managed_secrets", "Secrets imps currently manages.")),
      runtime_success_(&registry.counter(kRuntimeReconciles, kRuntimeReconcilesHelp, controller_labels("success"))),
      runtime_requeue_(&registry.counter(kRuntimeReconciles, kRuntimeReconcilesHelp, controller_labels("requeue"))),
      runtime_error_(&registry.counter(kRuntimeReconciles, kRuntimeReconcilesHelp, controller_labels("error"))),
      runtime_errors_(&registry.counter("controller_runtime_reconcile_errors_total",
                                        "Total number of reconciliation errors per controller", controller_labels())),
      runtime_time_(&registry.histogram("controller_runtime_reconcile_time_seconds",
                                        "Length of time per reconciliation per controller", obs::kLatencyBucketsSeconds,
                                        controller_labels())),
      queue_depth_(&registry.gauge("workqueue_depth", "Current depth of workqueue", {{"name", std::string(kController)}})),
      queue_adds_(&registry.counter("workqueue_adds_total", "Total number of adds handled by workqueue",
                                    {{"name", std::string(kController)}})),
      queue_retries_(&registry.counter("workqueue_retries_total", "Total number of retries handled by workqueue",
                                       {{"name", std::string(kController)}})) {
  // controller-runtime exposes every result from the start; requeue_after never happens here
  // (retries are the queue's), so it stays 0.
  registry.counter(kRuntimeReconciles, kRuntimeReconcilesHelp, controller_labels("requeue_after"));
}

void ControllerMetrics::reconciled(ReconcileOutcome outcome, double seconds) {
  const bool ok = outcome != ReconcileOutcome::Error;
  (ok ? success_ : error_)->inc();
  duration_->observe(seconds);
  switch (outcome) {
    case ReconcileOutcome::Success: runtime_success_->inc(); break;
    case ReconcileOutcome::Requeue: runtime_requeue_->inc(); break;
    case ReconcileOutcome::Error:
      runtime_error_->inc();
      runtime_errors_->inc();
      break;
  }
  runtime_time_->observe(seconds);
}

void ControllerMetrics::sync_queue(const WorkQueue& queue) {
  queue_depth_->set(static_cast<double>(queue.waiting()));
  catch_up(*queue_adds_, queue.adds());
  catch_up(*queue_retries_, queue.retries());
}

void sync_api_requests(obs::Registry& registry, const kube::RequestCounts& counts) {
  // Series appear as answers do: a (verb, code) pair never seen has no series, as in client-go.
  for (const auto& [key, total] : counts.answered) {
    const auto& [verb, status] = key;
    std::string code = status == kube::kNoAnswer ? "error" : std::to_string(status);
    catch_up(registry.counter(kRequests, kRequestsHelp, {{"verb", kube::verb_name(verb)}, {"code", std::move(code)}}),
             total);
  }
}

void sync_connection_budget(obs::Registry& registry, const http::ConnectionBudget& budget) {
  for (size_t i = 0; i < http::kParts; ++i) {
    const auto part = static_cast<http::Part>(i);
    const http::PartUsage& usage = budget.usage(part);
    const obs::Labels labels = {{"part", std::string(http::part_name(part))}};
    registry.gauge("imps_connections", "Open connections by part of the descriptor budget.", labels)
        .set(static_cast<double>(usage.open));
    registry.gauge("imps_connection_limit", "Connections each part of the descriptor budget may hold.", labels)
        .set(static_cast<double>(usage.limit));
    catch_up(registry.counter("imps_connection_budget_refusals_total",
                              "Connections not opened because their part of the descriptor budget was full.", labels),
             usage.refusals);
  }
}

void ControllerMetrics::sync_reflector(const std::string& resource, const kube::ReflectorCounters& counters) {
  catch_up(registry_.counter("imps_watch_restarts_total", "Watches re-opened after the first, by resource.",
                             {{"resource", resource}}),
           counters.watch_restarts);
  catch_up(registry_.counter("imps_relists_total", "Lists after the first, by resource.", {{"resource", resource}}),
           counters.relists);
}

}  // namespace imps::modes
