// `imps --mode=refresher`: merges named source Secrets into one target pull Secret in one
// namespace and keeps it fresh, with namespaced permissions only (get/list/watch the sources;
// get/create/update/patch/delete the target; create events).
//  - Sources are watched narrowly (source_watches.h: per namespace, fieldSelector by name).
//  - A reconcile renders the sources (same formats and merge as the controller), GETs the target
//    and creates, patches or recreates it only when its data differs (refresher_secret.h).
//  - Triggers: a source changed, an ECR token changed (ecr_token_source.h notifies), the periodic
//    resync, and retries with exponential backoff and jitter after a failed write.
//  - While an ECR source's first token is still being fetched nothing is written (its arrival
//    triggers the next reconcile); a failing source's entries stay in the target until the source
//    recovers or they expire (imps/last_good.h), and a failure alone writes nothing.
//  - Problems go to logs, metrics (imps_refresher_reconciles_total{result}) and Warning Events
//    on the target Secret (once per message per resync period).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "app/config.h"
#include "base/random.h"
#include "kube/client.h"
#include "loop/event_loop.h"
#include "modes/ecr_token_source.h"
#include "modes/refresher_secret.h"
#include "modes/source_watches.h"
#include "obs/metrics.h"

namespace imps::modes {

struct RefresherOptions {
  app::ObjectRef target;
  std::vector<app::ObjectRef> sources;  // merge order: later wins
  Millis resync_interval_ms = 300'000;
};

class Refresher {
 public:
  Refresher(loop::EventLoop& loop, kube::Client& client, Random& random, obs::Registry& registry,
            EcrTokens& ecr, RefresherOptions options);
  ~Refresher();
  Refresher(const Refresher&) = delete;
  Refresher& operator=(const Refresher&) = delete;

  void start();
  // The sources' first lists are in (for /readyz).
  bool ready() const { return sources_.all_synced(); }

 private:
  void schedule();
  void reconcile();
  // While a source fails (imps/last_good.h) the target's entries no working source supplies are
  // kept, until they expire (expiry_timer_ runs the refresher again then).
  void write(MergedSources merged, Result<Json> current);
  void keep_last_good(MergedSources& merged, const Json& current);
  void idle();  // this run is over: run again if something changed meanwhile
  void written(Status status);
  void report(bool warning, const std::string& reason, const std::string& message);

  loop::EventLoop& loop_;
  kube::Client& client_;
  Random& random_;
  EcrTokens& ecr_;
  RefresherOptions options_;
  SourceWatches sources_;
  obs::Counter& success_;
  obs::Counter& failure_;
  loop::Timer retry_timer_, resync_timer_, expiry_timer_;
  int failures_ = 0;
  bool running_ = false;  // a reconcile is in flight
  bool again_ = false;    // something changed meanwhile: reconcile once more when it ends
  bool synced_logged_ = false;
  std::string target_uid_;
  std::set<std::string> reported_;  // events sent this resync period
  uint64_t last_event_nanos_ = 0;
};

}  // namespace imps::modes
