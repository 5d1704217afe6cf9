#include "kube/client.h"

#include <algorithm>

#include "kube/api_status.h"
#include "kube/watch_stream.h"

namespace imps::kube {
namespace {

// An expired continue token restarts the whole list; a list that keeps outliving the server's
// continue window (≈5 min of compaction) will not succeed by trying forever.
constexpr int kMaxListRestarts = 3;

bool success(int status) { return status >= 200 && status < 300; }

// "GET /api/v1/namespaces/x/secrets": context for errors, without the query (selectors and
// continue tokens add nothing a reader needs).
std::string describe(const http::Request& request) {
  std::string_view target = request.target;
  return request.method + " " + std::string(target.substr(0, target.find('?')));
}

Result<Json> parse_body(const http::Response& response, const JsonProjection* list_items) {
  // 202/204-style answers may come without a body; callers get an empty object, not an error.
  if (response.body.empty()) return Json::object();
  if (list_items) return parse_list(response.body, *list_items);
  return parse_projected(response.body, kObjectProjection);
}

}  // namespace

struct Client::Call {
  Verb verb;
  http::Request request;  // without Authorization: added afresh on each send
  std::function<void(Result<http::Response>)> done;
  Handling handling;  // of every attempt: retries and 401 re-sends included
  bool holds_slot = false;  // a windowed call between start() and its answer (or Retry-After)
  int retries = 0;
  bool reauthenticated = false;
  loop::Timer timer;
  http::RequestId in_flight = 0;
};

struct Client::PagedList {
  ResourceType type;
  std::string ns;
  ListOptions first;  // as the caller asked, for restarts
  ListOptions page;   // the next page's options
  Shape shape;
  const JsonProjection& projection;
  ListPageHandlers handlers;
  std::string resource_version;  // the snapshot's, from the attempt's first page
  int restarts = 0;
};

Status set_authorization(http::Request& request, TokenSource& tokens) {
  TRY_ASSIGN(std::string token, tokens.token());
  if (!token.empty()) request.headers.push_back({"Authorization", "Bearer " + token});
  return {};
}

std::string default_user_agent(std::string_view component) {
#if defined(__x86_64__)
  constexpr const char* kArch = "amd64";
#elif defined(__aarch64__)
  constexpr const char* kArch = "arm64";
#else
  constexpr const char* kArch = "unknown";
#endif
  std::string agent = std::string("imps/") + IMPS_VERSION + " (linux/" + kArch + ")";
  if (!component.empty()) agent += " " + std::string(component);
  return agent;
}

Client::Client(loop::EventLoop& loop, std::unique_ptr<Transport> transport, TokenSource tokens,
               ClientOptions options, std::string path_prefix)
    : loop_(loop),
      transport_(std::move(transport)),
      tokens_(std::move(tokens)),
      options_(std::move(options)),
      path_prefix_(std::move(path_prefix)),
      user_agent_(default_user_agent(options_.component)),
      limiter_(loop.clock(), options_.qps, options_.burst),
      low_priority_timer_(loop) {}

Client::~Client() {
  for (auto& [id, call] : calls_) {
    if (call->in_flight != 0) transport_->cancel(call->in_flight);
  }
}

const char* verb_name(Verb verb) {
  switch (verb) {
    case Verb::Get: return "get";
    case Verb::List: return "list";
    case Verb::Watch: return "watch";
    case Verb::Create: return "create";
    case Verb::Update: return "update";
    case Verb::Patch: return "patch";
    case Verb::Delete: break;
  }
  return "delete";
}

RequestCounts& RequestCounts::operator+=(const RequestCounts& other) {
  get += other.get;
  list += other.list;
  watch += other.watch;
  create += other.create;
  update += other.update;
  patch += other.patch;
  remove += other.remove;
  for (const auto& [key, total] : other.answered) answered[key] += total;
  return *this;
}

uint64_t& Client::count(Verb verb) {
  switch (verb) {
    case Verb::Get: return counts_.get;
    case Verb::List: return counts_.list;
    case Verb::Watch: return counts_.watch;
    case Verb::Create: return counts_.create;
    case Verb::Update: return counts_.update;
    case Verb::Patch: return counts_.patch;
    case Verb::Delete: break;
  }
  return counts_.remove;
}

http::Request Client::build(std::string method, std::string target, std::string_view accept) const {
  http::Request request;
  request.method = std::move(method);
  request.target = path_prefix_ + target;
  request.headers.push_back({"Accept", std::string(accept)});
  request.headers.push_back({"User-Agent", user_agent_});
  request.timeout_ms = options_.request_timeout_ms;
  return request;
}

void Client::submit(std::unique_ptr<Call> call) {
  const uint64_t id = next_call_++;
  call->timer.bind(loop_);
  calls_[id] = std::move(call);
  take_place(id);
}

// Ids grow with submission, so keeping the queues sorted by id puts a call that is due again
// (after Retry-After or a 401) ahead of the calls submitted after it.
void Client::take_place(uint64_t id) {
  const Call& call = *calls_.at(id);
  const auto in_order = [id](std::deque<uint64_t>& queue) {
    queue.insert(std::upper_bound(queue.begin(), queue.end(), id), id);
  };
  if (call.handling.priority == Priority::Low) {
    in_order(low_priority_);
    if (!low_priority_timer_.pending()) admit_low_priority();
    return;
  }
  if (call.handling.windowed && !call.holds_slot && writes_in_flight_ >= std::max(options_.max_writes_in_flight, 1)) {
    in_order(waiting_writes_);
    return;
  }
  start(id);
}

void Client::release_slot(Call& call) {
  if (!call.holds_slot) return;
  call.holds_slot = false;
  --writes_in_flight_;
  if (waiting_writes_.empty()) return;
  const uint64_t next = waiting_writes_.front();
  waiting_writes_.pop_front();
  start(next);
}

// Sends waiting low-priority calls while tokens are spare and no object write waits for the
// window; otherwise looks again when a token could be spare (Normal reservations made meanwhile
// push that further out) or when the window's queue empties (finish()).
void Client::admit_low_priority() {
  while (!low_priority_.empty() && waiting_writes_.empty()) {
    Millis wait = limiter_.take_spare();
    if (wait > 0) {
      low_priority_timer_.start(wait, [this] { admit_low_priority(); });
      return;
    }
    const uint64_t id = low_priority_.front();
    low_priority_.pop_front();
    calls_.at(id)->timer.start(0, [this, id] { dispatch(id); });
  }
}

void Client::start(uint64_t id) {
  Call& call = *calls_.at(id);
  if (call.handling.windowed && !call.holds_slot) {
    call.holds_slot = true;
    ++writes_in_flight_;
  }
  // Always through a timer, even with no delay: callbacks never run inside the verb's call.
  call.timer.start(limiter_.reserve(), [this, id] { dispatch(id); });
}

void Client::dispatch(uint64_t id) {
  Call& call = *calls_.at(id);
  http::Request request = call.request;
  Status auth = set_authorization(request, tokens_);
  if (!auth.ok()) return finish(id, std::move(auth).error());
  ++count(call.verb);
  call.in_flight = transport_->send(
      std::move(request), [this, id](Result<http::Response> response) { answered(id, std::move(response)); });
}

void Client::answered(uint64_t id, Result<http::Response> response) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  call.in_flight = 0;
  ++counts_.answered[{call.verb, response.ok() ? response->status : kNoAnswer}];
  if (!response.ok() || success(response->status)) return finish(id, std::move(response));

  const int status = response->status;
  if (status == 401 && !call.reauthenticated) {
    call.reauthenticated = true;
    tokens_.invalidate();
    take_place(id);  // a write keeps its place: it is in flight in all but name
    return;
  }
  ApiError api = parse_api_error(*response);
  const bool retried = status >= 500 || (status == 429 && call.handling.retries_429);
  if (retried && api.retry_after_seconds && call.retries < kMaxRetries) {
    ++call.retries;
    // A throttled write leaves its place to others while it waits (the server may be throttling
    // only its namespace), then takes one again. The server's delay first, then the rate
    // limiter's, as client-go's retry loop does.
    release_slot(call);
    call.timer.start(Millis(*api.retry_after_seconds) * 1000, [this, id] { take_place(id); });
    return;
  }
  finish(id, std::move(api.error));
}

void Client::finish(uint64_t id, Result<http::Response> response) {
  auto it = calls_.find(id);
  std::unique_ptr<Call> call = std::move(it->second);
  calls_.erase(it);
  release_slot(*call);
  if (!low_priority_.empty() && !low_priority_timer_.pending()) admit_low_priority();
  if (!response.ok()) response = std::move(response).error().context(describe(call->request));
  call->done(std::move(response));
}

void Client::json_call(Verb verb, http::Request request, JsonCallback done, Handling handling,
                       const JsonProjection* list_items) {
  auto call = std::make_unique<Call>();
  call->verb = verb;
  call->handling = handling;
  call->request = std::move(request);
  call->done = [done = std::move(done), list_items](Result<http::Response> response) {
    if (!response.ok()) return done(std::move(response).error());
    Result<Json> body = parse_body(*response, list_items);
    std::string().swap(response->body);  // a list page's text goes before its consumer builds on it
    if (!body.ok()) return done(std::move(body).error().context("response body"));
    done(std::move(body).value());
  };
  submit(std::move(call));
}

void Client::get(const ResourceType& type, std::string_view ns, std::string_view name,
                 JsonCallback done, Shape shape) {
  std::string_view accept = shape == Shape::MetadataOnly ? kAcceptMetadata : kAcceptJson;
  json_call(Verb::Get, build("GET", object_path(type, ns, name), accept), std::move(done), {});
}

void Client::list(const ResourceType& type, std::string_view ns, const ListOptions& options,
                  JsonCallback done, Shape shape, const JsonProjection& projection) {
  std::string_view accept = shape == Shape::MetadataOnly ? kAcceptMetadataList : kAcceptJson;
  std::string target = with_query(collection_path(type, ns), list_query(options));
  json_call(Verb::List, build("GET", std::move(target), accept), std::move(done), {}, &projection);
}

void Client::list_pages(const ResourceType& type, std::string_view ns, ListOptions options,
                        ListPageHandlers handlers, Shape shape, const JsonProjection& projection) {
  if (options.limit == 0) options.limit = kDefaultPageSize;
  auto state = std::make_shared<PagedList>(
      PagedList{type, std::string(ns), options, options, shape, projection, std::move(handlers), {}, 0});
  next_page(std::move(state));
}

void Client::next_page(std::shared_ptr<PagedList> state) {
  list(state->type, state->ns, state->page, [this, state](Result<Json> page) {
    if (!page.ok()) {
      bool expired_continue = page.error().kind == ErrorKind::Gone && !state->page.continue_token.empty();
      if (!expired_continue || state->restarts >= kMaxListRestarts) return state->handlers.on_done(std::move(page).error());
      ++state->restarts;
      state->page = state->first;
      return next_page(state);
    }
    ListPage delivered;
    delivered.first = state->page.continue_token.empty();
    cJSON* root = page->get();
    const cJSON* metadata = json_member(root, "metadata");
    if (delivered.first) state->resource_version = json_string_or(metadata, "resourceVersion");
    delivered.resource_version = state->resource_version;
    cJSON* items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (items != nullptr && !cJSON_IsArray(items) && !cJSON_IsNull(items)) {
      return state->handlers.on_done(make_error(ErrorKind::Invalid, "list response: items is not an array"));
    }
    while (cJSON_IsArray(items) && items->child != nullptr) {
      delivered.items.emplace_back(cJSON_DetachItemFromArray(items, 0));
    }
    std::string next = json_string_or(metadata, "continue");
    *page = Json();  // the page's remains go before the consumer builds on its items
    if (!state->handlers.on_page(std::move(delivered))) return;
    if (next.empty()) return state->handlers.on_done(state->resource_version);
    // Later pages come from the first page's snapshot: the token carries it, and a
    // resourceVersion alongside a continue token is a 400.
    state->page.continue_token = std::move(next);
    state->page.resource_version.clear();
    state->page.resource_version_match.clear();
    next_page(state);
  }, state->shape, state->projection);
}

void Client::write_call(Verb verb, std::string method, std::string target, std::string_view content_type,
                        const Json& body, JsonCallback done, Handling handling) {
  http::Request request = build(std::move(method), std::move(target), kAcceptJson);
  request.headers.push_back({"Content-Type", std::string(content_type)});
  request.body = body.dump();
  json_call(verb, std::move(request), std::move(done), handling);
}

void Client::create(const ResourceType& type, std::string_view ns, const Json& object,
                    JsonCallback done) {
  write_call(Verb::Create, "POST", collection_path(type, ns), "application/json", object, std::move(done),
             {.windowed = true});
}

void Client::update(const ResourceType& type, std::string_view ns, std::string_view name,
                    const Json& object, JsonCallback done) {
  write_call(Verb::Update, "PUT", object_path(type, ns, name), "application/json", object, std::move(done),
             {.windowed = true});
}

void Client::update_status(const ResourceType& type, std::string_view ns, std::string_view name,
                           const Json& object, JsonCallback done, Priority priority) {
  write_call(Verb::Update, "PUT", status_path(type, ns, name), "application/json", object, std::move(done),
             {.priority = priority});
}

void Client::merge_patch(const ResourceType& type, std::string_view ns, std::string_view name,
                         const Json& patch, JsonCallback done) {
  write_call(Verb::Patch, "PATCH", object_path(type, ns, name), "application/merge-patch+json", patch,
             std::move(done), {.windowed = true});
}

void Client::evict(std::string_view ns, std::string_view name, std::string_view uid, JsonCallback done) {
  Json body = Json::object();
  json_set_string(body.get(), "apiVersion", "policy/v1");
  json_set_string(body.get(), "kind", "Eviction");
  cJSON* meta = json_add_object(body.get(), "metadata");
  json_set_string(meta, "name", name);
  json_set_string(meta, "namespace", ns);
  if (!uid.empty()) json_set_string(json_add_object(json_add_object(body.get(), "deleteOptions"), "preconditions"), "uid", uid);
  write_call(Verb::Create, "POST", eviction_path(ns, name), "application/json", body, std::move(done),
             {.windowed = true, .retries_429 = false});
}

void Client::remove(const ResourceType& type, std::string_view ns, std::string_view name,
                    const Preconditions& preconditions, JsonCallback done) {
  http::Request request = build("DELETE", object_path(type, ns, name), kAcceptJson);
  if (!preconditions.uid.empty() || !preconditions.resource_version.empty()) {
    Json options = Json::object();
    json_set_string(options.get(), "kind", "DeleteOptions");
    json_set_string(options.get(), "apiVersion", "v1");
    cJSON* pre = json_add_object(options.get(), "preconditions");
    if (!preconditions.uid.empty()) json_set_string(pre, "uid", preconditions.uid);
    if (!preconditions.resource_version.empty()) {
      json_set_string(pre, "resourceVersion", preconditions.resource_version);
    }
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = options.dump();
  }
  json_call(Verb::Delete, std::move(request), std::move(done), {.windowed = true});
}

Watch Client::watch(const ResourceType& type, std::string_view ns, const WatchOptions& options,
                    WatchHandlers handlers, Shape shape, const JsonProjection& projection) {
  std::string_view accept = shape == Shape::MetadataOnly ? kAcceptMetadata : kAcceptJson;
  http::Request request = build("GET", with_query(collection_path(type, ns), watch_query(options)), accept);
  request.timeout_ms = options_.watch_inactivity_ms;
  auto stream = std::make_shared<WatchStream>(loop_, *transport_, tokens_, std::move(request),
                                              std::move(handlers), options_.max_watch_event_bytes,
                                              projection, counts_);
  stream->start();
  return Watch(std::move(stream));
}

Watch& Watch::operator=(Watch&& other) noexcept {
  if (this != &other) {
    stop();
    stream_ = std::move(other.stream_);
  }
  return *this;
}

void Watch::stop() {
  if (stream_) stream_->stop();
  stream_.reset();
}

}  // namespace imps::kube
