// Keeps a consumer's view of one collection in step with the API server, as client-go's
// Reflector does: LIST (page by page) → replace the consumer's store → WATCH from the list's RV →
// apply events → re-watch on a clean end, relist on 410 and after other errors, with backoff.
// The decisions are ReflectorState's (pure, unit-tested); this class only executes them on the
// loop through the kube::Client.
//
// Contract with the consumer:
//  - A LIST (the first and every relist) is streamed so that the collection is never held whole:
//    begin_replace(), then replace_page() for each page as it arrives, then end_replace(rv). The
//    consumer upserts each page and remembers the keys it saw; at end_replace, objects it did not
//    see are gone (emit deletes). An expired continue token restarts the list: begin_replace()
//    comes again and the keys seen so far no longer count. A failed LIST ends without
//    end_replace; the relist after it begins again.
//  - apply() receives ADDED/MODIFIED/DELETED objects in order; bookmarks never reach it.
//  - Callbacks run on the loop, never from inside start(); the consumer must not destroy the
//    Reflector from inside them. The Reflector must be destroyed before its Client.
// Logs list/relist at info, watch trouble at warn and each event at debug; only kind,
// namespace, name and RV of objects are ever logged.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/random.h"
#include "kube/client.h"
#include "kube/reflector_state.h"
#include "loop/event_loop.h"

namespace imps::kube {

struct ReflectorTarget {
  ResourceType type;
  std::string ns;  // "" = all namespaces (or a cluster-scoped type)
  std::string label_selector;
  std::string field_selector;
  Shape shape = Shape::Full;
  // What of each object to keep (kube/projection.h); must outlive the Reflector.
  const JsonProjection* projection = &kObjectProjection;
};

struct ReflectorHandlers {
  std::function<void()> begin_replace;
  std::function<void(std::vector<Json> items)> replace_page;
  std::function<void(const std::string& resource_version)> end_replace;
  std::function<void(WatchEvent::Type type, const Json& object)> apply;
};

class Reflector {
 public:
  Reflector(loop::EventLoop& loop, Client& client, Random& random, ReflectorTarget target,
            ReflectorHandlers handlers);
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  // Begins with the first LIST (on the loop).
  void start();

  // True once the first list has been delivered (from just before its end_replace()).
  bool synced() const { return synced_; }
  const std::string& resource_version() const { return state_.resource_version(); }
  const ReflectorCounters& counters() const { return state_.counters(); }

 private:
  void schedule(ReflectorStep step);
  void list(const std::string& resource_version);
  void page(ListPage page);
  void listed(Result<std::string> resource_version);
  void watch(const ReflectorStep& step);
  void event(WatchEvent event);
  void ended(Status end);

  Client& client_;
  ReflectorTarget target_;
  ReflectorHandlers handlers_;
  ReflectorState state_;
  loop::Timer timer_;
  Watch watch_;
  bool watch_open_ = false;
  bool synced_ = false;
  size_t listed_items_ = 0;  // of the LIST in flight, for its log line
  // Callbacks of a LIST still in flight hold a weak reference: a destroyed Reflector ignores them.
  std::shared_ptr<Reflector*> self_;
};

}  // namespace imps::kube
