#include "kube/reflector_state.h"

#include <cerrno>

namespace imps::kube {
namespace {

// client-go: watches ask the server to end them after a random 5–10 min, so that replicas do not
// all reconnect at once and a silently dead connection is noticed by the server too.
constexpr int kMinWatchTimeoutSeconds = 300;
constexpr int kWatchTimeoutSpreadSeconds = 300;
// client-go: a watch that ends this quickly without any event is a failure (the server or a proxy
// is rejecting it), not a normal end; re-watching at once would spin.
constexpr Millis kShortWatchMs = 1'000;

// Errors worth a plain re-watch after backoff (client-go isWatchErrorRetriable): the API server
// is restarting or throttling us; our resourceVersion is still good.
bool rewatch_retriable(const Error& error) {
  return error.code == 429 || (error.kind == ErrorKind::Transient && error.code == ECONNREFUSED);
}

// The RV we asked for is unusable for a "not older than" list: expired from history (410), or
// (client-go isTooLargeResourceVersionError) newer than this API server has seen, as after
// failing over to a lagging server: its Status message is the only marker older servers give.
bool resource_version_unusable(const Error& error) {
  return error.kind == ErrorKind::Gone ||
         (error.code == 504 && error.message.find("Too large resource version") != std::string::npos);
}

}  // namespace

ReflectorState::ReflectorState(const Clock& clock, Random& random, BackoffParams backoff)
    : clock_(clock), random_(random), backoff_(clock, random, backoff) {}

ReflectorStep ReflectorState::start() { return list("", 0); }

ReflectorStep ReflectorState::list(std::string resource_version, Millis delay_ms) {
  if (listed_once_) ++counters_.relists;
  listed_once_ = true;
  listing_from_ = std::move(resource_version);
  return ReflectorStep{ReflectorOp::List, listing_from_, delay_ms, 0};
}

ReflectorStep ReflectorState::watch(Millis delay_ms) {
  if (watched_once_) ++counters_.watch_restarts;
  watched_once_ = true;
  watch_events_ = 0;
  watch_opened_at_ = -1;
  int timeout = kMinWatchTimeoutSeconds + int(random_.uniform() * kWatchTimeoutSpreadSeconds);
  return ReflectorStep{ReflectorOp::Watch, resource_version_, delay_ms, timeout};
}

ReflectorStep ReflectorState::list_succeeded(std::string resource_version) {
  resource_version_ = std::move(resource_version);
  return watch(0);
}

ReflectorStep ReflectorState::list_failed(const Error& error) {
  if (resource_version_unusable(error) && !listing_from_.empty()) return list("", 0);
  return list(listing_from_, backoff_.next_delay());
}

void ReflectorState::watch_opened() { watch_opened_at_ = clock_.steady_ms(); }

void ReflectorState::watch_event(std::string_view resource_version) {
  ++watch_events_;
  if (!resource_version.empty()) resource_version_ = std::string(resource_version);
}

ReflectorStep ReflectorState::watch_failed(const Error& error) {
  if (error.kind == ErrorKind::Gone) return list(resource_version_, 0);
  if (rewatch_retriable(error)) return watch(backoff_.next_delay());
  return list(resource_version_, backoff_.next_delay());
}

ReflectorStep ReflectorState::watch_ended() {
  bool short_and_empty = watch_events_ == 0 &&
                         (watch_opened_at_ < 0 || clock_.steady_ms() - watch_opened_at_ < kShortWatchMs);
  if (short_and_empty) return list(resource_version_, backoff_.next_delay());
  return watch(0);
}

}  // namespace imps::kube
