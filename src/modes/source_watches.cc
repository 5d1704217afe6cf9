#include "modes/source_watches.h"

#include "base/json.h"
#include "obs/log.h"

namespace imps::modes {

void SourceWatches::set_wanted(const Wanted& wanted) {
  for (auto ns = namespaces_.begin(); ns != namespaces_.end();) {
    auto names = wanted.find(ns->first);
    for (auto source = ns->second.begin(); source != ns->second.end();) {
      if (names != wanted.end() && names->second.count(source->first)) {
        ++source;
        continue;
      }
      retire(source->second);
      source = ns->second.erase(source);
    }
    ns = ns->second.empty() ? namespaces_.erase(ns) : std::next(ns);
  }
  for (const auto& [ns, names] : wanted) {
    for (const std::string& name : names) {
      Source& source = namespaces_[ns][name];
      if (!source.reflector) start(ns, name, source);
    }
  }
}

void SourceWatches::retire(const Source& source) {
  retired_.relists += source.reflector->counters().relists;
  retired_.watch_restarts += source.reflector->counters().watch_restarts;
}

void SourceWatches::start(const std::string& ns, const std::string& name, Source& source) {
  kube::ReflectorTarget target{kube::kSecrets, ns, "", "metadata.name=" + name, kube::Shape::Full};
  kube::ReflectorHandlers handlers;
  handlers.begin_replace = [this, ns, name] {
    if (Source* listing = find_source(ns, name)) listing->seen = false;
  };
  handlers.replace_page = [this, ns, name](std::vector<Json> items) { list_page(ns, name, std::move(items)); };
  handlers.end_replace = [this, ns, name](const std::string&) { listed(ns, name); };
  handlers.apply = [this, ns, name](kube::WatchEvent::Type type, const Json& object) { apply(ns, name, type, object); };
  source.reflector = std::make_unique<kube::Reflector>(loop_, client_, random_, std::move(target), std::move(handlers));
  source.reflector->start();
}

SourceWatches::Source* SourceWatches::find_source(std::string_view ns, std::string_view name) {
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) return nullptr;
  auto source = it->second.find(name);
  return source == it->second.end() ? nullptr : &source->second;
}

void SourceWatches::list_page(const std::string& ns, const std::string& name, std::vector<Json> items) {
  Source* source = find_source(ns, name);
  if (!source) return;
  for (const Json& item : items) {
    // The field selector makes this the one item; a server that ignored it gets the same answer.
    if (json_string_or(json_member(item.get(), "metadata"), "name") != name) continue;
    auto secret = parse_source_secret(item.get());
    if (!secret.ok()) continue;  // unseen, so dropped at the end like a missing one
    source->seen = true;
    source->secret = std::move(secret).value();
  }
}

void SourceWatches::listed(const std::string& ns, const std::string& name) {
  Source* source = find_source(ns, name);
  if (!source) return;
  if (!source->seen) source->secret.reset();
  source->seen = false;
  handlers_.changed(ns, name);
  handlers_.synced(ns);
}

void SourceWatches::apply(const std::string& ns, const std::string& name, kube::WatchEvent::Type type,
                          const Json& object) {
  Source* source = find_source(ns, name);
  if (!source || json_string_or(json_member(object.get(), "metadata"), "name") != name) return;
  auto secret = parse_source_secret(object.get());
  if (type == kube::WatchEvent::Type::Deleted || !secret.ok()) {
    if (!secret.ok()) obs::warn("source secret unreadable", {{"namespace", ns}, {"name", name}, {"error", secret.error().message}});
    source->secret.reset();
  } else {
    source->secret = std::move(secret).value();
  }
  handlers_.changed(ns, name);
}

const SourceSecret* SourceWatches::find(std::string_view ns, std::string_view name) const {
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) return nullptr;
  auto source = it->second.find(name);
  return source == it->second.end() || !source->second.secret ? nullptr : &*source->second.secret;
}

bool SourceWatches::synced(std::string_view ns, std::string_view name) const {
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) return false;
  auto source = it->second.find(name);
  return source != it->second.end() && source->second.reflector->synced();
}

bool SourceWatches::all_synced() const {
  for (const auto& [ns, sources] : namespaces_)
    for (const auto& [name, source] : sources)
      if (!source.reflector->synced()) return false;
  return true;
}

kube::ReflectorCounters SourceWatches::counters() const {
  kube::ReflectorCounters total = retired_;
  for (const auto& [ns, sources] : namespaces_) {
    for (const auto& [name, source] : sources) {
      total.relists += source.reflector->counters().relists;
      total.watch_restarts += source.reflector->counters().watch_restarts;
    }
  }
  return total;
}

}  // namespace imps::modes
