#include "modes/service_accounts.h"

#include <utility>

#include "base/json.h"
#include "obs/log.h"

namespace imps::modes {

using Type = kube::WatchEvent::Type;

ServiceAccountSync::ServiceAccountSync(loop::EventLoop& loop, kube::Client& client, Random& random,
                                       ControllerCache& cache, ServiceAccountHandlers handlers)
    : loop_(loop), client_(client), random_(random), cache_(cache), handlers_(std::move(handlers)) {}

bool ServiceAccountSync::in_use() const {
  for (const auto& [name, resource] : cache_.resources)
    if (resource.spec.target.service_accounts.used()) return true;
  return false;
}

void ServiceAccountSync::resources_changed() {
  if (reflector_ || !in_use()) {
    maybe_stop();
    return;
  }
  kube::ReflectorHandlers handlers;
  handlers.begin_replace = [this] { listing(); };
  handlers.replace_page = [this](std::vector<Json> items) { page(std::move(items)); };
  handlers.end_replace = [this](const std::string&) { listed(); };
  handlers.apply = [this](Type type, const Json& object) { apply(type, object); };
  reflector_ = std::make_unique<kube::Reflector>(
      loop_, client_, random_, kube::ReflectorTarget{kube::kServiceAccounts, "", "", "", kube::Shape::Full},
      std::move(handlers));
  obs::info("serviceaccount watch started", {});
  reflector_->start();
}

// Stops once nothing needs the watch: no resource uses serviceAccounts and no cached
// ServiceAccount still lists what imps added (those are cleaned up first).
void ServiceAccountSync::maybe_stop() {
  if (!reflector_ || in_use() || !in_flight_.empty() || !reflector_->synced()) return;
  for (const auto& [ns, accounts] : accounts_)
    for (const auto& [name, account] : accounts)
      if (!account.added.empty()) return;
  // Destroyed on the loop, not from inside one of its own callbacks.
  loop_.defer([this] {
    if (in_use() || !in_flight_.empty()) return;
    reflector_.reset();
    accounts_.clear();
    served_.clear();
    // A patch that failed before any entry was added leaves nothing to clean up, but its problem
    // would otherwise stay in the resources' status with no watch left to retry it.
    while (!failures_.empty()) erase_failure(failures_.begin());
    obs::info("serviceaccount watch stopped", {});
  });
}

// --- the watch -------------------------------------------------------------------------------

void ServiceAccountSync::listing() { seen_.clear(); }

void ServiceAccountSync::page(std::vector<Json> items) {
  for (const Json& item : items) {
    auto account = observe_service_account(item.get());
    if (!account.ok()) continue;  // unseen, so dropped at the end
    seen_.add(secret_key(account->namespace_name, account->name));
    store(std::move(account).value());
  }
}

void ServiceAccountSync::listed() {
  for (auto ns = accounts_.begin(); ns != accounts_.end();) {
    for (auto it = ns->second.begin(); it != ns->second.end();)
      it = seen_.contains(secret_key(ns->first, it->first)) ? std::next(it) : ns->second.erase(it);
    ns = ns->second.empty() ? accounts_.erase(ns) : std::next(ns);
  }
  seen_.clear();
  resync();
}

void ServiceAccountSync::apply(Type type, const Json& object) {
  auto account = observe_service_account(object.get());
  if (!account.ok()) {
    obs::warn("serviceaccount unreadable", {{"error", account.error().message}});
    return;
  }
  std::string ns = account->namespace_name, name = account->name;
  if (type == Type::Deleted) {
    auto it = accounts_.find(ns);
    if (it != accounts_.end()) {
      it->second.erase(name);
      if (it->second.empty()) accounts_.erase(it);
    }
    clear_problem(ns, name);
    maybe_stop();
    return;
  }
  store(std::move(account).value());
  sync(ns, name);
}

void ServiceAccountSync::store(ObservedServiceAccount account) {
  Accounts& accounts = accounts_[account.namespace_name];
  auto it = accounts.find(account.name);
  // A patch answer and the watch events around it arrive in either order: keep the newest.
  if (it != accounts.end() && it->second.uid == account.uid &&
      older_version(account.resource_version, it->second.resource_version))
    return;
  std::string name = account.name;
  accounts.insert_or_assign(std::move(name), std::move(account));
}

const ObservedServiceAccount* ServiceAccountSync::find(std::string_view ns, std::string_view name) const {
  auto it = accounts_.find(ns);
  if (it == accounts_.end()) return nullptr;
  auto account = it->second.find(name);
  return account == it->second.end() ? nullptr : &account->second;
}

// --- planning --------------------------------------------------------------------------------

void ServiceAccountSync::resource_reconciled(const std::string& resource, const std::string& ns) {
  if (!reflector_) return;
  const ImagePullSecret* r = cache_.find_resource(resource);
  bool used = r && r->spec.target.service_accounts.used();
  auto owns = [&](const ObservedSecret& secret) {
    return secret.name == r->spec.target.secret.name && secret.owner_uid == r->uid;
  };
  auto before = served_.find(resource);
  if (!used && before == served_.end()) return;  // the common case: a resource without serviceAccounts
  std::set<std::string>& served = served_[resource];
  std::set<std::string> touched;
  if (!ns.empty()) {
    auto secret = used ? cache_.managed.find(secret_key(ns, r->spec.target.secret.name)) : cache_.managed.end();
    if (secret != cache_.managed.end() && owns(secret->second))
      served.insert(ns);
    else
      served.erase(ns);
    touched.insert(ns);
  } else {
    touched = std::move(served);
    served.clear();
    if (used)
      for (const auto& [key, secret] : cache_.managed)
        if (owns(secret)) served.insert(secret.namespace_name);
    touched.insert(served.begin(), served.end());
  }
  if (served.empty()) served_.erase(resource);
  for (const std::string& n : touched) sync_namespace(n);
  maybe_stop();
}

void ServiceAccountSync::resync() {
  if (!reflector_ || !reflector_->synced()) return;
  std::vector<std::string> namespaces;
  for (const auto& [ns, accounts] : accounts_) namespaces.push_back(ns);
  for (const std::string& ns : namespaces) sync_namespace(ns);
  maybe_stop();
}

void ServiceAccountSync::sync_namespace(const std::string& ns) {
  auto it = accounts_.find(ns);
  if (it == accounts_.end()) return;
  std::vector<std::string> names;
  for (const auto& [name, account] : it->second) names.push_back(name);
  for (const std::string& name : names) sync(ns, name);
}

NameSet ServiceAccountSync::wanted(const std::string& ns, const std::string& name, bool& may_remove) const {
  NameSet out;
  may_remove = true;
  for (const auto& [key, r] : cache_.resources) {
    if (!r.spec_errors.empty()) {
      may_remove = false;
      continue;
    }
    if (r.deleting || !r.spec.target.service_accounts.names_account(name)) continue;
    auto secret = cache_.managed.find(secret_key(ns, r.spec.target.secret.name));
    if (secret != cache_.managed.end() && secret->second.owner_uid == r.uid && !secret->second.deleting)
      out.insert(r.spec.target.secret.name);
  }
  return out;
}

void ServiceAccountSync::sync(const std::string& ns, const std::string& name) {
  if (!reflector_ || !reflector_->synced()) return;  // the first list re-plans everything
  std::string key = secret_key(ns, name);
  if (in_flight_.count(key)) {
    dirty_.insert(key);
    return;
  }
  // A failed patch waits for its backoff (the reconcile its problem triggers would retry at once).
  if (auto failure = failures_.find(key); failure != failures_.end() && failure->second.retry.pending()) return;
  const ObservedServiceAccount* account = find(ns, name);
  if (!account || account->deleting) return;
  bool may_remove = true;
  NameSet want = wanted(ns, name, may_remove);
  auto patch = plan_service_account(*account, want, may_remove);
  if (!patch) {
    clear_problem(ns, name);
    return;
  }
  in_flight_.insert(key);
  ++in_flight_per_ns_[ns];
  auto shared = std::make_shared<ServiceAccountPatch>(std::move(*patch));
  client_.merge_patch(kube::kServiceAccounts, ns, name, shared->body,
                      [this, ns, name, shared](Result<Json> answer) { answered(ns, name, *shared, std::move(answer)); });
}

void ServiceAccountSync::answered(const std::string& ns, const std::string& name, const ServiceAccountPatch& patch,
                                  Result<Json> answer) {
  std::string key = secret_key(ns, name);
  in_flight_.erase(key);
  bool last_in_ns = --in_flight_per_ns_[ns] == 0;
  if (last_in_ns) in_flight_per_ns_.erase(ns);
  if (answer.ok()) {
    auto account = observe_service_account(answer->get());
    if (account.ok()) store(std::move(account).value());
    clear_problem(ns, name);
    obs::info("serviceaccount patched", {{"namespace", ns}, {"name", name}});
    if (!patch.added.empty() && handlers_.added) handlers_.added(ns, name, patch.added);
  } else if (answer.error().kind == ErrorKind::Conflict || answer.error().kind == ErrorKind::NotFound) {
    // The cache is behind: the watch brings the newer object (or its deletion) and a re-plan.
    obs::debug("serviceaccount patch lost a race", {{"namespace", ns}, {"name", name},
                                                   {"error", answer.error().message}});
  } else {
    std::vector<std::string> secrets = patch.added;
    secrets.insert(secrets.end(), patch.removed.begin(), patch.removed.end());
    set_problem(ns, name, secrets, "ServiceAccount " + key + ": " + answer.error().message);
  }
  if (dirty_.erase(key)) sync(ns, name);
  if (last_in_ns && !patching(ns) && handlers_.settled) handlers_.settled(ns);
  maybe_stop();
}

// --- problems --------------------------------------------------------------------------------

void ServiceAccountSync::set_problem(const std::string& ns, const std::string& name,
                                     const std::vector<std::string>& secrets, std::string text) {
  std::string key = secret_key(ns, name);
  obs::warn("serviceaccount patch failed", {{"namespace", ns}, {"name", name}, {"error", text}});
  auto [it, inserted] = failures_.try_emplace(key);
  Failure& failure = it->second;
  if (inserted) {
    failure.retry.bind(loop_);
    failure.backoff = std::make_unique<kube::Backoff>(loop_.clock(), random_);
  }
  for (const auto& [resource_name, r] : cache_.resources) {
    bool involved = false;
    for (const std::string& secret : secrets) involved |= secret == r.spec.target.secret.name;
    if (!involved) continue;
    failure.resources.insert(resource_name);
    auto& problems = cache_.service_account_problems[resource_name];
    if (problems[key] != text) {
      problems[key] = text;
      if (handlers_.problems_changed) handlers_.problems_changed(resource_name);
    }
  }
  // Deferred: the sync may clear the failure, and with it this timer, from inside its callback.
  failure.retry.start(failure.backoff->next_delay(),
                      [this, ns, name] { loop_.defer([this, ns, name] { sync(ns, name); }); });
}

void ServiceAccountSync::clear_problem(const std::string& ns, const std::string& name) {
  auto it = failures_.find(secret_key(ns, name));
  if (it != failures_.end()) erase_failure(it);
}

void ServiceAccountSync::erase_failure(std::map<std::string, Failure>::iterator it) {
  for (const std::string& resource : it->second.resources) {
    auto problems = cache_.service_account_problems.find(resource);
    if (problems == cache_.service_account_problems.end()) continue;
    problems->second.erase(it->first);
    if (problems->second.empty()) cache_.service_account_problems.erase(problems);
    if (handlers_.problems_changed) handlers_.problems_changed(resource);
  }
  failures_.erase(it);
}

}  // namespace imps::modes
