// One running watch request: sends it (with a fresh bearer token), splits the streamed body into
// events (WatchLineSplitter, capped per event), decodes them and hands them to WatchHandlers.
// A non-2xx answer is collected (bounded) and reported through on_end as an api_status error; a
// 401 re-reads the token and re-sends the watch once. Malformed or oversized events drop the
// stream and end it with that error.
// Owned through shared_ptr: transport callbacks hold a reference, so a handler may stop (and
// release) the watch from inside its own callback. Private to the client (see client.h: Watch).
#pragma once

#include <memory>
#include <string>

#include "kube/client.h"

namespace imps::kube {

// Status bodies are small; an error page larger than this is cut (its head is enough).
inline constexpr size_t kMaxErrorBodyBytes = 64 << 10;

class WatchStream : public std::enable_shared_from_this<WatchStream> {
 public:
  // `counts` records every request this stream sends (its initial one and a 401 re-send) as a
  // watch, and its answer: the head's status, or kNoAnswer when the stream ends before a head.
  // Events keep what `projection` names of their objects; it must outlive the stream.
  WatchStream(loop::EventLoop& loop, Transport& transport, TokenSource& tokens, http::Request request,
              WatchHandlers handlers, size_t max_event_bytes, const JsonProjection& projection,
              RequestCounts& counts);

  void start();
  void stop();

 private:
  void head(const http::Response& response);
  void data(std::string_view bytes);
  void end(Status status);
  void finish(Status status);  // drops the stream (if still open) and reports the end once

  loop::EventLoop& loop_;
  Transport& transport_;
  TokenSource& tokens_;
  http::Request request_;  // without Authorization: added afresh on each send
  WatchHandlers handlers_;
  size_t max_event_bytes_;
  const JsonProjection& projection_;
  RequestCounts& counts_;
  WatchLineSplitter splitter_;
  http::RequestId id_ = 0;
  bool stopped_ = false;
  bool reauthenticated_ = false;
  bool answered_ = false;  // the current send's head arrived
  http::Response error_;  // head and (bounded) body of a non-2xx answer; status 0 = none
};

}  // namespace imps::kube
