// Errors as values. An Error carries a kind that tells the caller what to do about it (retry,
// relist, report), the numeric code of the layer that produced it (HTTP status, errno, mbedTLS
// code) and a message with enough context to act on. Messages never contain secrets: whoever
// builds an Error from outside data must leave credentials out.
// Result<T> is either a T or an Error; Status is Result<void>. Success costs nothing extra.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace imps {

enum class ErrorKind {
  Transient,     // try again later (network, 5xx, 429, throttling)
  Conflict,      // optimistic concurrency lost (409): re-read and retry
  Gone,          // 410 / expired resourceVersion: relist
  Unauthorized,  // 401: re-read credentials, then retry once
  Forbidden,     // 403
  NotFound,      // 404
  AlreadyExists, // 409 AlreadyExists on create
  Invalid,       // malformed input or a request the peer rejected as invalid; retrying won't help
  TooLarge,      // a size cap was exceeded
  Fatal,         // the process cannot go on
};

const char* to_string(ErrorKind kind);
// Invalid and Forbidden: the same request fails the same way until the object, the spec or the
// RBAC changes, so the caller waits for a change or the next resync instead of backing off
// forever (docs/architecture.md).
bool waits_for_change(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::Fatal;
  std::string message;
  int code = 0;  // HTTP status, errno or library code, 0 when none applies

  // Prefixes context: Error{...}.context("GET /api/v1/pods") → "GET /api/v1/pods: <message>".
  Error context(std::string_view what) &&;
};

inline Error make_error(ErrorKind kind, std::string message, int code = 0) {
  return Error{kind, std::move(message), code};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace imps

#define IMPS_CONCAT_INNER(a, b) a##b
#define IMPS_CONCAT(a, b) IMPS_CONCAT_INNER(a, b)

// TRY(expr): returns the error of a failed Status/Result from the enclosing function.
#define TRY(expr)                                             \
  do {                                                        \
    auto&& imps_try_result_ = (expr);                         \
    if (!imps_try_result_.ok()) return std::move(imps_try_result_).error(); \
  } while (0)

// TRY_ASSIGN(lhs, expr): lhs = the value of a Result, or return its error.
#define TRY_ASSIGN(lhs, expr) TRY_ASSIGN_IMPL(IMPS_CONCAT(imps_try_, __LINE__), lhs, expr)
#define TRY_ASSIGN_IMPL(tmp, lhs, expr)               \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).error();       \
  lhs = std::move(tmp).value()
