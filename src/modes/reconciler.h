// One reconcile of one ImagePullSecret: read the cache, plan (imps/planner.h), execute the
// actions through the API client, hand the status to the StatusWriter when it changed, and
// record Events. Everything is asynchronous on the loop; `done` runs once every Secret request
// has answered (the status write is the writer's, coalesced and sent later).
//
// Writes, at most kActionsInFlight of a reconcile at a time: create (AlreadyExists → GET the
// Secret: someone else's is remembered as foreign and reported by the next plan; ours is
// stored), merge patch carrying the observed resourceVersion, delete with uid precondition
// (recreate = delete, then create). Each successful answer updates the cache at once, so a
// reconcile right after sees its own writes before their watch echoes.
// Status: submitted when status_changed() against the latest submitted status (or the cached
// one), or when Secrets were written (lastSuccessfulReconciliation then moves too) — so an
// unchanged cluster costs no writes, not even on a resync.
// ECR: while a first token of one of its credential sets is being fetched nothing is planned
// (`reconciled` false); the token's arrival, like every later token change, notifies the
// controller through EcrTokens, which records the sets each resource uses.
// Failing sources (spec §12): their entries stay as the target Secrets hold them
// (imps/last_good.h): the reconciler reads one target Secret back (a GET, once per change of its
// data) and plans from the working sources plus what it keeps, so a failure alone writes nothing.
// Does not: retry (the controller requeues with backoff when `done` reports an error).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "imps/planner.h"
#include "kube/client.h"
#include "modes/controller_cache.h"
#include "modes/ecr_token_source.h"
#include "modes/event_recorder.h"
#include "modes/source_watches.h"
#include "modes/status_writer.h"

namespace imps::modes {

struct ReconcileResult {
  Status status;             // an API request failed: retry with backoff
  bool again = false;        // the cache learned something the plan must see: reconcile again now
  bool reconciled = false;   // false when there was nothing to do (resource gone, tokens pending)
  Millis requeue_after_ms = 0;  // > 0: reconcile again then (a kept credential expires)
  bool widen = false;  // a plan of one namespace could not decide alone: reconcile the whole resource
};

// A target Secret's .dockerconfigjson: the hash the cache knows it by, and its entries.
struct CurrentDocument {
  uint64_t data_hash = 0;
  DockerConfig config;
};
Result<CurrentDocument> target_document(const cJSON* secret);

// Actions of one reconcile awaiting their answers at most: the rest wait in the plan, not as
// queued requests with serialised bodies in the client (4,868 creates of a first sync held ~9 MiB
// there). Far above the client's write window (4), so the rate limit stays the only brake, and
// writes waiting out a Retry-After in some namespaces leave room for the others.
inline constexpr int kActionsInFlight = 64;

class Reconciler {
 public:
  Reconciler(kube::Client& client, ControllerCache& cache, SourceWatches& sources, EcrTokens& ecr,
             EventRecorder& events, StatusWriter& status, const Clock& clock)
      : client_(client), cache_(cache), sources_(sources), ecr_(ecr), events_(events), status_(status),
        clock_(clock) {}

  // `ns` empty: the whole resource. Otherwise only that namespace (its selection or pods
  // changed): planned and written alone, its entry of managedNamespaces updated in the latest
  // status. Anything that needs the whole picture (a status that is not Ready, a failing source,
  // a conflict, an invalid or deleted resource) is left to a whole reconcile (`widen`).
  void reconcile(const std::string& name, std::string_view ns, std::function<void(ReconcileResult)> done);

 private:
  struct Run;
  // While a source fails (imps/last_good.h): fetches the current document of the resource's
  // Secrets (once per change of their data) and keeps what no working source supplies.
  void with_current_document(const std::shared_ptr<Run>& run, std::function<void()> then);
  void keep_last_good(const std::shared_ptr<Run>& run, const DockerConfig& current);
  void plan_and_execute(const std::shared_ptr<Run>& run);
  // Issues the plan's next actions while fewer than kActionsInFlight await their answers.
  void issue_actions(const std::shared_ptr<Run>& run);
  // `action` lives in run->plan, which every callback keeps alive through `run`.
  void execute(const std::shared_ptr<Run>& run, const Action& action);
  void create(const std::shared_ptr<Run>& run, const Action& action);
  void remove(const std::shared_ptr<Run>& run, const Action& action, std::function<void()> then);
  void stored(const std::shared_ptr<Run>& run, const Action& action, Result<Json> answer);
  void failed(const std::shared_ptr<Run>& run, const Action& action, const Error& error);
  void step_done(const std::shared_ptr<Run>& run);
  void finish(const std::shared_ptr<Run>& run);
  void widen(const std::shared_ptr<Run>& run);  // nothing done; the whole resource must be planned

  kube::Client& client_;
  ControllerCache& cache_;
  SourceWatches& sources_;
  EcrTokens& ecr_;
  EventRecorder& events_;
  StatusWriter& status_;
  const Clock& clock_;
  // By resource uid, only while one of its sources fails.
  std::map<std::string, CurrentDocument, std::less<>> current_documents_;
};

}  // namespace imps::modes
