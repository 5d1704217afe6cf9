#include "kube/watch_stream.h"

#include "kube/api_status.h"

namespace imps::kube {

WatchStream::WatchStream(loop::EventLoop& loop, Transport& transport, TokenSource& tokens, http::Request request,
                         WatchHandlers handlers, size_t max_event_bytes, const JsonProjection& projection,
                         RequestCounts& counts)
    : loop_(loop),
      transport_(transport),
      tokens_(tokens),
      request_(std::move(request)),
      handlers_(std::move(handlers)),
      max_event_bytes_(max_event_bytes),
      projection_(projection),
      counts_(counts),
      splitter_(max_event_bytes) {}

void WatchStream::start() {
  http::Request request = request_;
  Status auth = set_authorization(request, tokens_);
  if (!auth.ok()) {
    // Reported from the loop, not from inside watch(): callers never see a synchronous callback.
    loop_.defer([weak = weak_from_this(), error = std::move(auth).error()]() mutable {
      if (auto self = weak.lock()) self->finish(std::move(error));
    });
    return;
  }
  splitter_ = WatchLineSplitter(max_event_bytes_);
  error_ = http::Response{};
  ++counts_.watch;
  answered_ = false;
  auto self = shared_from_this();
  http::StreamHandlers handlers;
  handlers.on_head = [self](const http::Response& response) { self->head(response); };
  handlers.on_data = [self](std::string_view bytes) { self->data(bytes); };
  handlers.on_end = [self](Status status) { self->end(std::move(status)); };
  id_ = transport_.stream(std::move(request), std::move(handlers));
}

void WatchStream::stop() {
  stopped_ = true;
  if (id_ != 0) transport_.cancel(id_);
  id_ = 0;
}

void WatchStream::head(const http::Response& response) {
  if (stopped_) return;
  answered_ = true;
  ++counts_.answered[{Verb::Watch, response.status}];
  if (response.status >= 200 && response.status < 300) {
    if (handlers_.on_open) handlers_.on_open();
    return;
  }
  error_.status = response.status;
  error_.reason = response.reason;
  error_.headers = response.headers;
}

void WatchStream::data(std::string_view bytes) {
  if (stopped_) return;
  auto keep_alive = shared_from_this();  // a handler may release the last outside reference
  if (error_.status != 0) {
    size_t room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, error_.body.size());
    error_.body.append(bytes.substr(0, room));
    return;
  }
  Status fed = splitter_.feed(bytes);
  if (!fed.ok()) return finish(std::move(fed).error().context("watch event"));
  while (!stopped_) {
    std::optional<std::string> line = splitter_.next_line();
    if (!line) break;
    Result<WatchEvent> event = decode_watch_event(*line, projection_);
    if (!event.ok()) return finish(std::move(event).error().context("watch event"));
    if (handlers_.on_event) handlers_.on_event(std::move(event).value());
  }
}

void WatchStream::end(Status status) {
  if (stopped_) return;
  auto keep_alive = shared_from_this();
  id_ = 0;
  if (!answered_) ++counts_.answered[{Verb::Watch, kNoAnswer}];
  if (error_.status == 401 && !reauthenticated_) {
    reauthenticated_ = true;
    tokens_.invalidate();
    start();
    return;
  }
  if (error_.status != 0) return finish(parse_api_error(error_).error);
  finish(std::move(status));
}

void WatchStream::finish(Status status) {
  if (stopped_) return;
  stop();
  if (handlers_.on_end) handlers_.on_end(std::move(status));
}

}  // namespace imps::kube
