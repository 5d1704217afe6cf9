#include "imps/planner.h"

#include <algorithm>
#include <map>
#include <utility>

namespace imps {
namespace {

using SecretKey = std::pair<std::string_view, std::string_view>;  // (namespace, name)

std::string secret_path(std::string_view ns, std::string_view name) {
  return std::string(ns) + "/" + std::string(name);
}

// Who holds a same-named Secret in a selected namespace, from this resource's point of view.
enum class Holder { Nobody, Us, Foreign, OlderResource, TakeOver };

Holder holder_of(const ObservedSecret* secret, const PlanInput& in, const ImagePullSecret** other) {
  if (!secret) return Holder::Nobody;
  const std::string& owner = secret->owner_uid;
  if (owner == in.resource->uid) return Holder::Us;
  if (owner.empty()) return Holder::Foreign;
  *other = in.find_resource ? in.find_resource(owner) : nullptr;
  if (*other && !(*other)->deleting && is_older(**other, *in.resource)) return Holder::OlderResource;
  return Holder::TakeOver;
}

// `desired`: the resource's Secret, the same in every namespace.
void plan_namespace(const PlanInput& in, std::string_view ns, const ObservedSecret* secret,
                    const std::shared_ptr<const DesiredSecret>& desired, Plan& out,
                    std::vector<std::string>& managed) {
  const std::string& name = in.resource->spec.target.secret.name;
  const ImagePullSecret* other = nullptr;
  switch (holder_of(secret, in, &other)) {
    case Holder::Foreign:
      out.conflicts.push_back({std::string(ns), name,
                               "Secret " + secret_path(ns, name) + " exists and is not managed by imps"});
      return;
    case Holder::OlderResource:
      out.conflicts.push_back({std::string(ns), name,
                               "Secret " + secret_path(ns, name) + " is managed by the older ImagePullSecret " +
                                   quoted(other->name)});
      return;
    case Holder::Nobody:
    case Holder::Us:
    case Holder::TakeOver:
      break;
  }
  managed.emplace_back(ns);
  if (secret && secret->deleting) return;  // being removed already; written again once it is gone
  SecretChange change = secret ? needs_update(*secret, *desired) : SecretChange::Recreate;
  if (change == SecretChange::None) return;
  Action action;
  action.namespace_name = ns;
  action.name = name;
  action.secret = desired;
  if (!secret || change == SecretChange::Recreate) {
    action.kind = secret ? ActionKind::Recreate : ActionKind::Create;
    if (secret) {
      action.uid = secret->uid;
      action.resource_version = secret->resource_version;
    }
  } else {
    action.kind = ActionKind::Update;
    action.body = update_patch(*secret, *desired);
  }
  out.actions.push_back(std::move(action));
}

ResourceStatus make_status(const PlanInput& in, const Plan& plan, std::vector<std::string> managed) {
  const ImagePullSecret& r = *in.resource;
  ResourceStatus s;
  std::vector<std::string> causes = r.spec_errors;
  if (in.sources) {
    s.source_secret_status = in.sources->status;
    for (const auto& [key, text] : in.sources->status)
      if (text != kSourceOk) causes.push_back("source " + key + ": " + text);
    if (in.sources->earliest_expiry > 0)
      s.validity_seconds = std::max<int64_t>(0, in.sources->earliest_expiry - in.now);
  }
  for (const Conflict& c : plan.conflicts) causes.push_back(c.reason);
  causes.insert(causes.end(), in.other_problems.begin(), in.other_problems.end());
  std::sort(managed.begin(), managed.end());
  managed.erase(std::unique(managed.begin(), managed.end()), managed.end());
  s.managed_namespaces = std::move(managed);
  s.status = causes.empty() ? kStatusReady : kStatusFailed;
  s.reason = join_names(causes, "; ");
  s.last_successful_reconciliation = causes.empty() ? in.now_rfc3339 : r.status.last_successful_reconciliation;
  set_ready_condition(s, r.status, r.generation, in.now_rfc3339);
  return s;
}

}  // namespace

const char* to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::Create: return "create";
    case ActionKind::Update: return "update";
    case ActionKind::Recreate: return "recreate";
    case ActionKind::Delete: return "delete";
  }
  return "?";
}

Plan plan(const PlanInput& in) {
  Plan out;
  const ImagePullSecret& r = *in.resource;
  if (r.deleting) {
    out.status = r.status;
    return out;
  }
  std::vector<std::string> managed;
  if (!r.spec_errors.empty()) {
    // Leave the cluster as it is: a mistyped edit must not strip working credentials.
    for (const ObservedSecret* s : in.observed)
      if (s->owner_uid == r.uid) managed.push_back(s->namespace_name);
    out.status = make_status(in, out, std::move(managed));
    out.write_status = status_changed(r.status, out.status);
    return out;
  }
  const std::string& name = r.spec.target.secret.name;
  std::map<SecretKey, const ObservedSecret*> by_key;
  for (const ObservedSecret* s : in.observed) by_key.emplace(SecretKey{s->namespace_name, s->name}, s);
  std::set<std::string_view> selected(in.selected_namespaces.begin(), in.selected_namespaces.end());
  // Rendered, encoded and hashed once per plan, not per namespace.
  auto desired = std::make_shared<const DesiredSecret>(
      desired_secret(r, in.sources ? in.sources->config.render() : DockerConfig().render()));
  for (std::string_view ns : selected) {
    auto it = by_key.find(SecretKey{ns, name});
    plan_namespace(in, ns, it == by_key.end() ? nullptr : it->second, desired, out, managed);
  }
  for (const ObservedSecret* s : in.observed) {
    if (s->owner_uid != r.uid || s->deleting) continue;
    bool current = s->name == name && selected.count(s->namespace_name);
    if (current || in.terminating_namespaces.count(s->namespace_name)) continue;
    out.actions.push_back(Action{ActionKind::Delete, s->namespace_name, s->name, s->uid, s->resource_version, nullptr, Json()});
  }
  out.status = make_status(in, out, std::move(managed));
  out.write_status = status_changed(r.status, out.status);
  return out;
}

}  // namespace imps
