#include "modes/source_watches.h"

#include "base/json.h"
#include "obs/log.h"

namespace imps::modes {

void SourceWatches::set_wanted(const Wanted& wanted) {
  for (auto it = namespaces_.begin(); it != namespaces_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    retired_.relists += it->second.reflector->counters().relists;
    retired_.watch_restarts += it->second.reflector->counters().watch_restarts;
    it = namespaces_.erase(it);
  }
  for (const auto& [ns, names] : wanted) {
    Namespace& watch = namespaces_[ns];
    if (watch.reflector && watch.names == names) continue;
    watch.names = names;
    start(ns, watch);
  }
}

void SourceWatches::start(const std::string& ns, Namespace& watch) {
  if (watch.reflector) {
    retired_.relists += watch.reflector->counters().relists;
    retired_.watch_restarts += watch.reflector->counters().watch_restarts;
  }
  kube::ReflectorTarget target{kube::kSecrets, ns, "", "", kube::Shape::Full};
  if (watch.names.size() == 1) target.field_selector = "metadata.name=" + *watch.names.begin();
  kube::ReflectorHandlers handlers;
  handlers.begin_replace = [this, ns] {
    if (Namespace* listing = find_watch(ns)) listing->seen.clear();
  };
  handlers.replace_page = [this, ns](std::vector<Json> items) { list_page(ns, std::move(items)); };
  handlers.end_replace = [this, ns](const std::string&) { listed(ns); };
  handlers.apply = [this, ns](kube::WatchEvent::Type type, const Json& object) { apply(ns, type, object); };
  // The old reflector (if any) is not inside one of its callbacks here: set_wanted runs from
  // ImagePullSecret events.
  watch.reflector = std::make_unique<kube::Reflector>(loop_, client_, random_, std::move(target), std::move(handlers));
  watch.reflector->start();
}

SourceWatches::Namespace* SourceWatches::find_watch(std::string_view ns) {
  auto it = namespaces_.find(ns);
  return it == namespaces_.end() ? nullptr : &it->second;
}

void SourceWatches::list_page(const std::string& ns, std::vector<Json> items) {
  Namespace* watch = find_watch(ns);
  if (!watch) return;
  for (const Json& item : items) {
    std::string name = json_string_or(json_member(item.get(), "metadata"), "name");
    if (!watch->names.count(name)) continue;
    auto secret = parse_source_secret(item.get());
    if (!secret.ok()) continue;  // unseen, so dropped at the end like a missing one
    watch->seen.add(name);
    watch->secrets.insert_or_assign(std::move(name), std::move(secret).value());
  }
}

void SourceWatches::listed(const std::string& ns) {
  Namespace* watch = find_watch(ns);
  if (!watch) return;
  drop_unseen(watch->secrets, watch->seen, [](const std::string&) {});
  watch->seen.clear();
  for (const std::string& name : watch->names) handlers_.changed(ns, name);
  handlers_.synced(ns);
}

void SourceWatches::apply(const std::string& ns, kube::WatchEvent::Type type, const Json& object) {
  Namespace* found = find_watch(ns);
  if (!found) return;
  Namespace& watch = *found;
  std::string name = json_string_or(json_member(object.get(), "metadata"), "name");
  if (!watch.names.count(name)) return;
  auto secret = parse_source_secret(object.get());
  if (type == kube::WatchEvent::Type::Deleted || !secret.ok()) {
    if (!secret.ok()) obs::warn("source secret unreadable", {{"namespace", ns}, {"name", name}, {"error", secret.error().message}});
    watch.secrets.erase(name);
  } else {
    watch.secrets.insert_or_assign(name, std::move(secret).value());
  }
  handlers_.changed(ns, name);
}

const SourceSecret* SourceWatches::find(std::string_view ns, std::string_view name) const {
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) return nullptr;
  auto secret = it->second.secrets.find(name);
  return secret == it->second.secrets.end() ? nullptr : &secret->second;
}

bool SourceWatches::synced(std::string_view ns) const {
  auto it = namespaces_.find(ns);
  return it != namespaces_.end() && it->second.reflector && it->second.reflector->synced();
}

bool SourceWatches::all_synced() const {
  for (const auto& [ns, watch] : namespaces_)
    if (!watch.reflector->synced()) return false;
  return true;
}

kube::ReflectorCounters SourceWatches::counters() const {
  kube::ReflectorCounters total = retired_;
  for (const auto& [ns, watch] : namespaces_) {
    total.relists += watch.reflector->counters().relists;
    total.watch_restarts += watch.reflector->counters().watch_restarts;
  }
  return total;
}

}  // namespace imps::modes
