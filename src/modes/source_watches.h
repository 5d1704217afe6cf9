// The source Secrets named by ImagePullSecrets, watched narrowly: one reflector per source, with
// fieldSelector metadata.name=<name>, so that imps never lists or watches the other Secrets of a
// source namespace (Helm keeps 100 KB–1 MB release Secrets beside them: a full list of such a
// namespace can outgrow the pod's memory limit). Each list holds at most that one Secret, which
// the API server caps at 1 MiB. When the wanted set changes, only the sources that are new get a
// reflector (a LIST, then a WATCH); sources no longer wanted are stopped and forgotten.
// Keeps only the projections (type and data) of wanted Secrets.
// Callbacks (on the loop, from reflector callbacks): changed(ns, name) after a wanted Secret was
// added, modified or deleted, and after each full list of it; synced(ns) after each full list of a
// source in that namespace.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/random.h"
#include "imps/source_secret.h"
#include "kube/client.h"
#include "kube/reflector.h"
#include "loop/event_loop.h"

namespace imps::modes {

struct SourceWatchHandlers {
  std::function<void(const std::string& ns, const std::string& name)> changed;
  std::function<void(const std::string& ns)> synced;
};

class SourceWatches {
 public:
  using Wanted = std::map<std::string, std::set<std::string>>;  // namespace → names

  SourceWatches(loop::EventLoop& loop, kube::Client& client, Random& random, SourceWatchHandlers handlers)
      : loop_(loop), client_(client), random_(random), handlers_(std::move(handlers)) {}

  void set_wanted(const Wanted& wanted);
  // The Secret's projection; null when it does not exist (or is not wanted).
  const SourceSecret* find(std::string_view ns, std::string_view name) const;
  // The source has been listed in full since its reflector started. Per source, not per
  // namespace: a resource must not wait for (nor lose its queued work to) another resource's
  // new source in the same namespace.
  bool synced(std::string_view ns, std::string_view name) const;
  bool all_synced() const;
  // Summed over the namespaces' reflectors, for metrics.
  kube::ReflectorCounters counters() const;

 private:
  struct Source {
    std::optional<SourceSecret> secret;
    std::unique_ptr<kube::Reflector> reflector;
    bool seen = false;  // listed since the LIST in flight began
  };
  using Sources = std::map<std::string, Source, std::less<>>;  // by name

  void start(const std::string& ns, const std::string& name, Source& source);
  Source* find_source(std::string_view ns, std::string_view name);
  void retire(const Source& source);
  void list_page(const std::string& ns, const std::string& name, std::vector<Json> items);
  void listed(const std::string& ns, const std::string& name);
  void apply(const std::string& ns, const std::string& name, kube::WatchEvent::Type type, const Json& object);

  loop::EventLoop& loop_;
  kube::Client& client_;
  Random& random_;
  SourceWatchHandlers handlers_;
  std::map<std::string, Sources, std::less<>> namespaces_;
  kube::ReflectorCounters retired_;  // counters of reflectors already replaced
};

}  // namespace imps::modes
