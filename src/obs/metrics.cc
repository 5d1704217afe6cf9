#include "obs/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <variant>

namespace imps::obs {

using Kind = MetricKind;

struct Registry::Series {
  Labels labels;
  std::variant<Counter, Gauge, Histogram> metric;
};

struct Registry::Family {
  std::string name;
  std::string help;
  Kind kind;
  std::vector<double> bounds;  // histograms only
  std::vector<std::unique_ptr<Series>> series;  // unique_ptr: handed-out references stay valid
};

namespace {

// Registration errors are programming errors (see metrics.h): fail loudly at startup.
[[noreturn]] void registration_failed(std::string_view name, const char* why) {
  std::fprintf(stderr, "imps: metric %.*s: %s\n", static_cast<int>(name.size()), name.data(), why);
  std::abort();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_alpha_(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Counter: return "counter";
    case Kind::Gauge: return "gauge";
    case Kind::Histogram: return "histogram";
  }
  return "untyped";
}

void check_series_rules(std::string_view name, Kind kind, const Labels& labels) {
  if (!valid_metric_name(name)) registration_failed(name, "invalid name");
  constexpr std::string_view kPrefixes[] = {"imps_", "controller_runtime_", "workqueue_"};
  if (std::none_of(std::begin(kPrefixes), std::end(kPrefixes),
                   [&](std::string_view prefix) { return name.substr(0, prefix.size()) == prefix; }))
    registration_failed(name, "name must start with imps_ (or controller_runtime_, workqueue_)");
  const bool total = ends_with(name, "_total");
  if (kind == Kind::Counter && !total) registration_failed(name, "counter names end in _total");
  if (kind != Kind::Counter && total) registration_failed(name, "only counters end in _total");
  if (kind == Kind::Histogram && !ends_with(name, "_seconds") && !ends_with(name, "_bytes"))
    registration_failed(name, "histogram names end in their unit (_seconds, _bytes)");
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i].first;
    if (!valid_label_name(label)) registration_failed(name, "invalid label name");
    if (kind == Kind::Histogram && label == "le") registration_failed(name, "label le is reserved");
    for (size_t j = 0; j < i; ++j) {
      if (labels[j].first == label) registration_failed(name, "duplicate label name");
    }
  }
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// {a="x",b="y"} with an optional extra label (le for buckets); nothing when there are no labels.
void append_labels(std::string& out, const Labels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += key;
    out += "=\"";
    append_escaped(out, value, true);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix, const Labels& labels,
                   const std::string& value, std::string_view le = {}) {
  out += name;
  out += suffix;
  append_labels(out, labels, le);
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_alpha_(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!is_alpha_(c) && !is_digit(c) && c != ':') return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || !is_alpha_(name[0]) || name.substr(0, 2) == "__") return false;
  for (char c : name) {
    if (!is_alpha_(c) && !is_digit(c)) return false;
  }
  return true;
}

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // 15 significant digits print most values short ("0.1"); 17 always read back exactly.
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(bounds_.size(), 0) {}

void Histogram::observe(double v) {
  ++count_;
  sum_ += v;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (v <= bounds_[i]) {
      ++buckets_[i];
      return;
    }
  }
}

uint64_t Histogram::cumulative_count(size_t i) const {
  uint64_t total = 0;
  for (size_t k = 0; k <= i && k < buckets_.size(); ++k) total += buckets_[k];
  return total;
}

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Series& Registry::series(std::string_view name, std::string_view help, Kind kind,
                                   const std::vector<double>& bounds, Labels labels) {
  check_series_rules(name, kind, labels);
  Family* family = nullptr;
  for (auto& f : families_) {
    if (f->name == name) family = f.get();
  }
  if (family == nullptr) {
    families_.push_back(std::make_unique<Family>(Family{std::string(name), std::string(help), kind, bounds, {}}));
    family = families_.back().get();
  } else if (family->kind != kind) {
    registration_failed(name, "registered before with another type");
  } else if (family->bounds != bounds) {
    registration_failed(name, "registered before with other buckets");
  }
  for (auto& s : family->series) {
    if (s->labels == labels) return *s;
  }
  if (!family->series.empty() && family->series.front()->labels.size() != labels.size())
    registration_failed(name, "every series of a family has the same label names");
  auto metric = kind == Kind::Counter ? decltype(Series::metric)(Counter{})
                : kind == Kind::Gauge ? decltype(Series::metric)(Gauge{})
                                      : decltype(Series::metric)(Histogram(bounds));
  family->series.push_back(std::make_unique<Series>(Series{std::move(labels), std::move(metric)}));
  return *family->series.back();
}

Counter& Registry::counter(std::string_view name, std::string_view help, Labels labels) {
  return std::get<Counter>(series(name, help, Kind::Counter, {}, std::move(labels)).metric);
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, Labels labels) {
  return std::get<Gauge>(series(name, help, Kind::Gauge, {}, std::move(labels)).metric);
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                               Labels labels) {
  if (upper_bounds.empty()) registration_failed(name, "a histogram needs buckets");
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1]))
      registration_failed(name, "bucket bounds must be finite and strictly increasing");
  }
  return std::get<Histogram>(series(name, help, Kind::Histogram, upper_bounds, std::move(labels)).metric);
}

std::string Registry::expose() const {
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP ";
    out += f->name;
    out += ' ';
    append_escaped(out, f->help, false);
    out += "\n# TYPE ";
    out += f->name;
    out += ' ';
    out += kind_name(f->kind);
    out += '\n';
    for (const auto& s : f->series) {
      if (const auto* c = std::get_if<Counter>(&s->metric)) {
        append_sample(out, f->name, "", s->labels, format_metric_value(c->value()));
      } else if (const auto* g = std::get_if<Gauge>(&s->metric)) {
        append_sample(out, f->name, "", s->labels, format_metric_value(g->value()));
      } else if (const auto* h = std::get_if<Histogram>(&s->metric)) {
        for (size_t i = 0; i < h->upper_bounds().size(); ++i) {
          append_sample(out, f->name, "_bucket", s->labels, std::to_string(h->cumulative_count(i)),
                        format_metric_value(h->upper_bounds()[i]));
        }
        append_sample(out, f->name, "_bucket", s->labels, std::to_string(h->count()), "+Inf");
        append_sample(out, f->name, "_sum", s->labels, format_metric_value(h->sum()));
        append_sample(out, f->name, "_count", s->labels, std::to_string(h->count()));
      }
    }
  }
  return out;
}

}  // namespace imps::obs
