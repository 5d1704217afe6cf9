#include "kube/watch_decoder.h"

#include "kube/api_status.h"

namespace imps::kube {
namespace {

Error too_large(size_t cap) {
  return make_error(ErrorKind::TooLarge, "watch event longer than " + std::to_string(cap) + " bytes");
}

Error invalid(std::string what) { return make_error(ErrorKind::Invalid, "watch event: " + std::move(what)); }

// Event types come from the peer: quote at most this much of an unknown one.
constexpr size_t kMaxQuotedTypeChars = 32;

std::string quote_type(std::string_view type) {
  std::string out = "\"";
  for (char c : type.substr(0, kMaxQuotedTypeChars)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (type.size() > kMaxQuotedTypeChars) out += "...";
  return out += "\"";
}

std::optional<WatchEvent::Type> parse_type(std::string_view type) {
  using T = WatchEvent::Type;
  if (type == "ADDED") return T::Added;
  if (type == "MODIFIED") return T::Modified;
  if (type == "DELETED") return T::Deleted;
  if (type == "BOOKMARK") return T::Bookmark;
  if (type == "ERROR") return T::Error;
  return std::nullopt;
}

}  // namespace

Status WatchLineSplitter::feed(std::string_view bytes) {
  if (failed_) return too_large(max_line_);
  // Check before buffering so an oversized line never grows the buffer past the cap + one chunk.
  size_t line_len = buffer_.size() - line_start_;
  for (char c : bytes) {
    if (c == '\n') {
      line_len = 0;
    } else if (++line_len > max_line_) {
      failed_ = true;
      std::string().swap(buffer_);
      read_pos_ = line_start_ = 0;
      return too_large(max_line_);
    }
  }
  if (read_pos_ > 0 && read_pos_ >= buffer_.size() / 2) {
    buffer_.erase(0, read_pos_);
    line_start_ -= read_pos_;
    read_pos_ = 0;
  }
  buffer_.append(bytes);
  line_start_ = buffer_.size() - line_len;
  return {};
}

std::optional<std::string> WatchLineSplitter::next_line() {
  // Only [read_pos_, line_start_) holds complete lines: never rescan a long partial line.
  while (read_pos_ < line_start_) {
    const size_t nl = buffer_.find('\n', read_pos_);
    size_t end = nl;
    if (end > read_pos_ && buffer_[end - 1] == '\r') --end;
    std::string line = buffer_.substr(read_pos_, end - read_pos_);
    read_pos_ = nl + 1;
    if (!line.empty()) return line;
  }
  if (read_pos_ == buffer_.size()) {
    buffer_.clear();
    read_pos_ = line_start_ = 0;
  }
  return std::nullopt;
}

const char* to_string(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::Added: return "ADDED";
    case WatchEvent::Type::Modified: return "MODIFIED";
    case WatchEvent::Type::Deleted: return "DELETED";
    case WatchEvent::Type::Bookmark: return "BOOKMARK";
    case WatchEvent::Type::Error: return "ERROR";
  }
  return "UNKNOWN";
}

Result<WatchEvent> decode_watch_event(std::string_view line, const JsonProjection& projection) {
  auto parsed = parse_watch_event(line, projection);
  if (!parsed.ok()) return std::move(parsed).error().context("watch event");
  Json doc = std::move(parsed).value();
  if (!cJSON_IsObject(doc.get())) return invalid("not a JSON object");

  const auto type_text = json_string(doc.get(), "type");
  if (!type_text) return invalid("missing \"type\"");
  const auto type = parse_type(*type_text);
  if (!type) return invalid("unknown type " + quote_type(*type_text));

  cJSON* object = cJSON_DetachItemFromObjectCaseSensitive(doc.get(), "object");
  WatchEvent event;
  event.type = *type;
  event.object = Json(object);
  if (!cJSON_IsObject(object)) return invalid(std::string(to_string(*type)) + " without an object");

  if (*type == WatchEvent::Type::Error) {
    event.error = api_error_from_status(object).error;
    return event;
  }
  const auto rv = json_string(json_member(object, "metadata"), "resourceVersion");
  if (!rv || rv->empty()) return invalid(std::string(to_string(*type)) + " object without metadata.resourceVersion");
  event.resource_version = std::string(*rv);
  return event;
}

}  // namespace imps::kube
