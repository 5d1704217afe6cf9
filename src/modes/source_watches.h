// The source Secrets named by ImagePullSecrets, watched narrowly: one reflector per source
// namespace, with fieldSelector metadata.name=<name> when that namespace holds one source, else
// all the namespace's Secrets filtered here by name. When the wanted set changes, only the
// namespaces whose set changed get a new reflector (a LIST, then a WATCH).
// Keeps only the projections (type and data) of wanted Secrets.
// Callbacks (on the loop, from reflector callbacks): changed(ns, name) after a wanted Secret was
// added, modified or deleted; synced(ns) after each full list of a namespace. A list arrives page
// by page (kube/reflector.h): each page's wanted Secrets are stored at once, and the ones a
// complete list did not contain are dropped at its end.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "base/random.h"
#include "imps/source_secret.h"
#include "kube/client.h"
#include "kube/reflector.h"
#include "loop/event_loop.h"
#include "modes/key_set.h"

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
  // Its namespace's reflector has delivered a full list since it was (re)started.
  bool synced(std::string_view ns) const;
  bool all_synced() const;
  // Summed over the namespaces' reflectors, for metrics.
  kube::ReflectorCounters counters() const;

 private:
  struct Namespace {
    std::set<std::string> names;
    std::map<std::string, SourceSecret, std::less<>> secrets;
    std::unique_ptr<kube::Reflector> reflector;
    KeySet seen;  // names listed since the LIST in flight began
  };
  void start(const std::string& ns, Namespace& watch);
  Namespace* find_watch(std::string_view ns);
  void list_page(const std::string& ns, std::vector<Json> items);
  void listed(const std::string& ns);
  void apply(const std::string& ns, kube::WatchEvent::Type type, const Json& object);

  loop::EventLoop& loop_;
  kube::Client& client_;
  Random& random_;
  SourceWatchHandlers handlers_;
  std::map<std::string, Namespace, std::less<>> namespaces_;
  kube::ReflectorCounters retired_;  // counters of reflectors already replaced
};

}  // namespace imps::modes
