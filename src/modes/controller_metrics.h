// The controller's Prometheus series (spec: imps_reconciles_total{result},
// imps_reconcile_duration_seconds, imps_managed_secrets, imps_api_requests_total{verb,code},
// imps_watch_restarts_total{resource}, imps_relists_total{resource}). Counters kept elsewhere
// (the client's request counts, the reflectors' counters) are copied in by sync_* before each
// exposition, since a Counter can only be incremented.
// imps_api_requests_total counts answered requests (code = HTTP status, "error" when none came);
// the refresher exports it too, through sync_api_requests.
#pragma once

#include <map>
#include <string>

#include "kube/client.h"
#include "kube/reflector_state.h"
#include "obs/metrics.h"

namespace imps::modes {

// Brings imps_api_requests_total{verb,code} up to `counts.answered`.
void sync_api_requests(obs::Registry& registry, const kube::RequestCounts& counts);

class ControllerMetrics {
 public:
  explicit ControllerMetrics(obs::Registry& registry);

  void reconciled(bool ok, double seconds);
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
};

}  // namespace imps::modes
