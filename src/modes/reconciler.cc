#include "modes/reconciler.h"

#include "base/bytes.h"
#include "base/json.h"
#include "imps/last_good.h"
#include "kube/resource.h"
#include "obs/log.h"

namespace imps::modes {

Result<CurrentDocument> target_document(const cJSON* secret) {
  TRY_ASSIGN(DockerConfig config, secret_document(secret));
  const std::string encoded = json_string_or(json_member(secret, "data"), std::string(kDockerConfigJsonKey).c_str());
  return CurrentDocument{content_hash(encoded), std::move(config)};
}

namespace {

ReconcileResult widened() {
  ReconcileResult result;
  result.widen = true;
  return result;
}

}  // namespace

struct Reconciler::Run {
  // A copy (the cache may change while requests are in flight) whose status is the latest
  // submitted one: plans compare against what the cluster will hold, not what it held.
  ImagePullSecret resource;
  std::string ns;  // empty: the whole resource; else the one namespace planned
  MergedSources sources;
  Plan plan;
  size_t next_action = 0;  // plan.actions before it have been issued
  int pending = 0;         // issued actions not yet answered (+1 while issuing the first ones)
  bool wrote = false;
  std::vector<std::string> failures;
  ReconcileResult result;
  std::string now_rfc3339;  // the plan's time, also when execution failures change the Ready condition
  std::function<void(ReconcileResult)> done;
};

void Reconciler::reconcile(const std::string& name, std::string_view ns, std::function<void(ReconcileResult)> done) {
  const ImagePullSecret* resource = cache_.find_resource(name);
  if (!resource) {
    done(ReconcileResult{});
    return;
  }
  if (!ns.empty() && (resource->deleting || !resource->spec_errors.empty() ||
                      status_.latest(*resource).status != kStatusReady)) {
    done(widened());
    return;
  }
  std::vector<const SourceSecret*> secrets;
  for (const SourceRef& ref : resource->spec.credentials) secrets.push_back(sources_.find(ref.namespace_name, ref.name));
  if (ecr_.first_tokens_pending(name, secrets)) {
    done(ReconcileResult{});
    return;
  }
  auto run = std::make_shared<Run>();
  run->resource = *resource;
  run->resource.status = status_.latest(*resource);
  run->ns = ns;
  run->done = std::move(done);
  run->result.reconciled = true;

  std::vector<SourceOutcome> outcomes;
  {
    auto scope = ecr_.user_scope(name);
    for (size_t i = 0; i < secrets.size(); ++i)
      outcomes.push_back(resolve_source(resource->spec.credentials[i], secrets[i], ecr_));
  }
  run->sources = merge_sources(outcomes);
  if (!run->ns.empty() && !run->sources.all_ok) return widen(run);  // kept credentials: the whole resource's
  for (const auto& [key, text] : run->sources.status)
    if (text != kSourceOk)
      events_.record(run->resource, {EventType::Warning, "SourceCredentialsError", "source " + key + ": " + text});
  if (run->sources.all_ok) {
    current_documents_.erase(run->resource.uid);
    plan_and_execute(run);
    return;
  }
  with_current_document(run, [this, run] { plan_and_execute(run); });
}

void Reconciler::with_current_document(const std::shared_ptr<Run>& run, std::function<void()> then) {
  // One of the resource's Secrets stands for all of them: they are written from one document.
  const ObservedSecret* target = nullptr;
  for (const ObservedSecret* s : cache_.observed_for(run->resource, cache_.selected_namespaces(run->resource)))
    if (s->owner_uid == run->resource.uid && s->has_data && !s->deleting) {
      target = s;
      break;
    }
  if (!target) return then();  // nothing written yet: nothing to keep
  auto known = current_documents_.find(run->resource.uid);
  if (known != current_documents_.end() && known->second.data_hash == target->data_hash) {
    keep_last_good(run, known->second.config);
    return then();
  }
  client_.get(kube::kSecrets, target->namespace_name, target->name,
              [this, run, then = std::move(then)](Result<Json> found) {
                auto document = found.ok() ? target_document(found->get()) : Result<CurrentDocument>(found.error());
                if (!document.ok()) {
                  // Without the current credentials a write could drop some: write nothing, retry.
                  run->result.status = make_error(document.error().kind, "reconcile " + run->resource.name +
                                                                             ": reading the current Secret: " +
                                                                             document.error().message);
                  return finish(run);
                }
                keep_last_good(run, document->config);
                current_documents_.insert_or_assign(run->resource.uid, std::move(document).value());
                then();
              });
}

void Reconciler::keep_last_good(const std::shared_ptr<Run>& run, const DockerConfig& current) {
  const int64_t now = clock_.wall_unix_ms() / 1000;
  KeptCredentials kept = imps::keep_last_good(run->sources.config, current, now);
  run->sources.config = std::move(kept.config);
  if (kept.earliest_expiry == 0) return;
  int64_t& earliest = run->sources.earliest_expiry;
  if (earliest == 0 || kept.earliest_expiry < earliest) earliest = kept.earliest_expiry;
  // Reconciled again when the kept entry expires, so that it leaves the Secret then.
  run->result.requeue_after_ms = imps::ms_until_kept_expiry(kept, now);
}

void Reconciler::plan_and_execute(const std::shared_ptr<Run>& run) {
  const ImagePullSecret& resource = run->resource;
  PlanInput input;
  input.resource = &resource;
  if (run->ns.empty()) {
    input.selected_namespaces = cache_.selected_namespaces(resource);
    input.terminating_namespaces = cache_.terminating_namespaces();
    input.observed = cache_.observed_for(resource, input.selected_namespaces);
  } else {
    if (cache_.selects_namespace(resource, run->ns)) input.selected_namespaces.push_back(run->ns);
    const NamespaceInfo* info = cache_.namespaces.find(run->ns);
    if (info && info->terminating) input.terminating_namespaces.insert(run->ns);
    input.observed = cache_.observed_in(resource, run->ns);
  }
  input.sources = &run->sources;
  input.find_resource = [this](std::string_view uid) { return cache_.find_by_uid(uid); };
  if (auto problems = cache_.service_account_problems.find(resource.name); problems != cache_.service_account_problems.end())
    for (const auto& [account, text] : problems->second) input.other_problems.push_back(text);
  int64_t now_ms = clock_.wall_unix_ms();
  input.now = now_ms / 1000;
  input.now_rfc3339 = format_rfc3339(input.now);
  run->now_rfc3339 = input.now_rfc3339;
  run->plan = plan(input);
  if (!run->ns.empty() && !run->plan.conflicts.empty()) return widen(run);  // the reason lists them all

  // Logged when the status (whose reason lists them) changes, not on every reconcile.
  for (const Conflict& conflict : run->plan.write_status ? run->plan.conflicts : std::vector<Conflict>{})
    obs::warn("secret conflict", {{"imagepullsecret", resource.name}, {"namespace", conflict.namespace_name},
                                  {"name", conflict.name}, {"reason", conflict.reason}});

  run->pending = 1;  // held until the first actions have been issued
  issue_actions(run);
  step_done(run);
}

void Reconciler::issue_actions(const std::shared_ptr<Run>& run) {
  while (run->next_action < run->plan.actions.size() && run->pending < kActionsInFlight) {
    ++run->pending;
    execute(run, run->plan.actions[run->next_action++]);
  }
}

void Reconciler::execute(const std::shared_ptr<Run>& run, const Action& action) {
  switch (action.kind) {
    case ActionKind::Create:
      create(run, action);
      return;
    case ActionKind::Update:
      client_.merge_patch(kube::kSecrets, action.namespace_name, action.name, action.body,
                          [this, run, &action](Result<Json> answer) { stored(run, action, std::move(answer)); });
      return;
    case ActionKind::Recreate:
      remove(run, action, [this, run, &action] { create(run, action); });
      return;
    case ActionKind::Delete:
      remove(run, action, [this, run, &action] {
        obs::info("secret deleted", {{"imagepullsecret", run->resource.name},
                                     {"namespace", action.namespace_name}, {"name", action.name}});
        run->wrote = true;
        step_done(run);
      });
      return;
  }
}

void Reconciler::create(const std::shared_ptr<Run>& run, const Action& action) {
  // Built per request and gone once the client has serialised it: N creates hold one tree at most.
  Json body = create_body(*action.secret, action.namespace_name);
  client_.create(kube::kSecrets, action.namespace_name, body, [this, run, &action](Result<Json> answer) {
    if (answer.ok() || answer.error().kind != ErrorKind::AlreadyExists) {
      stored(run, action, std::move(answer));
      return;
    }
    // Not in our label-selected cache: someone else's Secret, or ours created a moment ago.
    client_.get(kube::kSecrets, action.namespace_name, action.name, [this, run, &action](Result<Json> found) {
      if (!found.ok()) {
        failed(run, action, found.error());
        return;
      }
      auto observed = observe_secret(found->get());
      if (observed.ok()) {
        std::string key = secret_key(action.namespace_name, action.name);
        if (observed->owner_uid.empty())
          cache_.foreign.insert_or_assign(std::move(key), std::move(observed).value());
        else
          cache_.store_managed(std::move(observed).value());
      }
      run->result.again = true;
      step_done(run);
    });
  });
}

void Reconciler::remove(const std::shared_ptr<Run>& run, const Action& action, std::function<void()> then) {
  client_.remove(kube::kSecrets, action.namespace_name, action.name, kube::Preconditions{action.uid, action.resource_version},
                 [this, run, &action, then](Result<Json> answer) {
                   if (!answer.ok() && answer.error().kind != ErrorKind::NotFound) {
                     failed(run, action, answer.error());
                     return;
                   }
                   cache_.managed.erase(secret_key(action.namespace_name, action.name));
                   then();
                 });
}

void Reconciler::stored(const std::shared_ptr<Run>& run, const Action& action, Result<Json> answer) {
  if (!answer.ok()) {
    failed(run, action, answer.error());
    return;
  }
  auto observed = observe_secret(answer->get());
  if (observed.ok()) {
    cache_.foreign.erase(secret_key(action.namespace_name, action.name));
    cache_.store_managed(std::move(observed).value());
  }
  obs::info("secret written", {{"imagepullsecret", run->resource.name}, {"namespace", action.namespace_name},
                               {"name", action.name}, {"action", to_string(action.kind)}});
  run->wrote = true;
  step_done(run);
}

void Reconciler::failed(const std::shared_ptr<Run>& run, const Action& action, const Error& error) {
  std::string what = std::string(to_string(action.kind)) + " Secret " + action.namespace_name + "/" + action.name +
                     ": " + error.message;
  obs::warn("secret write failed", {{"imagepullsecret", run->resource.name}, {"namespace", action.namespace_name},
                                    {"name", action.name}, {"action", to_string(action.kind)},
                                    {"error", error.message}});
  events_.record(run->resource, {EventType::Warning,
                                 action.kind == ActionKind::Delete ? "SecretDeletionError" : "SecretReconciliationError",
                                 what});
  run->failures.push_back(std::move(what));
  if (run->result.status.ok())  // the first failure decides the retry
    run->result.status = make_error(error.kind, "reconcile " + run->resource.name + ": " + error.message, error.code);
  step_done(run);
}

void Reconciler::step_done(const std::shared_ptr<Run>& run) {
  --run->pending;
  issue_actions(run);
  if (run->pending > 0) return;
  ResourceStatus& status = run->plan.status;
  if (!run->ns.empty()) {
    // Only this namespace's entry is the plan's; the rest is the latest status now (another
    // reconcile may have submitted one since this plan was made).
    const ImagePullSecret* current = cache_.find_resource(run->resource.name);
    if (current && current->uid == run->resource.uid) run->resource.status = status_.latest(*current);
    bool managed = !status.managed_namespaces.empty();
    status.managed_namespaces = run->resource.status.managed_namespaces;
    set_managed(status, run->ns, managed);
    // The Ready condition's message counts the managed namespaces: derive it from the whole list.
    set_ready_condition(status, run->resource.status, run->resource.generation, run->now_rfc3339);
  }
  const ResourceStatus& previous = run->resource.status;
  for (const std::string& failure : run->failures) mark_failed(status, failure, previous, run->now_rfc3339);
  bool changed = status_changed(previous, status);
  bool stamp = run->wrote && status.last_successful_reconciliation != previous.last_successful_reconciliation;
  if (changed || stamp) status_.submit(run->resource, status);
  finish(run);
}

void Reconciler::widen(const std::shared_ptr<Run>& run) {
  auto done = std::move(run->done);
  done(widened());
}

void Reconciler::finish(const std::shared_ptr<Run>& run) {
  const ResourceStatus& status = run->plan.status;
  if (status.status == kStatusFailed)
    events_.record(run->resource, {EventType::Warning, "ReconciliationFailed", status.reason});
  else if (run->resource.status.status != kStatusReady && run->result.status.ok())
    events_.record(run->resource, {EventType::Normal, "Reconciled",
                                   "Secret " + run->resource.spec.target.secret.name + " written to " +
                                       std::to_string(status.managed_namespaces.size()) + " namespace(s)"});
  auto done = std::move(run->done);
  done(std::move(run->result));
}

}  // namespace imps::modes
