// The asynchronous Kubernetes API client: typed verbs over one API-server origin, results
// delivered by callback on the event loop as parsed JSON (never from inside the call itself).
//
// Cross-cutting behaviour, the same for every verb (client-go rest.Request):
//  - Authorization: Bearer from the TokenSource; a 401 re-reads the token and retries once.
//  - A client-side token bucket (--qps/--burst) queues requests on loop timers; watches are not
//    rate limited (they are long-lived and few).
//  - Object writes (create, update, merge patch, delete) enter the token bucket through a window
//    of at most max_writes_in_flight at a time, so a reconcile that submits hundreds of writes
//    at once never queues seconds of reservations ahead of later reads or status writes: those
//    wait behind at most a window's worth of writes. Status writes bypass the window. A write
//    waiting out a Retry-After gives its place up meanwhile, and takes one again (ahead of
//    later writes) when it is due: writes throttled in one namespace never stall the others.
//  - Low-priority requests (the controller's status writes) take a token only when one is
//    spare and no object write waits for the window: they never hold back a Secret write.
//    Every attempt of such a request is low priority, re-sends after a 401 or Retry-After too.
//  - 429 and 5xx answers with Retry-After are retried after that delay, up to kMaxRetries times;
//    without Retry-After they are surfaced (as Transient errors) for the caller to back off.
//    An eviction's 429 is always surfaced: a PodDisruptionBudget refusal is for the caller
//    (modes/stuck_pods) to weigh and retry, and one retry loop per refusal is enough.
//  - Every non-2xx answer becomes an imps::Error via api_status.h (kind, HTTP code, reason).
//  - Each request sent (retries included) is counted per verb in request_counts(), and again
//    by verb and HTTP status once its answer (or its failure) arrives.
// Lifetime: the Client must outlive its Watch handles; destroying the Client drops queued and
// in-flight requests without calling their callbacks.
// Does not: cache, decide what to retry at a higher level (the reflector does), or log.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "kube/cluster_config.h"
#include "kube/projection.h"
#include "kube/rate_limiter.h"
#include "kube/resource.h"
#include "kube/token_source.h"
#include "kube/transport.h"
#include "kube/watch_decoder.h"
#include "loop/event_loop.h"
#include "net/proxy.h"

namespace imps::kube {

// client-go's rest.Request default: enough to ride out an API server restart behind Retry-After.
inline constexpr int kMaxRetries = 10;
// client-go's pager page size: bounds one response while keeping round trips few.
inline constexpr int64_t kDefaultPageSize = 500;
// Bookmarks come about once a minute: three missed ones mean the connection is dead.
inline constexpr Millis kDefaultWatchInactivityMs = 180'000;
// Enough writes in flight to keep the token bucket busy at the default 20 qps over a slow link
// (4 per 50 ms round trip = 80/s), few enough that a read queued behind them waits at most
// 4 tokens (0.2 s at 20 qps, 0.8 s at 5).
inline constexpr int kDefaultMaxWritesInFlight = 4;

struct ClientOptions {
  double qps = 20;  // spec defaults for --qps/--burst
  int burst = 40;
  int max_writes_in_flight = kDefaultMaxWritesInFlight;  // < 1 is treated as 1
  size_t max_body_bytes = http::kDefaultMaxBody;
  size_t max_watch_event_bytes = kDefaultMaxWatchEventBytes;
  Millis request_timeout_ms = 30'000;  // client-go has none by default; a hung read must end
  Millis watch_inactivity_ms = kDefaultWatchInactivityMs;
  net::ProxyConfig proxy;  // empty = direct; a kubeconfig proxy-url takes precedence (connect())
  // Ends the User-Agent ("controller", "refresher"), so that audit logs tell the modes apart.
  std::string component;
};

// Whole objects, or only their metadata (PartialObjectMetadata[List]) for kinds whose bodies
// imps never reads, such as Pods.
enum class Shape { Full, MetadataOnly };

enum class Verb { Get, List, Watch, Create, Update, Patch, Delete };
// Low: sent only with a spare rate-limit token, after every Normal request already waiting
// (status writes must not queue the Secret writes they report on).
enum class Priority { Normal, Low };
// Lower case, as Kubernetes audit logs and client-go's metrics spell it: "get", ..., "delete".
const char* verb_name(Verb verb);
// The status recorded for a request that got no HTTP answer (connection, TLS or timeout failure).
inline constexpr int kNoAnswer = 0;

// Requests by verb (for metrics and tests). Retries count again.
struct RequestCounts {
  // Sent, whether or not answered yet.
  uint64_t get = 0, list = 0, watch = 0, create = 0, update = 0, patch = 0, remove = 0;
  // Answered, by verb and HTTP status (kNoAnswer for failures); a watch counts when its head
  // arrives. Requests dropped unanswered (cancelled, client destroyed) are not here.
  std::map<std::pair<Verb, int>, uint64_t> answered;

  // Adds another client's counts (the Lease client's, for one set of metrics per process).
  RequestCounts& operator+=(const RequestCounts& other);
};

// One page of a paginated LIST, handed over as it arrives so that a large collection is never
// held whole: its items are detached from the page, whose JSON is freed before the next request.
struct ListPage {
  std::vector<Json> items;
  std::string resource_version;  // the snapshot's (the first page's)
  // The first page of the list, or of a restart after an expired continue token: whatever the
  // pages before it delivered belongs to an abandoned snapshot.
  bool first = false;
};

struct ListPageHandlers {
  // Returns false to abandon the list: no further request, no on_done.
  std::function<bool(ListPage page)> on_page;
  // Every page was delivered (the snapshot's RV), or the list failed.
  std::function<void(Result<std::string> resource_version)> on_done;
};

// DELETE preconditions: the delete fails with 409 unless the object still has these.
struct Preconditions {
  std::string uid;
  std::string resource_version;
};

struct WatchHandlers {
  std::function<void()> on_open;                   // the 200 head arrived: the stream is live
  std::function<void(WatchEvent event)> on_event;  // every decoded event, ERROR included
  // The stream is over: ok = clean end of the body; an error = a non-2xx answer (before on_open),
  // a broken connection, or a malformed or oversized event (the stream is then dropped).
  std::function<void(Status end)> on_end;
};

// Adds `Authorization: Bearer <token>` when the source has a token (none for client
// certificates). Fails only when a token file was never readable.
Status set_authorization(http::Request& request, TokenSource& tokens);
// "imps/<version> (linux/<arch>)[ <component>]", like client-go's "<binary>/<version> (<os>/<arch>) ...".
std::string default_user_agent(std::string_view component = {});

class WatchStream;

// A running watch; destroying it (or stop()) cancels the stream without further callbacks.
// Stopping from inside one of its own callbacks is allowed.
class Watch {
 public:
  Watch() = default;
  explicit Watch(std::shared_ptr<WatchStream> stream) : stream_(std::move(stream)) {}
  Watch(Watch&&) noexcept = default;
  Watch& operator=(Watch&& other) noexcept;
  ~Watch() { stop(); }
  void stop();
  bool active() const { return stream_ != nullptr; }

 private:
  std::shared_ptr<WatchStream> stream_;
};

class Client {
 public:
  using JsonCallback = std::function<void(Result<Json>)>;

  // The production wiring: an HTTPS (or HTTP) client for config.server with its TLS settings.
  static Result<std::unique_ptr<Client>> connect(loop::EventLoop& loop, const ClusterConfig& config,
                                                 ClientOptions options = {});
  // `path_prefix` is the server URL's path (e.g. behind Rancher's proxy), "" for none.
  Client(loop::EventLoop& loop, std::unique_ptr<Transport> transport, TokenSource tokens,
         ClientOptions options = {}, std::string path_prefix = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Answers keep what kObjectProjection names (all but managedFields, kube/projection.h); lists
  // and watches may name less of their objects with `projection`, which must outlive the call.
  void get(const ResourceType& type, std::string_view ns, std::string_view name, JsonCallback done,
           Shape shape = Shape::Full);
  // One page, as the server returns it (its items through `projection`).
  void list(const ResourceType& type, std::string_view ns, const ListOptions& options,
            JsonCallback done, Shape shape = Shape::Full,
            const JsonProjection& projection = kObjectProjection);
  // Every page (limit kDefaultPageSize unless set), following `continue`, one at a time; an
  // expired continue token (410) restarts the list from the first page, a few times at most.
  void list_pages(const ResourceType& type, std::string_view ns, ListOptions options,
                  ListPageHandlers handlers, Shape shape = Shape::Full,
                  const JsonProjection& projection = kObjectProjection);
  void create(const ResourceType& type, std::string_view ns, const Json& object, JsonCallback done);
  // PUT: the object's metadata.resourceVersion makes it conditional (409 when stale).
  void update(const ResourceType& type, std::string_view ns, std::string_view name,
              const Json& object, JsonCallback done);
  void update_status(const ResourceType& type, std::string_view ns, std::string_view name,
                     const Json& object, JsonCallback done, Priority priority = Priority::Normal);
  void merge_patch(const ResourceType& type, std::string_view ns, std::string_view name,
                   const Json& patch, JsonCallback done);
  void remove(const ResourceType& type, std::string_view ns, std::string_view name,
              const Preconditions& preconditions, JsonCallback done);
  // POST a policy/v1 Eviction for the pod (counted as a create): the API server deletes it
  // unless a PodDisruptionBudget forbids it (429, handed to `done` at once, see above). `uid`,
  // when set, is a delete precondition.
  void evict(std::string_view ns, std::string_view name, std::string_view uid, JsonCallback done);
  Watch watch(const ResourceType& type, std::string_view ns, const WatchOptions& options,
              WatchHandlers handlers, Shape shape = Shape::Full,
              const JsonProjection& projection = kObjectProjection);

  const RequestCounts& request_counts() const { return counts_; }
  // Requests submitted and not yet answered: queued, waiting to retry or in flight.
  size_t outstanding_requests() const { return calls_.size(); }

 private:
  struct Call;
  struct PagedList;

  http::Request build(std::string method, std::string target, std::string_view accept) const;
  // How a call waits and what it retries, the same for every attempt.
  struct Handling {
    bool windowed = false;  // an object write: waits for a place in the write window (see above)
    Priority priority = Priority::Normal;
    bool retries_429 = true;  // false: a 429 is the caller's, Retry-After or not (evictions)
  };

  // `list_items`: the answer is a list whose items keep what it names (else one object).
  void json_call(Verb verb, http::Request request, JsonCallback done, Handling handling,
                 const JsonProjection* list_items = nullptr);
  // A request with a JSON (or JSON patch) body: create, update, update_status, merge_patch, evict.
  void write_call(Verb verb, std::string method, std::string target, std::string_view content_type,
                  const Json& body, JsonCallback done, Handling handling);
  void submit(std::unique_ptr<Call> call);
  // Puts a call (new, or due again) in line by its priority: a low-priority call waits for a
  // spare token, a windowed call for a place in the window (both in submission order); then
  // start().
  void take_place(uint64_t id);
  // Reserves a rate-limit token (and a windowed call's place) and sends when the token is due.
  void start(uint64_t id);
  // A windowed call's place goes to the first write waiting for one.
  void release_slot(Call& call);
  void admit_low_priority();
  void dispatch(uint64_t id);
  void answered(uint64_t id, Result<http::Response> response);
  void finish(uint64_t id, Result<http::Response> response);
  void next_page(std::shared_ptr<PagedList> state);
  uint64_t& count(Verb verb);

  loop::EventLoop& loop_;
  std::unique_ptr<Transport> transport_;
  TokenSource tokens_;
  ClientOptions options_;
  std::string path_prefix_;
  std::string user_agent_;
  RateLimiter limiter_;
  RequestCounts counts_;
  uint64_t next_call_ = 1;
  std::map<uint64_t, std::unique_ptr<Call>> calls_;  // queued, waiting to retry or in flight
  int writes_in_flight_ = 0;                          // windowed calls holding a place
  std::deque<uint64_t> waiting_writes_;               // windowed calls waiting for one, by id
  std::deque<uint64_t> low_priority_;  // calls waiting for a spare token, by id
  loop::Timer low_priority_timer_;
};

}  // namespace imps::kube
