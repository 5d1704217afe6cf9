// The controller's event mapping and queue driving. Longer than most files because each watched
// kind's replace/apply pair sits next to the others: the narrow "which keys does this event
// touch" rules are easiest to check side by side.
#include "modes/controller.h"

#include <algorithm>
#include <set>
#include <utility>

#include "base/json.h"
#include "base/memory.h"
#include "imps/selection.h"
#include "obs/log.h"

namespace imps::modes {
namespace {

using Type = kube::WatchEvent::Type;

std::string name_of(const cJSON* object) { return json_string_or(json_member(object, "metadata"), "name"); }

// The queue key of one namespace of a resource; resource names (DNS subdomains) never hold '/'.
std::string namespace_key(std::string_view name, std::string_view ns) {
  return std::string(name) + "/" + std::string(ns);
}

// (resource name, namespace or "" for the whole resource).
std::pair<std::string, std::string> split_key(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return {std::string(key), ""};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

}  // namespace

Controller::Controller(loop::EventLoop& loop, kube::Client& client, Random& random, obs::Registry& registry,
                       EcrTokens& ecr, ControllerOptions options)
    : loop_(loop),
      client_(client),
      random_(random),
      options_(options),
      ecr_(ecr),
      events_(client, loop.clock()),
      sources_(loop, client, random,
               SourceWatchHandlers{[this](const std::string& ns, const std::string& name) { source_changed(ns, name); },
                                   [this](const std::string&) { check_ready(); }}),
      status_(loop, client, cache_, kStatusWriteInterval),
      reconciler_(client, cache_, sources_, ecr_, events_, status_, loop.clock()),
      stuck_pods_(loop, client, random, cache_, events_),
      service_accounts_(loop, client, random, cache_,
                        ServiceAccountHandlers{
                            [this](const std::string& name) { enqueue(name); },
                            [this](const std::string& ns, const std::string& account,
                                   const std::vector<std::string>& secrets) { stuck_pods_.added(ns, account, secrets); },
                            [this](const std::string& ns) { stuck_pods_.settled(ns); }}),
      metrics_(registry),
      resync_timer_(loop),
      release_timer_(loop) {
  ecr_.on_change([this](const std::string& name) { enqueue(name); });
  status_.on_failed([this](const std::string& name, const Error& error) { retry_later(name, error); });
}

Controller::~Controller() { ecr_.on_change(nullptr); }

kube::ReflectorHandlers Controller::handlers(ListStep begin, ListPage page, ListStep end, Apply apply) {
  kube::ReflectorHandlers out;
  out.begin_replace = [this, begin] { (this->*begin)(); };
  out.replace_page = [this, page](std::vector<Json> items) { (this->*page)(std::move(items)); };
  out.end_replace = [this, end](const std::string&) { (this->*end)(); };
  out.apply = [this, apply](Type type, const Json& object) { (this->*apply)(type, object); };
  return out;
}

void Controller::start() {
  auto make = [this](kube::ResourceType resource, std::string label_selector, kube::Shape shape,
                     const JsonProjection& projection, kube::ReflectorHandlers handlers) {
    kube::ReflectorTarget target{resource, "", std::move(label_selector), "", shape, &projection};
    auto reflector = std::make_unique<kube::Reflector>(loop_, client_, random_, std::move(target), std::move(handlers));
    reflector->start();
    return reflector;
  };
  resources_ = make(kube::kImagePullSecrets, "", kube::Shape::Full, kube::kObjectProjection,
                    handlers(&Controller::resources_listing, &Controller::resources_page, &Controller::resources_listed,
                             &Controller::resource_event));
  namespaces_ = make(kube::kNamespaces, "", kube::Shape::MetadataOnly, kNamespaceProjection,
                     handlers(&Controller::namespaces_listing, &Controller::namespaces_page,
                              &Controller::namespaces_listed, &Controller::namespace_event));
  secrets_ = make(kube::kSecrets, std::string(kOwnerLabel), kube::Shape::Full, kube::kObjectProjection,
                  handlers(&Controller::secrets_listing, &Controller::secrets_page, &Controller::secrets_listed,
                           &Controller::secret_event));
  resync_timer_.start_repeating(options_.resync_interval_ms, [this] { return resync(); });
}

// --- ImagePullSecrets ------------------------------------------------------------------------

void Controller::resources_listing() { seen_resources_.clear(); }

void Controller::resources_page(std::vector<Json> items) {
  for (const Json& item : items) {
    auto resource = parse_image_pull_secret(item.get());
    if (!resource.ok()) {  // unseen, so dropped at the end like a deleted one
      obs::warn("imagepullsecret unreadable", {{"name", name_of(item.get())}, {"error", resource.error().message}});
      continue;
    }
    std::string name = resource->name;
    seen_resources_.add(name);
    cache_.resources.insert_or_assign(name, std::move(resource).value());
    enqueue(name);
  }
}

void Controller::resources_listed() {
  drop_unseen(cache_.resources, seen_resources_, [this](const std::string& name) { enqueue(name); });
  seen_resources_.clear();
  resources_changed();
  check_ready();
}

void Controller::resource_event(Type type, const Json& object) {
  std::string name = name_of(object.get());
  if (type == Type::Deleted) {
    cache_.resources.erase(name);
    retries_.erase(name);
    // Its namespace keys' retry timers too: "<name>/..." sort together right after the name.
    const std::string prefix = namespace_key(name, "");
    auto first = retries_.lower_bound(prefix);
    auto last = first;
    while (last != retries_.end() && std::string_view(last->first).starts_with(prefix)) ++last;
    retries_.erase(first, last);
    status_.forget(name);
    ecr_.forget_user(name);
  } else {
    auto resource = parse_image_pull_secret(object.get());
    if (!resource.ok()) {
      obs::warn("imagepullsecret unreadable", {{"name", name}, {"error", resource.error().message}});
      return;
    }
    auto cached = cache_.resources.find(name);
    if (cached != cache_.resources.end() && cached->second.uid == resource->uid &&
        !older_version(cached->second.resource_version, resource->resource_version))
      return;  // the echo of our status write, already cached from its answer
    bool own = status_.is_own_write(*resource);
    cache_.resources.insert_or_assign(name, std::move(resource).value());
    if (own) return;  // the echo of our status write, ahead of its answer: nothing to plan
  }
  enqueue(name);
  resources_changed();
}

// The set of sources or pod selectors may have changed: re-aim the narrow watches.
void Controller::resources_changed() {
  SourceWatches::Wanted wanted;
  for (const auto& [name, resource] : cache_.resources)
    for (const SourceRef& ref : resource.spec.credentials) wanted[ref.namespace_name].insert(ref.name);
  sources_.set_wanted(wanted);
  if (!pods_ || pod_selectors() != pod_selectors_) start_pod_watch();
  service_accounts_.resources_changed();
}

Controller::PodSelectors Controller::pod_selectors() const {
  PodSelectors out;
  for (const auto& [name, r] : cache_.resources)
    if (r.spec_errors.empty() && !r.deleting && selects_by_pods(r.spec.target))
      out.emplace(name, std::make_pair(r.spec.target.pod_labels, r.spec.target.pod_annotations));
  return out;
}

// --- Namespaces ------------------------------------------------------------------------------

void Controller::namespaces_listing() { seen_namespaces_.clear(); }

void Controller::namespaces_page(std::vector<Json> items) {
  for (const Json& item : items) {
    auto entry = observe_namespace(item.get());
    if (!entry.ok()) continue;  // unseen, so dropped at the end
    seen_namespaces_.add(entry->first);
    auto before = cache_.namespaces.set(entry->first, std::move(entry->second));
    namespace_changed(entry->first, before ? &*before : nullptr, cache_.namespaces.find(entry->first));
  }
}

void Controller::namespaces_listed() {
  std::vector<std::string> gone;
  for (const auto& [ns, info] : cache_.namespaces.all())
    if (!seen_namespaces_.contains(ns)) gone.push_back(ns);
  for (const std::string& ns : gone) {
    auto before = cache_.namespaces.remove(ns);
    namespace_changed(ns, &*before, nullptr);
  }
  seen_namespaces_.clear();
  check_ready();
}

void Controller::namespace_event(Type type, const Json& object) {
  auto entry = observe_namespace(object.get());
  if (!entry.ok()) {
    obs::warn("namespace unreadable", {{"name", name_of(object.get())}, {"error", entry.error().message}});
    return;
  }
  if (type == Type::Deleted) {
    auto before = cache_.namespaces.remove(entry->first);
    namespace_changed(entry->first, before ? &*before : nullptr, nullptr);
    return;
  }
  auto before = cache_.namespaces.set(entry->first, std::move(entry->second));
  namespace_changed(entry->first, before ? &*before : nullptr, cache_.namespaces.find(entry->first));
}

void Controller::namespace_changed(const std::string& ns, const NamespaceInfo* before, const NamespaceInfo* after) {
  for (const auto& [name, resource] : cache_.resources) {
    bool pods = cache_.pods.has_pods(name, ns);
    bool was = selects(resource, ns, before, pods);
    bool is = selects(resource, ns, after, pods);
    if (was != is) {
      enqueue(namespace_key(name, ns));
      continue;
    }
    if (!is) continue;
    auto secret = cache_.managed.find(secret_key(ns, resource.spec.target.secret.name));
    if (secret == cache_.managed.end() || secret->second.owner_uid != resource.uid) enqueue(namespace_key(name, ns));
  }
}

// --- Pods ------------------------------------------------------------------------------------

void Controller::start_pod_watch() {
  if (!resources_->synced()) return;  // resources_replaced calls again once they are known
  if (pods_) {
    retired_pod_counters_.relists += pods_->counters().relists;
    retired_pod_counters_.watch_restarts += pods_->counters().watch_restarts;
  }
  pod_selectors_ = pod_selectors();
  // Called from ImagePullSecret callbacks only, never from the pod reflector's own.
  pods_ = std::make_unique<kube::Reflector>(
      loop_, client_, random_, kube::ReflectorTarget{kube::kPods, "", "", "", kube::Shape::MetadataOnly, &kPodProjection},
      handlers(&Controller::pods_listing, &Controller::pods_page, &Controller::pods_listed, &Controller::pod_event));
  pods_->start();
}

std::vector<std::string> Controller::pod_matches(const PodMeta& pod) const {
  std::vector<std::string> out;
  for (const auto& [name, selectors] : pod_selectors_) {
    const ImagePullSecret* r = cache_.find_resource(name);
    if (r && imps::pod_matches(r->spec.target, pod.labels, pod.annotations)) out.push_back(name);
  }
  return out;
}

void Controller::pods_listing() { listed_pods_ = PodIndex(); }

void Controller::pods_page(std::vector<Json> items) {
  for (const Json& item : items) {
    auto pod = observe_pod(item.get());
    if (pod.ok()) listed_pods_.set(pod->namespace_name, pod->name, pod_matches(*pod));
  }
}

void Controller::pods_listed() {
  pod_counts_changed(cache_.pods.replace(std::exchange(listed_pods_, PodIndex())));
  check_ready();
}

void Controller::pod_event(Type type, const Json& object) {
  auto pod = observe_pod(object.get());
  if (!pod.ok()) return;
  if (type == Type::Deleted)
    pod_counts_changed(cache_.pods.remove(pod->namespace_name, pod->name));
  else
    pod_counts_changed(cache_.pods.set(pod->namespace_name, pod->name, pod_matches(*pod)));
}

void Controller::pod_counts_changed(const std::vector<PodCountChange>& changes) {
  for (const PodCountChange& change : changes) enqueue(namespace_key(change.resource, change.namespace_name));
}

// --- Secrets ---------------------------------------------------------------------------------

void Controller::secrets_listing() { seen_secrets_.clear(); }

void Controller::secrets_page(std::vector<Json> items) {
  for (const Json& item : items) {
    auto secret = observe_secret(item.get());
    if (!secret.ok()) continue;  // unseen, so dropped at the end
    std::string key = secret_key(secret->namespace_name, secret->name);
    seen_secrets_.add(key);
    cache_.managed.insert_or_assign(std::move(key), std::move(secret).value());
  }
}

void Controller::secrets_listed() {
  drop_unseen(cache_.managed, seen_secrets_, [](const std::string&) {});
  seen_secrets_.clear();
  metrics_.managed_secrets(cache_.managed.size());
  enqueue_all();
  check_ready();
}

void Controller::secret_event(Type type, const Json& object) {
  auto secret = observe_secret(object.get());
  if (!secret.ok()) return;
  std::string key = secret_key(secret->namespace_name, secret->name);
  std::string owner = secret->owner_uid;
  std::string secret_ns = secret->namespace_name;
  auto stored = cache_.managed.find(key);
  if (type == Type::Deleted) {
    if (stored == cache_.managed.end()) return;  // our own delete, already forgotten
    owner = stored->second.owner_uid;
    cache_.managed.erase(stored);
  } else {
    // The echo of our own write, or older than what a write answered: nothing new.
    if (stored != cache_.managed.end() && stored->second.uid == secret->uid &&
        !older_version(stored->second.resource_version, secret->resource_version))
      return;
    cache_.store_managed(std::move(secret).value());
  }
  metrics_.managed_secrets(cache_.managed.size());
  // Only that namespace can need work (a write of ours still in flight folds into its run).
  if (const ImagePullSecret* resource = cache_.find_by_uid(owner))
    enqueue(namespace_key(resource->name, secret_ns));
}

void Controller::source_changed(const std::string& ns, const std::string& name) {
  for (const auto& [key, resource] : cache_.resources)
    for (const SourceRef& ref : resource.spec.credentials)
      if (ref.namespace_name == ns && ref.name == name) enqueue(key);
}

// --- Queue -----------------------------------------------------------------------------------

bool Controller::caches_synced() const {
  return resources_ && resources_->synced() && namespaces_->synced() && secrets_->synced() && pods_ &&
         pods_->synced();
}

bool Controller::sources_synced(const ImagePullSecret& resource) const {
  for (const SourceRef& ref : resource.spec.credentials)
    if (!sources_.synced(ref.namespace_name, ref.name)) return false;
  return true;
}

void Controller::check_ready() {
  if (resources_ && resources_->synced() && !pods_) start_pod_watch();
  if (!ready_ && caches_synced() && sources_.all_synced()) {
    ready_ = true;
    obs::info("initial sync complete", {{"imagepullsecrets", static_cast<unsigned long>(cache_.resources.size())},
                                        {"namespaces", static_cast<unsigned long>(cache_.namespaces.size())},
                                        {"managed_secrets", static_cast<unsigned long>(cache_.managed.size())},
                                        {"tracked_pods", static_cast<unsigned long>(cache_.pods.tracked_pods())}});
  }
  pump();
}

void Controller::enqueue(const std::string& name) {
  queue_.add(name);
  loop_.defer([this] { pump(); });
}

void Controller::enqueue_all() {
  for (const auto& [name, resource] : cache_.resources) enqueue(name);
}

void Controller::pump() {
  if (!caches_synced()) return;
  while (queue_.in_progress() < kMaxConcurrentReconciles) {
    auto key = queue_.pop();
    if (!key) return;
    auto [name, ns] = split_key(*key);
    if (!ns.empty() && (queue_.is_waiting(name) || queue_.is_active(name))) {
      // A whole plan of the resource covers the namespace; one under way may have missed this
      // change, so it runs again once done (the queue never runs one key twice at once).
      queue_.done(*key);
      queue_.forget(*key);  // folded into the whole plan: its earlier failures no longer apply
      if (queue_.is_active(name)) queue_.add(name);
      continue;
    }
    if (ns.empty() && queue_.any_active_with_prefix(namespace_key(name, ""))) {
      queue_.done(*key);
      parked_.insert(name);
      continue;
    }
    const ImagePullSecret* resource = cache_.find_resource(name);
    if (resource && !sources_synced(*resource)) {
      queue_.done(*key);  // its source watch's first list enqueues it again
      continue;
    }
    Millis started = loop_.now();
    reconciler_.reconcile(name, ns, [this, key = *key, started](ReconcileResult result) {
      finished(key, started, std::move(result));
    });
  }
}

void Controller::finished(const std::string& key, Millis started, ReconcileResult result) {
  queue_.done(key);
  if (result.reconciled) {
    const ReconcileOutcome outcome = !result.status.ok() ? ReconcileOutcome::Error
                                     : result.again      ? ReconcileOutcome::Requeue
                                                         : ReconcileOutcome::Success;
    metrics_.reconciled(outcome, static_cast<double>(loop_.now() - started) / 1000.0);
  }
  metrics_.managed_secrets(cache_.managed.size());
  if (!result.status.ok()) {
    retry_later(key, result.status.error());
  } else {
    queue_.forget(key);
    if (result.requeue_after_ms > 0) enqueue_after(key, result.requeue_after_ms);
  }
  auto [name, ns] = split_key(key);
  if (result.again) queue_.add(key);
  if (result.widen) queue_.add(name);
  if (!ns.empty() && !queue_.any_active_with_prefix(namespace_key(name, "")) && parked_.erase(name)) queue_.add(name);
  service_accounts_.resource_reconciled(name, ns);
  loop_.defer([this] { pump(); });
  // A burst of reconciles (the initial sync's creates, a source edit rewriting every Secret) leaves
  // freed request bodies and plans behind: once the queue has drained, give them back. A walk of
  // the heap costs milliseconds, so not after every event of a trickle.
  if (queue_.waiting() == 0 && queue_.in_progress() == 0 && !release_timer_.pending()) {
    const Millis delay = std::max(kReleaseMemoryDelayMs, released_at_ + kReleaseMemoryIntervalMs - loop_.now());
    release_timer_.start(delay, [this] {
      release_free_memory();
      released_at_ = loop_.now();
    });
  }
}

void Controller::retry_later(const std::string& key, const Error& error) {
  auto [name, ns] = split_key(key);
  if (waits_for_change(error.kind)) {
    queue_.forget(key);
    obs::warn("reconcile failed; waiting for a change or the next resync",
              {{"imagepullsecret", name}, {"namespace", ns}, {"error", error.message}});
    return;
  }
  Millis delay = queue_.failed(key);
  obs::warn("reconcile failed", {{"imagepullsecret", name}, {"namespace", ns}, {"error", error.message},
                                 {"retry_ms", static_cast<long long>(delay)}});
  enqueue_after(key, delay);
}

void Controller::enqueue_after(const std::string& name, Millis delay) {
  auto [timer, inserted] = retries_.try_emplace(name);
  if (inserted) timer->second.bind(loop_);
  timer->second.start(delay, [this, name] { enqueue(name); });
}

Millis Controller::resync() {
  obs::debug("periodic resync", {{"imagepullsecrets", static_cast<unsigned long>(cache_.resources.size())}});
  events_.new_period();
  cache_.foreign.clear();  // re-verified by the next create: the other party may have deleted theirs
  enqueue_all();
  service_accounts_.resync();
  return options_.resync_interval_ms;
}

void Controller::update_metrics() {
  metrics_.sync_requests(client_.request_counts());
  metrics_.sync_queue(queue_);
  if (resources_) metrics_.sync_reflector("imagepullsecrets", resources_->counters());
  if (namespaces_) metrics_.sync_reflector("namespaces", namespaces_->counters());
  if (secrets_) metrics_.sync_reflector("secrets", secrets_->counters());
  kube::ReflectorCounters pods = retired_pod_counters_;
  if (pods_) {
    pods.relists += pods_->counters().relists;
    pods.watch_restarts += pods_->counters().watch_restarts;
  }
  metrics_.sync_reflector("pods", pods);
  metrics_.sync_reflector("source_secrets", sources_.counters());
  if (const kube::ReflectorCounters* accounts = service_accounts_.counters())
    metrics_.sync_reflector("serviceaccounts", *accounts);
}

}  // namespace imps::modes
