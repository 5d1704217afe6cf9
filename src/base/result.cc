#include "base/result.h"

namespace imps {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Transient: return "transient";
    case ErrorKind::Conflict: return "conflict";
    case ErrorKind::Gone: return "gone";
    case ErrorKind::Unauthorized: return "unauthorized";
    case ErrorKind::Forbidden: return "forbidden";
    case ErrorKind::NotFound: return "not-found";
    case ErrorKind::AlreadyExists: return "already-exists";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::TooLarge: return "too-large";
    case ErrorKind::Fatal: return "fatal";
  }
  return "unknown";
}

Error Error::context(std::string_view what) && {
  std::string m;
  m.reserve(what.size() + 2 + message.size());
  m.append(what).append(": ").append(message);
  message = std::move(m);
  return std::move(*this);
}

bool waits_for_change(ErrorKind kind) { return kind == ErrorKind::Invalid || kind == ErrorKind::Forbidden; }

}  // namespace imps
