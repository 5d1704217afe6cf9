// Watch streams: the de-chunked body is a sequence of '\n'-terminated JSON events whose
// boundaries are unrelated to chunk boundaries. WatchLineSplitter buffers arbitrary chunks and
// yields complete lines; decode_watch_event turns one line into a WatchEvent.
// Memory is bounded by the per-event cap (a line longer than it is ErrorKind::TooLarge and the
// splitter stays failed: the caller must drop the connection). Blank lines are skipped.
// Neither does I/O nor tracks resourceVersions (that is the reflector's job).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/result.h"
#include "kube/projection.h"

namespace imps::kube {

// etcd keeps objects under ~1.5 MiB, so a legitimate event is far smaller; the generous cap
// never rejects a real event yet still bounds what a broken or hostile peer can make us buffer.
inline constexpr size_t kDefaultMaxWatchEventBytes = 64u << 20;

class WatchLineSplitter {
 public:
  explicit WatchLineSplitter(size_t max_line_bytes = kDefaultMaxWatchEventBytes)
      : max_line_(max_line_bytes) {}

  // Buffers `bytes`; fails (and stays failed) once a line exceeds the cap.
  Status feed(std::string_view bytes);
  // The next complete line without its '\n' (and without a trailing '\r'), if any.
  std::optional<std::string> next_line();
  // Bytes of an incomplete line still buffered (non-zero at end of stream = truncated event).
  size_t pending_bytes() const { return buffer_.size() - read_pos_; }

 private:
  std::string buffer_;
  size_t read_pos_ = 0;    // start of the first unconsumed line
  size_t line_start_ = 0;  // start of the line being scanned by feed()
  size_t max_line_;
  bool failed_ = false;
};

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type = Type::Added;
  Json object;                   // the event's object (for Error, the Status)
  std::string resource_version;  // object.metadata.resourceVersion; empty for Error
  Error error;                   // for Error: the Status as an Error (410 → ErrorKind::Gone)
};

const char* to_string(WatchEvent::Type type);

// Malformed JSON, a missing or unknown type, a missing object or (except ERROR) a missing
// resourceVersion are ErrorKind::Invalid errors naming what was wrong. The object keeps what
// `projection` names (kube/projection.h); an ERROR's Status must survive it.
Result<WatchEvent> decode_watch_event(std::string_view line, const JsonProjection& projection = kObjectProjection);

}  // namespace imps::kube
