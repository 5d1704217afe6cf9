// Time as an input. Steady time drives timers and deadlines; wall time is only for what the
// outside world defines in calendar terms (SigV4 dates, token expiries, RFC 3339 stamps).
// Tests substitute a manual clock.
#pragma once

#include <cstdint>
#include <string>

namespace imps {

using Millis = int64_t;  // milliseconds; steady time since an arbitrary origin

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis steady_ms() const = 0;
  virtual int64_t wall_unix_ms() const = 0;  // milliseconds since 1970-01-01T00:00:00Z
};

// The process clock (CLOCK_MONOTONIC / CLOCK_REALTIME).
Clock& system_clock();

// Test clock: moves only when told to.
class ManualClock : public Clock {
 public:
  Millis steady_ms() const override { return steady_; }
  int64_t wall_unix_ms() const override { return wall_; }
  void advance(Millis ms) { steady_ += ms; wall_ += ms; }
  void set_wall_unix_ms(int64_t ms) { wall_ = ms; }

 private:
  Millis steady_ = 1'000'000;
  int64_t wall_ = 1'700'000'000'000;
};

// "2024-05-01T12:00:00Z" (seconds precision, UTC).
std::string format_rfc3339(int64_t unix_seconds);
// "2024-05-01T12:00:00.123456Z" (Kubernetes MicroTime: exactly six fractional digits).
std::string format_rfc3339_micro(int64_t unix_micros);
// Parses RFC 3339 UTC or offset times with an optional fraction of any length; returns unix
// milliseconds, or -1 when malformed.
int64_t parse_rfc3339_ms(std::string_view text);
// Parses an HTTP date in the IMF-fixdate form every current server sends (RFC 9110 5.6.7,
// "Sun, 06 Nov 1994 08:49:37 GMT"); returns unix milliseconds, or -1 for anything else.
int64_t parse_http_date_ms(std::string_view text);

}  // namespace imps
