#include "obs/metrics.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <limits>

#include <doctest/doctest.h>

using namespace imps::obs;

namespace {

// True when `body` aborts the process (registration errors are programming errors).
template <class F>
bool aborts(F body) {
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGABRT, SIG_DFL);  // doctest's crash handler would report it as a failure
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, STDERR_FILENO);
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

}  // namespace

TEST_CASE("exposition of counters and gauges, exactly") {
  Registry reg;
  Counter& ok = reg.counter("imps_reconciles_total", "Reconciliations by result.", {{"result", "ok"}});
  Counter& failed = reg.counter("imps_reconciles_total", "Reconciliations by result.", {{"result", "failed"}});
  Gauge& managed = reg.gauge("imps_managed_secrets", "Secrets currently managed.");
  ok.inc();
  ok.inc(2);
  failed.inc(0.5);
  managed.set(12);
  managed.add(-2);
  CHECK(reg.expose() ==
        "# HELP imps_reconciles_total Reconciliations by result.\n"
        "# TYPE imps_reconciles_total counter\n"
        "imps_reconciles_total{result=\"ok\"} 3\n"
        "imps_reconciles_total{result=\"failed\"} 0.5\n"
        "# HELP imps_managed_secrets Secrets currently managed.\n"
        "# TYPE imps_managed_secrets gauge\n"
        "imps_managed_secrets 10\n");
}

TEST_CASE("an empty registry exposes nothing") { CHECK(Registry().expose().empty()); }

TEST_CASE("registering again returns the same series") {
  Registry reg;
  Counter& a = reg.counter("imps_x_total", "X.", {{"a", "1"}, {"b", "2"}});
  Counter& b = reg.counter("imps_x_total", "X.", {{"a", "1"}, {"b", "2"}});
  CHECK(&a == &b);
  a.inc();
  // Many more series: references handed out earlier stay valid.
  for (int i = 0; i < 100; ++i) reg.counter("imps_x_total", "X.", {{"a", std::to_string(i)}, {"b", "x"}});
  b.inc();
  CHECK(a.value() == 2);
}

TEST_CASE("counters never go down") {
  Registry reg;
  Counter& c = reg.counter("imps_y_total", "Y.");
  c.inc(3);
  c.inc(-1);
  CHECK(c.value() == 3);
}

TEST_CASE("label values and help text are escaped") {
  Registry reg;
  reg.gauge("imps_info", "Line one\nback\\slash \"quotes\" stay.", {{"v", "a\"b\\c\nd"}, {"empty", ""}}).set(1);
  CHECK(reg.expose() ==
        "# HELP imps_info Line one\\nback\\\\slash \"quotes\" stay.\n"
        "# TYPE imps_info gauge\n"
        "imps_info{v=\"a\\\"b\\\\c\\nd\",empty=\"\"} 1\n");
}

TEST_CASE("histogram buckets are cumulative with +Inf, _sum and _count") {
  Registry reg;
  Histogram& h = reg.histogram("imps_api_request_duration_seconds", "API request latency.", {0.1, 0.5, 1},
                               {{"verb", "GET"}});
  h.observe(0.05);
  h.observe(0.1);  // on a bound: counted in that bucket (le is "less or equal")
  h.observe(0.3);
  h.observe(7);
  CHECK(h.count() == 4);
  CHECK(h.cumulative_count(0) == 2);
  CHECK(h.cumulative_count(2) == 3);
  CHECK(reg.expose() ==
        "# HELP imps_api_request_duration_seconds API request latency.\n"
        "# TYPE imps_api_request_duration_seconds histogram\n"
        "imps_api_request_duration_seconds_bucket{verb=\"GET\",le=\"0.1\"} 2\n"
        "imps_api_request_duration_seconds_bucket{verb=\"GET\",le=\"0.5\"} 3\n"
        "imps_api_request_duration_seconds_bucket{verb=\"GET\",le=\"1\"} 3\n"
        "imps_api_request_duration_seconds_bucket{verb=\"GET\",le=\"+Inf\"} 4\n"
        "imps_api_request_duration_seconds_sum{verb=\"GET\"} 7.45\n"
        "imps_api_request_duration_seconds_count{verb=\"GET\"} 4\n");
}

TEST_CASE("histogram without labels and with the default buckets") {
  Registry reg;
  Histogram& h = reg.histogram("imps_ecr_token_fetch_seconds", "ECR token fetch latency.", kLatencyBucketsSeconds);
  h.observe(0.02);
  const std::string text = reg.expose();
  CHECK(text.find("imps_ecr_token_fetch_seconds_bucket{le=\"0.005\"} 0\n") != std::string::npos);
  CHECK(text.find("imps_ecr_token_fetch_seconds_bucket{le=\"0.025\"} 1\n") != std::string::npos);
  CHECK(text.find("imps_ecr_token_fetch_seconds_bucket{le=\"10\"} 1\n") != std::string::npos);
  CHECK(text.find("imps_ecr_token_fetch_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
  CHECK(text.find("imps_ecr_token_fetch_seconds_sum 0.02\n") != std::string::npos);
  CHECK(text.find("imps_ecr_token_fetch_seconds_count 1\n") != std::string::npos);
}

TEST_CASE("sample values: shortest exact form and the special values") {
  CHECK(format_metric_value(0) == "0");
  CHECK(format_metric_value(3) == "3");
  CHECK(format_metric_value(-2.5) == "-2.5");
  CHECK(format_metric_value(0.1) == "0.1");
  CHECK(format_metric_value(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_metric_value(1e21) == "1e+21");
  CHECK(format_metric_value(1714564800) == "1714564800");
  CHECK(format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_metric_value(std::nan("")) == "NaN");
}

TEST_CASE("metric and label name syntax") {
  CHECK(valid_metric_name("imps_a:b_total"));
  CHECK(valid_metric_name(":x"));
  CHECK_FALSE(valid_metric_name(""));
  CHECK_FALSE(valid_metric_name("1abc"));
  CHECK_FALSE(valid_metric_name("imps-x"));
  CHECK_FALSE(valid_metric_name("imps x"));
  CHECK(valid_label_name("result"));
  CHECK(valid_label_name("_x1"));
  CHECK_FALSE(valid_label_name("__name__"));
  CHECK_FALSE(valid_label_name("a:b"));
  CHECK_FALSE(valid_label_name("9a"));
  CHECK_FALSE(valid_label_name(""));
}

TEST_CASE("registration rules: breaking a naming convention aborts") {
  CHECK(aborts([] { Registry().counter("imps_reconciles", "no _total"); }));
  CHECK(aborts([] { Registry().gauge("imps_things_total", "gauge with _total"); }));
  CHECK(aborts([] { Registry().counter("reconciles_total", "no prefix"); }));
  CHECK(aborts([] { Registry().histogram("imps_latency", "no unit", {1}); }));
  CHECK(aborts([] { Registry().histogram("imps_latency_seconds", "le label", {1}, {{"le", "x"}}); }));
  CHECK(aborts([] { Registry().histogram("imps_latency_seconds", "unsorted", {1, 0.5}); }));
  CHECK(aborts([] { Registry().histogram("imps_latency_seconds", "no buckets", {}); }));
  CHECK(aborts([] { Registry().counter("imps_x_total", "dup label", {{"a", "1"}, {"a", "2"}}); }));
  CHECK(aborts([] { Registry().counter("imps_x_total", "bad label", {{"a-b", "1"}}); }));
  CHECK(aborts([] {
    Registry reg;
    reg.counter("imps_x_total", "X.");
    reg.gauge("imps_x_total", "X.");
  }));
  CHECK(aborts([] {
    Registry reg;
    reg.counter("imps_x_total", "X.", {{"a", "1"}});
    reg.counter("imps_x_total", "X.", {{"a", "1"}, {"b", "2"}});
  }));
  CHECK(aborts([] {
    Registry reg;
    reg.histogram("imps_x_seconds", "X.", {1});
    reg.histogram("imps_x_seconds", "X.", {2}, {{"a", "1"}});
  }));
  CHECK_FALSE(aborts([] { Registry().counter("imps_fine_total", "fine", {{"a", "1"}}); }));
  // The Go original's families keep their own prefixes, nothing else does.
  CHECK_FALSE(aborts([] { Registry().counter("controller_runtime_reconcile_total", "fine"); }));
  CHECK_FALSE(aborts([] { Registry().gauge("workqueue_depth", "fine"); }));
  CHECK(aborts([] { Registry().counter("controller_reconcile_total", "no known prefix"); }));
}
