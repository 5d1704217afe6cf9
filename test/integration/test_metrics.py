"""/metrics, /healthz and /readyz of a running imps, scraped over HTTP from the addresses it was told.

imps listens on --metrics-addr / --health-probe-addr ports picked here (a socket bound to port 0
and closed). The exposition is parsed strictly (every sample under a # TYPE'd family, histogram
buckets cumulative with +Inf equal to _count) and the families docs/metrics.md lists are checked for
sensible values: in controller mode, in controller mode with leader election (leader and standby),
and in refresher mode.
"""

import math
import re
import socket
import unittest
import urllib.error
import urllib.request

from harness import Imps, wait_for
from controller_fixture import ControllerCase, dockerconfig

LEADER_ELECTION = ("--enable-leader-election", "--config-namespace=default",
                   "--leader-election-lease-duration=3s", "--leader-election-renew-deadline=2s",
                   "--leader-election-retry-period=500ms")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path):
    """(status, body) of GET http://127.0.0.1:port/path; None while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()
    except (ConnectionError, urllib.error.URLError):
        return None


def parse_labels(text):
    labels, position = {}, 0
    while position < len(text):
        match = LABEL.match(text, position)
        if not match:
            raise AssertionError(f"malformed labels: {{{text}}}")
        labels[match.group(1)] = match.group(2)
        position = match.end()
    return labels


def parse_exposition(text):
    """{family: {"type": kind, "samples": [(name, labels, value)]}}; raises on any malformed line."""
    families = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            if name in families:
                raise AssertionError(f"family {name} typed twice")
            if kind not in ("counter", "gauge", "histogram"):
                raise AssertionError(f"unexpected type {kind} of {name}")
            families[name] = {"type": kind, "samples": []}
            continue
        match = SAMPLE.match(line)
        if not match:
            raise AssertionError(f"malformed sample line: {line!r}")
        name, labels, value = match.group(1), parse_labels(match.group(2) or ""), float(match.group(3))
        family = name if name in families else None
        for suffix in HISTOGRAM_SUFFIXES:
            base = name[: -len(suffix)]
            if family is None and name.endswith(suffix) and families.get(base, {}).get("type") == "histogram":
                family = base
        if family is None:
            raise AssertionError(f"sample {name} belongs to no # TYPE'd family above it")
        families[family]["samples"].append((name, labels, value))
    for name, family in families.items():
        if family["type"] == "histogram":
            check_histogram(name, family["samples"])
        if family["type"] == "counter" and not name.endswith("_total"):
            raise AssertionError(f"counter {name} does not end in _total")
    return families


def check_histogram(name, samples):
    series = {}
    for sample, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        series.setdefault(key, {"buckets": [], "count": None})
        if sample == name + "_bucket":
            series[key]["buckets"].append((float(labels["le"]), value))
        elif sample == name + "_count":
            series[key]["count"] = value
    for key, parts in series.items():
        buckets = parts["buckets"]
        if not buckets or not math.isinf(buckets[-1][0]):
            raise AssertionError(f"{name}{key}: no +Inf bucket last")
        bounds = [le for le, _ in buckets]
        counts = [count for _, count in buckets]
        if bounds != sorted(bounds) or counts != sorted(counts):
            raise AssertionError(f"{name}{key}: buckets not in order or not cumulative: {buckets}")
        if counts[-1] != parts["count"]:
            raise AssertionError(f"{name}{key}: +Inf bucket {counts[-1]} != _count {parts['count']}")


def value(families, metric, **labels):
    """The value of the one sample of `metric` whose labels include `labels`; None when absent."""
    for family in families.values():
        for sample, sample_labels, sample_value in family["samples"]:
            if sample == metric and labels.items() <= sample_labels.items():
                return sample_value
    return None


class MetricsTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_controller_metrics_and_probes")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("registry.example.com"))

    def setUp(self):
        super().setUp()
        self.others = []

    def tearDown(self):
        for other in self.others:
            other.stop()
        super().tearDown()

    def start(self, *args):
        """imps on fresh ports: returns (process, metrics port, health port)."""
        metrics, health = free_port(), free_port()
        process = Imps("--kubeconfig", self.standin.kubeconfig, f"--metrics-addr=127.0.0.1:{metrics}",
                       f"--health-probe-addr=127.0.0.1:{health}", *args)
        if self.imps is None:
            self.imps = process
        else:
            self.others.append(process)
        return process, metrics, health

    def scrape(self, port):
        answer = wait_for(lambda: http_get(port, "/metrics"), message="/metrics to answer")
        self.assertEqual(answer[0], 200)
        return parse_exposition(answer[1])

    def wait_ready(self, health):
        wait_for(lambda: (http_get(health, "/readyz") or (0,))[0] == 200, timeout=20, message="/readyz 200")
        self.assertEqual(http_get(health, "/healthz")[0], 200)

    def test_controller_metrics_and_probes(self):
        self.create_namespace("metrics-a", labels={"metrics": "yes"})
        self.create_namespace("metrics-b", labels={"metrics": "yes"})
        self.create_imps("metrics", {"secret": {"name": "pull-metrics"},
                                     "namespaces": {"labels": [{"matchLabels": {"metrics": "yes"}}]}})
        self.standin.reset_counts()
        _, metrics, health = self.start()
        self.wait_ready(health)
        self.wait_secret("metrics-a", "pull-metrics")
        self.wait_secret("metrics-b", "pull-metrics")
        self.wait_managed("metrics", ["metrics-a", "metrics-b"])
        written = self.writes_to("secrets")  # only imps wrote since the reset

        families = self.scrape(metrics)
        self.assertGreaterEqual(value(families, "imps_reconciles_total", result="success"), 1)
        self.assertIsNotNone(value(families, "imps_reconciles_total", result="error"))
        self.assertEqual(families["imps_reconcile_duration_seconds"]["type"], "histogram")
        self.assertGreaterEqual(value(families, "imps_reconcile_duration_seconds_count"), 1)
        self.assertEqual(value(families, "imps_managed_secrets"), 2)
        self.assertEqual(written, 2)
        self.assertGreaterEqual(value(families, "imps_api_requests_total", verb="list", code="200"), 4)
        self.assertGreaterEqual(value(families, "imps_api_requests_total", verb="watch", code="200"), 4)
        self.assertGreaterEqual(value(families, "imps_api_requests_total", verb="create", code="201"), 2)
        for sample, labels, _ in families["imps_api_requests_total"]["samples"]:
            self.assertEqual(set(labels), {"verb", "code"}, sample)
            self.assertRegex(labels["code"], r"^([1-5][0-9][0-9]|error)$")
        for resource in ("imagepullsecrets", "namespaces", "secrets", "pods"):
            self.assertEqual(value(families, "imps_watch_restarts_total", resource=resource), 0)
            self.assertEqual(value(families, "imps_relists_total", resource=resource), 0)
        self.assertEqual(value(families, "imps_ecr_token_refreshes_total", result="success"), 0)
        self.assertEqual(value(families, "imps_ecr_token_expiry_timestamp_seconds"), 0)  # no ECR source
        self.assertEqual(value(families, "imps_leader"), 1)  # no election: this process does the work
        (build,) = families["imps_build_info"]["samples"]
        self.assertEqual(build[2], 1)
        self.assertTrue(build[1]["version"])

    def test_controller_runtime_and_workqueue_families_follow_the_imps_ones(self):
        # Dashboards and alerts written for the Go original read controller-runtime's families.
        self.create_namespace("metrics-cr")
        self.create_imps("metrics-cr", {"secret": {"name": "pull-cr"}, "namespaces": {"names": ["metrics-cr"]}})
        # A 500 is retried with backoff (a 403 would wait for the next resync).
        self.standin.fail_next(1, code=500, verb="create", path="/namespaces/metrics-cr/secrets")
        _, metrics, health = self.start()
        self.wait_ready(health)
        self.wait_secret("metrics-cr", "pull-cr")  # written by the retry after the 500
        self.wait_managed("metrics-cr", ["metrics-cr"])

        def settled():
            families = self.scrape(metrics)
            return families if value(families, "workqueue_depth", name="imagepullsecrets") == 0 and \
                value(families, "imps_reconciles_total", result="success") >= 1 else None
        families = wait_for(settled, message="an idle queue after a success")
        controller = {"controller": "imagepullsecrets"}
        successes = value(families, "imps_reconciles_total", result="success")
        errors = value(families, "imps_reconciles_total", result="error")
        self.assertGreaterEqual(errors, 1)
        self.assertEqual(value(families, "controller_runtime_reconcile_total", result="success", **controller)
                         + value(families, "controller_runtime_reconcile_total", result="requeue", **controller),
                         successes)
        self.assertEqual(value(families, "controller_runtime_reconcile_total", result="error", **controller), errors)
        self.assertEqual(value(families, "controller_runtime_reconcile_total", result="requeue_after", **controller), 0)
        self.assertEqual(value(families, "controller_runtime_reconcile_errors_total", **controller), errors)
        self.assertEqual(families["controller_runtime_reconcile_time_seconds"]["type"], "histogram")
        self.assertEqual(value(families, "controller_runtime_reconcile_time_seconds_count", **controller),
                         value(families, "imps_reconcile_duration_seconds_count"))
        queue = {"name": "imagepullsecrets"}
        self.assertEqual(families["workqueue_depth"]["type"], "gauge")
        self.assertGreaterEqual(value(families, "workqueue_adds_total", **queue), successes + errors)
        # Every failed reconcile is retried; so is a failed (coalesced) status write.
        self.assertGreaterEqual(value(families, "workqueue_retries_total", **queue), errors)

    def test_api_errors_are_counted_by_code(self):
        self.create_namespace("metrics-err")
        self.standin.fail_next(1, code=500, verb="list", path="/namespaces")
        self.standin.fail_next(1, mode="drop", verb="list", path="/secrets")
        _, metrics, health = self.start()
        self.wait_ready(health)
        families = self.scrape(metrics)
        self.assertEqual(value(families, "imps_api_requests_total", verb="list", code="500"), 1)
        self.assertEqual(value(families, "imps_api_requests_total", verb="list", code="error"), 1)
        self.assertGreaterEqual(value(families, "imps_api_requests_total", verb="list", code="200"), 4)

    def test_leader_and_standby(self):
        leader, leader_metrics, leader_health = self.start(*LEADER_ELECTION)
        wait_for(lambda: any(l.get("msg") == "became leader" for l in leader.log_lines()), timeout=20,
                 message="a leader")
        standby, standby_metrics, standby_health = self.start(*LEADER_ELECTION)
        self.wait_ready(leader_health)
        self.wait_ready(standby_health)  # a standby that hears from the API server is ready
        self.assertEqual(value(self.scrape(leader_metrics), "imps_leader"), 1)
        standby_families = self.scrape(standby_metrics)
        self.assertEqual(value(standby_families, "imps_leader"), 0)
        self.assertEqual(value(standby_families, "imps_reconciles_total", result="success"), 0)
        self.assertGreaterEqual(value(standby_families, "imps_api_requests_total", verb="get", code="200"), 1)

    def test_refresher_metrics_and_probes(self):
        self.create_namespace("metrics-refresh")
        _, metrics, health = self.start("--mode=refresher", "--target-secret=metrics-refresh.pull",
                                        "--source-secret=sources.docker")
        self.wait_ready(health)
        self.wait_secret("metrics-refresh", "pull")
        families = self.scrape(metrics)
        self.assertGreaterEqual(value(families, "imps_refresher_reconciles_total", result="success"), 1)
        self.assertGreaterEqual(value(families, "imps_api_requests_total", verb="list", code="200"), 1)
        self.assertGreaterEqual(value(families, "imps_api_requests_total", verb="watch", code="200"), 1)
        self.assertGreaterEqual(value(families, "imps_api_requests_total", verb="create", code="201"), 1)
        self.assertEqual(value(families, "imps_leader"), 1)
        self.assertEqual(families["imps_build_info"]["samples"][0][2], 1)


if __name__ == "__main__":
    unittest.main()
