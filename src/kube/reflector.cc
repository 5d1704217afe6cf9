#include "kube/reflector.h"

#include "base/memory.h"
#include "obs/log.h"

namespace imps::kube {
namespace {

// A list this long leaves megabytes of freed page text and trees behind; shorter ones (a source
// Secret's, a namespace's pending pods) are not worth a walk of the heap.
constexpr size_t kReleaseMemoryAfterItems = 100;

// The object's identity for logs: never its contents.
std::string metadata_field(const Json& object, const char* key) {
  return json_string_or(json_member(object.get(), "metadata"), key);
}

}  // namespace

Reflector::Reflector(loop::EventLoop& loop, Client& client, Random& random, ReflectorTarget target,
                     ReflectorHandlers handlers)
    : client_(client),
      target_(std::move(target)),
      handlers_(std::move(handlers)),
      state_(loop.clock(), random),
      timer_(loop),
      self_(std::make_shared<Reflector*>(this)) {}

void Reflector::start() { schedule(state_.start()); }

void Reflector::schedule(ReflectorStep step) {
  // Always via the timer, even without delay: steps are often decided inside a watch's own
  // callback, and a new request should not start from there.
  timer_.start(step.delay_ms, [this, step] {
    if (step.op == ReflectorOp::List) {
      list(step.resource_version);
    } else {
      watch(step);
    }
  });
}

void Reflector::list(const std::string& resource_version) {
  obs::info("list started", {{"resource", target_.type.plural},
                             {"namespace", target_.ns},
                             {"resource_version", resource_version},
                             {"relists", long(state_.counters().relists)}});
  ListOptions options;
  options.label_selector = target_.label_selector;
  options.field_selector = target_.field_selector;
  if (!resource_version.empty()) {
    // With a page limit a bare RV means "exactly N"; after a 410 we want anything at least as new.
    options.resource_version = resource_version;
    options.resource_version_match = "NotOlderThan";
  }
  std::weak_ptr<Reflector*> weak = self_;
  ListPageHandlers handlers;
  handlers.on_page = [weak](ListPage p) {
    auto self = weak.lock();
    if (self) (*self)->page(std::move(p));
    return self != nullptr;  // a destroyed Reflector needs no more pages
  };
  handlers.on_done = [weak](Result<std::string> snapshot) {
    if (auto self = weak.lock()) (*self)->listed(std::move(snapshot));
  };
  client_.list_pages(target_.type, target_.ns, std::move(options), std::move(handlers), target_.shape,
                     *target_.projection);
}

void Reflector::page(ListPage p) {
  if (p.first) {
    listed_items_ = 0;
    if (handlers_.begin_replace) handlers_.begin_replace();
  }
  listed_items_ += p.items.size();
  if (handlers_.replace_page) handlers_.replace_page(std::move(p.items));
}

void Reflector::listed(Result<std::string> resource_version) {
  if (!resource_version.ok()) {
    const Error& error = resource_version.error();
    ReflectorStep next = state_.list_failed(error);
    obs::warn("list failed", {{"resource", target_.type.plural},
                              {"error", error.message},
                              {"code", error.code},
                              {"retry_in_ms", long(next.delay_ms)}});
    return schedule(std::move(next));
  }
  obs::info("list done", {{"resource", target_.type.plural},
                          {"namespace", target_.ns},
                          {"items", long(listed_items_)},
                          {"resource_version", *resource_version}});
  ReflectorStep next = state_.list_succeeded(std::move(resource_version).value());
  synced_ = true;
  if (handlers_.end_replace) handlers_.end_replace(state_.resource_version());
  if (listed_items_ >= kReleaseMemoryAfterItems) release_free_memory();
  schedule(std::move(next));
}

void Reflector::watch(const ReflectorStep& step) {
  obs::debug("watch started", {{"resource", target_.type.plural},
                               {"resource_version", step.resource_version},
                               {"timeout_seconds", step.timeout_seconds}});
  WatchOptions options;
  options.label_selector = target_.label_selector;
  options.field_selector = target_.field_selector;
  options.resource_version = step.resource_version;
  options.timeout_seconds = step.timeout_seconds;
  options.allow_bookmarks = true;
  WatchHandlers handlers;
  handlers.on_open = [this] {
    watch_open_ = true;
    state_.watch_opened();
  };
  handlers.on_event = [this](WatchEvent e) { event(std::move(e)); };
  handlers.on_end = [this](Status end) { ended(std::move(end)); };
  watch_open_ = false;
  watch_ = client_.watch(target_.type, target_.ns, options, std::move(handlers), target_.shape,
                          *target_.projection);
}

void Reflector::event(WatchEvent e) {
  if (e.type == WatchEvent::Type::Error) {
    watch_.stop();  // the server closes after an ERROR; do not wait for it
    ReflectorStep next = state_.watch_failed(e.error);
    const char* what = next.op == ReflectorOp::List ? "relisting" : "re-watching";
    obs::warn("watch error event", {{"resource", target_.type.plural},
                                    {"error", e.error.message},
                                    {"code", e.error.code},
                                    {"next", what},
                                    {"retry_in_ms", long(next.delay_ms)}});
    return schedule(std::move(next));
  }
  obs::debug("watch event", {{"resource", target_.type.plural},
                             {"type", to_string(e.type)},
                             {"namespace", metadata_field(e.object, "namespace")},
                             {"name", metadata_field(e.object, "name")},
                             {"resource_version", e.resource_version}});
  state_.watch_event(e.resource_version);
  if (e.type != WatchEvent::Type::Bookmark && handlers_.apply) handlers_.apply(e.type, e.object);
}

void Reflector::ended(Status end) {
  ReflectorStep next = (!watch_open_ && !end.ok()) ? state_.watch_failed(end.error()) : state_.watch_ended();
  const char* what = next.op == ReflectorOp::List ? "relisting" : "re-watching";
  if (end.ok() && next.delay_ms == 0) {
    obs::debug("watch ended", {{"resource", target_.type.plural},
                               {"resource_version", state_.resource_version()}});
  } else {
    obs::warn("watch failed", {{"resource", target_.type.plural},
                               {"error", end.ok() ? std::string("ended early without events") : end.error().message},
                               {"code", end.ok() ? 0 : end.error().code},
                               {"next", what},
                               {"retry_in_ms", long(next.delay_ms)}});
  }
  schedule(std::move(next));
}

}  // namespace imps::kube
