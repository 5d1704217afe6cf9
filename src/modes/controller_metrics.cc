#include "modes/controller_metrics.h"

namespace imps::modes {
namespace {

constexpr std::string_view kReconciles = "imps_reconciles_total";
constexpr std::string_view kReconcilesHelp = "Reconciles of ImagePullSecrets by result.";
constexpr std::string_view kRequests = "imps_api_requests_total";
constexpr std::string_view kRequestsHelp =
    "Kubernetes API requests answered, retries included, by verb and HTTP status (\"error\": no answer).";

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
      managed_(&registry.gauge("imps_managed_secrets", "Secrets imps currently manages.")) {}

void ControllerMetrics::reconciled(bool ok, double seconds) {
  (ok ? success_ : error_)->inc();
  duration_->observe(seconds);
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

void ControllerMetrics::sync_reflector(const std::string& resource, const kube::ReflectorCounters& counters) {
  catch_up(registry_.counter("imps_watch_restarts_total", "Watches re-opened after the first, by resource.",
                             {{"resource", resource}}),
           counters.watch_restarts);
  catch_up(registry_.counter("imps_relists_total", "Lists after the first, by resource.", {{"resource", resource}}),
           counters.relists);
}

}  // namespace imps::modes
