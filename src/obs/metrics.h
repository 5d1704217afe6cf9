// A small metrics registry with Prometheus text exposition (format 0.0.4).
// Series are registered once, with a fixed label set (values are strings), and the registry hands
// back a stable reference to update: `Counter& c = reg.counter("imps_x_total", "help", {{"k", "v"}})`.
// Series of one name form a family (one # HELP / # TYPE); families and series appear in
// registration order, so the exposition is deterministic.
// Invariants: names follow Prometheus conventions for this project (checked at registration):
// `imps_` prefix (or `controller_runtime_` / `workqueue_` for the families the Go original's
// dashboards read, see modes/controller_metrics.h), [a-zA-Z0-9_:] only, counters end in `_total`, histograms in `_seconds` or
// `_bytes`; label names are [a-zA-Z_][a-zA-Z0-9_]* and not `__`-prefixed (nor `le` on
// histograms). Breaking them is a programming error, caught by the first test that registers:
// registration aborts with a message, as client_golang's MustRegister panics.
// Not thread-safe (one thread by design); there is no global registry: main owns one and passes it
// down. Series are never removed: label values come from a fixed vocabulary (result, verb, code),
// never from object names, so the series count stays bounded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imps::obs {

using Labels = std::vector<std::pair<std::string, std::string>>;
enum class MetricKind { Counter, Gauge, Histogram };

class Counter {
 public:
  void inc(double by = 1.0) { if (by > 0) value_ += by; }  // counters only go up
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void add(double by) { value_ += by; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Observations <= upper_bounds()[i] (cumulative, as exposed).
  uint64_t cumulative_count(size_t i) const;

 private:
  std::vector<double> bounds_;     // strictly increasing, finite; +Inf is implicit
  std::vector<uint64_t> buckets_;  // per-bucket (not cumulative) counts, same size as bounds_
  uint64_t count_ = 0;
  double sum_ = 0;
};

// Request latencies from a local API server (milliseconds) to a slow AWS call (seconds).
inline const std::vector<double> kLatencyBucketsSeconds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,    2.5,   5,    10};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registering the same name and label set again returns the same series.
  Counter& counter(std::string_view name, std::string_view help, Labels labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, Labels labels = {});
  // Every series of one histogram family must use the same bounds.
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                       Labels labels = {});

  // The body of GET /metrics (Content-Type: text/plain; version=0.0.4).
  std::string expose() const;

 private:
  struct Series;
  struct Family;
  Series& series(std::string_view name, std::string_view help, MetricKind kind,
                 const std::vector<double>& bounds, Labels labels);
  std::vector<std::unique_ptr<Family>> families_;
};

// Exposed for tests of the registration rules.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);
// Prometheus sample value: "3", "0.25", "+Inf", "-Inf", "NaN"; shortest form that reads back exactly.
std::string format_metric_value(double v);

}  // namespace imps::obs
