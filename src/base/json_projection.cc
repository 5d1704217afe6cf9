#include "base/json_projection.h"

#include <string>

namespace imps {
namespace {

using Node = std::unique_ptr<cJSON, CJsonDeleter>;

// The same nesting bound as a full cJSON parse, counted from the document's root.
constexpr int kMaxDepth = CJSON_NESTING_LIMIT;

bool keeps_whole(const JsonProjection& projection) {
  return projection.keep_others && projection.members.empty();
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A recursive-descent pass over the text that builds nodes only for projected members. Every
// function leaves pos_ just past what it consumed; on failure pos_ is where the input went wrong.
class ProjectingParser {
 public:
  explicit ProjectingParser(std::string_view text) : text_(text) {}

  Result<Json> document(const JsonProjection& projection) {
    Node root = value(projection, 0);
    if (!root) return make_error(ErrorKind::Invalid, "malformed JSON near byte " + std::to_string(pos_));
    skip_space();
    if (pos_ < text_.size())
      return make_error(ErrorKind::Invalid, "trailing data after JSON document at byte " + std::to_string(pos_));
    return Json(root.release());
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }

  bool consume(char c) {
    skip_space();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  Node value(const JsonProjection& projection, int depth) {
    skip_space();
    if (keeps_whole(projection)) return whole(depth);
    if (peek() == '{') return object(projection, depth + 1);
    if (peek() == '[') return array(projection, depth + 1);
    return whole(depth);
  }

  Node object(const JsonProjection& projection, int depth) {
    if (depth > kMaxDepth) return nullptr;
    ++pos_;  // '{'
    Node out(cJSON_CreateObject());
    if (consume('}')) return out;
    do {
      skip_space();
      std::string name;
      if (!key(name) || !consume(':')) return nullptr;
      const JsonProjection* member = projection.keep_others ? &kJsonWhole : nullptr;
      for (const JsonProjection::Member& m : projection.members) {
        if (m.key == name) {
          member = m.projection;
          break;
        }
      }
      if (member == nullptr) {
        if (!skip_value(depth)) return nullptr;
        continue;
      }
      Node child = value(*member, depth);
      if (!child) return nullptr;
      cJSON_AddItemToObject(out.get(), name.c_str(), child.release());
    } while (consume(','));
    return consume('}') ? std::move(out) : nullptr;
  }

  Node array(const JsonProjection& projection, int depth) {
    if (depth > kMaxDepth) return nullptr;
    ++pos_;  // '['
    Node out(cJSON_CreateArray());
    if (consume(']')) return out;
    do {
      Node element = value(projection, depth);
      if (!element) return nullptr;
      cJSON_AddItemToArray(out.get(), element.release());
    } while (consume(','));
    return consume(']') ? std::move(out) : nullptr;
  }

  // A value kept as it is: checked (and its extent found) by skip_value, then parsed by cJSON.
  Node whole(int depth) {
    skip_space();
    const size_t start = pos_;
    if (!skip_value(depth)) return nullptr;
    const std::string_view span = text_.substr(start, pos_ - start);
    const char* end = nullptr;
    Node out(cJSON_ParseWithLengthOpts(span.data(), span.size(), &end, false));
    if (!out || end != span.data() + span.size()) {  // e.g. a number too long for cJSON
      pos_ = end && end >= span.data() ? start + size_t(end - span.data()) : start;
      return nullptr;
    }
    return out;
  }

  // An object member's name, unescaped (names with escapes are rare: cJSON decodes those).
  bool key(std::string& out) {
    const size_t start = pos_;
    if (peek() != '"' || !skip_string()) return false;
    const std::string_view raw = text_.substr(start + 1, pos_ - start - 2);
    if (raw.find('\\') == std::string_view::npos) {
      out.assign(raw);
      return true;
    }
    Node decoded(cJSON_ParseWithLength(text_.data() + start, pos_ - start));
    if (!cJSON_IsString(decoded.get())) return false;
    out = decoded->valuestring;
    return true;
  }

  bool skip_value(int depth) {
    skip_space();
    switch (peek()) {
      case '{': return skip_container('}', depth + 1, true);
      case '[': return skip_container(']', depth + 1, false);
      case '"': return skip_string();
      case 't': return skip_literal("true");
      case 'f': return skip_literal("false");
      case 'n': return skip_literal("null");
      default: return skip_number();
    }
  }

  bool skip_container(char close, int depth, bool members) {
    if (depth > kMaxDepth) return false;
    ++pos_;
    if (consume(close)) return true;
    do {
      if (members) {
        skip_space();
        if (peek() != '"' || !skip_string() || !consume(':')) return false;
      }
      if (!skip_value(depth)) return false;
    } while (consume(','));
    return consume(close);
  }

  bool skip_string() {
    ++pos_;  // '"'
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        ++pos_;
        continue;
      }
      const char escaped = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
      if (escaped == 'u') {
        for (size_t i = pos_ + 2; i < pos_ + 6; ++i)
          if (i >= text_.size() || !is_hex(text_[i])) return false;
        pos_ += 6;
      } else if (std::string_view("\"\\/bfnrt").find(escaped) != std::string_view::npos && escaped != '\0') {
        pos_ += 2;
      } else {
        return false;
      }
    }
    return false;
  }

  bool skip_digits() {
    const size_t start = pos_;
    while (is_digit(peek())) ++pos_;
    return pos_ > start;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool skip_number() {
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!skip_digits()) {
      return false;
    }
    if (peek() == '.') {
      ++pos_;
      if (!skip_digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!skip_digits()) return false;
    }
    return true;
  }

  bool skip_literal(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<Json> parse_projected(std::string_view text, const JsonProjection& projection) {
  return ProjectingParser(text).document(projection);
}

}  // namespace imps
