#include "modes/refresher.h"

#include <algorithm>
#include <map>

#include "base/bytes.h"
#include "base/memory.h"
#include "imps/last_good.h"
#include "kube/resource.h"
#include "obs/log.h"

namespace imps::modes {
namespace {

// The refresher's one user of ECR tokens (ecr_token_source.h).
constexpr std::string_view kUser = "refresher";
// A failed write is usually a brief API hiccup or a lost race: try again soon, but never wait
// longer than the default resync.
constexpr Millis kRetryInitialMs = 1'000;
constexpr Millis kRetryMaxMs = 300'000;
// Doublings beyond this are capped anyway.
constexpr int kMaxDoublings = 20;
// Events remembered per resync period; far above the handful of distinct problems one target has.
constexpr size_t kMaxReportedEvents = 256;

Status status_of(const Result<Json>& result) {
  if (result.ok()) return {};
  return result.error();
}

}  // namespace

Refresher::Refresher(loop::EventLoop& loop, kube::Client& client, Random& random, obs::Registry& registry,
                     EcrTokens& ecr, RefresherOptions options)
    : loop_(loop),
      client_(client),
      random_(random),
      ecr_(ecr),
      options_(std::move(options)),
      sources_(loop, client, random,
               SourceWatchHandlers{[this](const std::string&, const std::string&) { schedule(); },
                                   [this](const std::string&) { schedule(); }}),
      success_(registry.counter("imps_refresher_reconciles_total", "Refresher reconciles by result",
                                {{"result", "success"}})),
      failure_(registry.counter("imps_refresher_reconciles_total", "Refresher reconciles by result",
                                {{"result", "failure"}})),
      retry_timer_(loop),
      resync_timer_(loop),
      expiry_timer_(loop) {
  ecr_.on_change([this](const std::string&) { schedule(); });
}

Refresher::~Refresher() { ecr_.on_change(nullptr); }

void Refresher::start() {
  SourceWatches::Wanted wanted;
  for (const app::ObjectRef& ref : options_.sources) wanted[ref.ns].insert(ref.name);
  sources_.set_wanted(wanted);
  resync_timer_.start_repeating(options_.resync_interval_ms, [this] {
    reported_.clear();
    schedule();
    return options_.resync_interval_ms;
  });
}

void Refresher::schedule() {
  if (running_) {
    again_ = true;
    return;
  }
  if (!sources_.all_synced()) return;  // the last namespace's first list schedules again
  if (!synced_logged_) {
    synced_logged_ = true;
    obs::info("initial sync complete", {{"sources", static_cast<unsigned long>(options_.sources.size())}});
    // glibc keeps the memory the first lists' pages freed; our steady state is small, so return it.
    release_free_memory();
  }
  running_ = true;
  loop_.defer([this] { reconcile(); });
}

void Refresher::reconcile() {
  std::vector<const SourceSecret*> secrets;
  for (const app::ObjectRef& ref : options_.sources) secrets.push_back(sources_.find(ref.ns, ref.name));
  if (ecr_.first_tokens_pending(std::string(kUser), secrets)) {
    running_ = false;  // the first token's arrival schedules the next reconcile
    return;
  }
  std::vector<SourceOutcome> outcomes;
  {
    auto scope = ecr_.user_scope(std::string(kUser));
    for (size_t i = 0; i < options_.sources.size(); ++i) {
      const app::ObjectRef& ref = options_.sources[i];
      outcomes.push_back(resolve_source(SourceRef{ref.ns, ref.name}, secrets[i], ecr_));
    }
  }
  MergedSources merged = merge_sources(outcomes);
  for (const SourceOutcome& outcome : outcomes) {
    if (outcome.error.empty()) continue;
    obs::warn("source secret failed", {{"source", outcome.key}, {"error", outcome.error}});
    report(true, "SourceCredentialsError", outcome.key + ": " + outcome.error);
  }
  client_.get(kube::kSecrets, options_.target.ns, options_.target.name,
              [this, merged = std::move(merged)](Result<Json> current) mutable {
                write(std::move(merged), std::move(current));
              });
}

void Refresher::keep_last_good(MergedSources& merged, const Json& current) {
  auto document = secret_document(current.get());
  if (!document.ok()) return;  // not a document we can read: nothing to keep
  const int64_t now = loop_.clock().wall_unix_ms() / 1000;
  KeptCredentials kept = imps::keep_last_good(merged.config, *document, now);
  merged.config = std::move(kept.config);
  // Run again when a kept credential expires, so that it leaves the target then.
  if (kept.earliest_expiry > 0) expiry_timer_.start(imps::ms_until_kept_expiry(kept, now), [this] { schedule(); });
}

void Refresher::write(MergedSources merged, Result<Json> current) {
  const std::string& ns = options_.target.ns;
  const std::string& name = options_.target.name;
  if (!merged.all_ok && current.ok()) keep_last_good(merged, *current);
  if (merged.config.empty()) {
    obs::warn("no source contributed credentials; target secret left as it is", {{"target", ns + "." + name}});
    failure_.inc();
    return idle();
  }
  const std::string data = base64_encode(merged.config.render());
  auto create = [this, data, ns, name] {
    client_.create(kube::kSecrets, ns, refresher_create_body(ns, name, data), [this](Result<Json> created) {
      if (created.ok()) {
        target_uid_ = json_string_or(json_member(created->get(), "metadata"), "uid");
        obs::info("target secret created", {{"target", options_.target.ns + "." + options_.target.name}});
      }
      written(status_of(created));
    });
  };
  if (!current.ok()) {
    if (current.error().kind == ErrorKind::NotFound) return create();
    return written(std::move(current).error());
  }
  auto observed = observe_secret(current->get());
  if (!observed.ok()) return written(std::move(observed).error());
  target_uid_ = observed->uid;
  switch (refresher_change(*observed, data)) {
    case SecretChange::None:
      return written({});
    case SecretChange::Update:
      client_.merge_patch(kube::kSecrets, ns, name, refresher_update_patch(*observed, data), [this](Result<Json> r) {
        if (r.ok()) obs::info("target secret updated", {{"target", options_.target.ns + "." + options_.target.name}});
        written(status_of(r));
      });
      return;
    case SecretChange::Recreate: {
      const std::string type = json_string_or(current->get(), "type", "Opaque");  // the projection's is coarse
      if (!refresher_may_replace(*observed))
        return written(make_error(ErrorKind::Invalid, "target Secret " + ns + "/" + name + " has type " +
                                                          quoted(type) +
                                                          ", not a pull Secret type: it is not imps' to replace"));
      obs::info("target secret has the wrong type or is immutable; recreating it",
                {{"target", ns + "." + name}, {"type", type}});
      client_.remove(kube::kSecrets, ns, name, kube::Preconditions{observed->uid, observed->resource_version},
                     [this, create](Result<Json> removed) {
                       if (!removed.ok() && removed.error().kind != ErrorKind::NotFound)
                         return written(std::move(removed).error());
                       create();
                     });
      return;
    }
  }
}

void Refresher::written(Status status) {
  if (status.ok()) {
    success_.inc();
    failures_ = 0;
  } else if (waits_for_change(status.error().kind)) {
    failure_.inc();
    obs::warn("writing the target secret failed; waiting for a change or the next resync",
              {{"target", options_.target.ns + "." + options_.target.name}, {"error", status.error().message}});
    report(true, "SecretReconciliationError", status.error().message);
  } else {
    failure_.inc();
    ++failures_;
    Millis delay = kRetryInitialMs;
    for (int i = 1; i < std::min(failures_, kMaxDoublings) && delay < kRetryMaxMs; ++i) delay *= 2;
    delay = std::min(delay, kRetryMaxMs);
    delay = delay / 2 + static_cast<Millis>(random_.uniform() * static_cast<double>(delay / 2));
    obs::warn("writing the target secret failed", {{"target", options_.target.ns + "." + options_.target.name},
                                                     {"error", status.error().message},
                                                     {"retry_ms", static_cast<long long>(delay)}});
    report(true, "SecretReconciliationError", status.error().message);
    retry_timer_.start(delay, [this] { schedule(); });
  }
  idle();
}

void Refresher::idle() {
  running_ = false;
  if (again_) {
    again_ = false;
    schedule();
  }
}

void Refresher::report(bool warning, const std::string& reason, const std::string& message) {
  std::string key = reason + '\n' + message;
  if (reported_.count(key)) return;
  if (reported_.size() >= kMaxReportedEvents) reported_.clear();
  reported_.insert(std::move(key));
  const int64_t now_ms = loop_.clock().wall_unix_ms();
  uint64_t nanos = static_cast<uint64_t>(now_ms) * 1'000'000;
  if (nanos <= last_event_nanos_) nanos = last_event_nanos_ + 1;
  last_event_nanos_ = nanos;
  SecretEvent event{options_.target.ns, options_.target.name, target_uid_, warning, reason, message};
  client_.create(kube::kEvents, options_.target.ns, secret_event_body(event, nanos, format_rfc3339(now_ms / 1000)),
                 [reason](Result<Json> result) {
                   if (!result.ok()) obs::warn("event not recorded", {{"reason", reason}, {"error", result.error().message}});
                 });
}

}  // namespace imps::modes
