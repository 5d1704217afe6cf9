#include "modes/controller_metrics.h"

namespace imps::modes {
namespace {

constexpr std::string_view kReconciles = "imps_reconciles_total";
constexpr std::string_view kReconcilesHelp = "Reconciles of ImagePullSecrets by result.";
constexpr std::string_view kRequests = "imps_api_requests_total";
constexpr std::string_view kRequestsHelp = "Kubernetes API requests sent, retries included, by verb.";

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
      managed_(&registry.gauge("imps_managed_secrets", "Secrets imps currently manages.")) {
  sync_requests({});
}

void ControllerMetrics::reconciled(bool ok, double seconds) {
  (ok ? success_ : error_)->inc();
  duration_->observe(seconds);
}

void ControllerMetrics::sync_requests(const kube::RequestCounts& counts) {
  const std::pair<const char*, uint64_t> verbs[] = {{"get", counts.get},       {"list", counts.list},
                                                     {"watch", counts.watch},   {"create", counts.create},
                                                     {"update", counts.update}, {"patch", counts.patch},
                                                     {"delete", counts.remove}};
  for (const auto& [verb, total] : verbs) catch_up(registry_.counter(kRequests, kRequestsHelp, {{"verb", verb}}), total);
}

void ControllerMetrics::sync_reflector(const std::string& resource, const kube::ReflectorCounters& counters) {
  catch_up(registry_.counter("imps_watch_restarts_total", "Watches re-opened after the first, by resource.",
                             {{"resource", resource}}),
           counters.watch_restarts);
  catch_up(registry_.counter("imps_relists_total", "Lists after the first, by resource.", {{"resource", resource}}),
           counters.relists);
}

}  // namespace imps::modes
