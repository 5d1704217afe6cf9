"""The benchmark's machinery on a small cluster: it seeds, measures and reports figures that parse.

Runs test/bench/run.py with 200 namespaces and 2,000 pods, a small ECR phase and a small RSS
series, and checks counts (what was seeded, what got provisioned, how many requests, writes and
AWS calls each phase cost), never times. Also checks the stand-in features the benchmark relies
on: the write log and per-request service times of both stand-ins.
"""

import json
import os
import signal
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from harness import ROOT, PYTHON, StandIn
from ecr_fixture import AwsStandin

RUN = os.path.join(ROOT, "test", "bench", "run.py")
NAMESPACES, PODS, SAMPLES = 200, 2000, 20
# The ECR phase: resources × namespaces each, tokens valid ECR_VALIDITY s (refreshed every half).
ECR_RESOURCES, ECR_NAMESPACES, ECR_VALIDITY = 4, 2, 8
RSS_BASE = 10
# Stand-in startup, two imps runs, a periodic resync of RESYNC seconds, the ECR phase (~15 s) and
# four small RSS points, each measured twice (~30 s): under CTest's 300 s.
RUN_TIMEOUT = 270
RESYNC = 40
POD_EVENT = "new pod in a served namespace"


def run_bench(command):
    """Runs the benchmark in its own process group, so that a run killed for taking too long
    takes its stand-ins and imps with it. Returns a CompletedProcess (text)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\nkilled after {RUN_TIMEOUT} s"
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


class StandInBenchSupport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.standin = StandIn()

    @classmethod
    def tearDownClass(cls):
        cls.standin.stop()

    def writes(self, since, resource=None):
        body = {"since": since}
        if resource:
            body["resource"] = resource
        return self.standin.admin("POST", "/writes", body)

    def test_write_log_stamps_each_write_with_the_monotonic_clock(self):
        start = self.writes(1 << 62)["last"]
        before = time.monotonic()
        created = self.standin.client().create("/api/v1/namespaces", {"metadata": {"name": "stamped"}})
        self.assertEqual(created.status, 201)
        after = time.monotonic()
        answer = self.writes(start, "namespaces")
        self.assertEqual([(w["type"], w["name"]) for w in answer["writes"]], [("ADDED", "stamped")])
        self.assertTrue(before <= answer["writes"][0]["time"] <= after)
        self.assertEqual(self.writes(answer["last"])["writes"], [])
        self.assertEqual(self.writes(start, "secrets")["writes"], [])

    def test_counts_carry_service_times_per_verb_and_resource(self):
        self.standin.reset_counts()
        client = self.standin.client()
        for _ in range(3):
            self.assertEqual(client.get("/api/v1/namespaces").status, 200)
        service = self.standin.counts()["serviceSeconds"]
        self.assertEqual(service["list namespaces"]["count"], 3)
        self.assertGreaterEqual(service["list namespaces"]["max"], service["list namespaces"]["p50"])
        self.standin.reset_counts()
        self.assertEqual(self.standin.counts()["serviceSeconds"], {})


class AwsStandInBenchSupport(unittest.TestCase):
    def test_counts_carry_service_times_per_action(self):
        aws = AwsStandin()
        self.addCleanup(aws.stop)
        request = urllib.request.Request(aws.url + "/", data=b"{}", method="POST", headers={
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
            "Content-Type": "application/x-amz-json-1.1"})
        with self.assertRaises(urllib.error.HTTPError) as unsigned:
            urllib.request.urlopen(request, timeout=10, context=ssl.create_default_context(cafile=aws.cert))
        self.assertEqual(unsigned.exception.code, 400)
        service = aws.counts()["service_seconds"]
        self.assertEqual(set(service), {"GetAuthorizationToken"})
        self.assertEqual(service["GetAuthorizationToken"]["count"], 1)
        self.assertGreaterEqual(service["GetAuthorizationToken"]["max"], service["GetAuthorizationToken"]["total"])
        aws.reset_counts()
        self.assertEqual(aws.counts()["service_seconds"], {})


class BenchSmoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="imps-bench-smoke-")
        cls.json_path = os.path.join(cls.directory, "results.json")
        cls.markdown_path = os.path.join(cls.directory, "benchmarks.md")
        binary = os.environ.get("IMPS_BINARY", os.path.join(ROOT, "build", "imps"))
        cls.completed = run_bench(
            [PYTHON, RUN, "--imps", binary, "--namespaces", str(NAMESPACES), "--pods", str(PODS),
             "--latency-samples", str(SAMPLES), "--resync", str(RESYNC), "--ecr-resources", str(ECR_RESOURCES),
             "--ecr-namespaces", str(ECR_NAMESPACES), "--ecr-validity", str(ECR_VALIDITY),
             "--rss-base", str(RSS_BASE), "--json", cls.json_path,
             "--markdown", cls.markdown_path])
        cls.results = None
        if os.path.exists(cls.json_path):
            with open(cls.json_path) as f:
                cls.results = json.load(f)

    def setUp(self):
        self.assertIsNotNone(self.results, f"no results; output:\n{self.completed.stdout[-3000:]}\n{self.completed.stderr[-3000:]}")

    def test_run_succeeds(self):
        self.assertEqual(self.completed.returncode, 0, self.completed.stdout[-3000:] + self.completed.stderr[-3000:])

    def test_seeds_the_requested_cluster(self):
        seeded = self.results["seeded"]
        self.assertEqual((seeded["namespaces"], seeded["pods"]), (NAMESPACES, PODS))
        self.assertGreater(seeded["selected"], 0)
        self.assertLess(seeded["selected"], NAMESPACES)

    def test_every_selected_namespace_is_provisioned_and_no_other(self):
        sync = self.results["initial_sync"]
        self.assertTrue(sync["complete"])
        self.assertEqual(sync["provisioned"], self.results["seeded"]["selected"])
        self.assertEqual((sync["missing"], sync["unexpected"]), ([], []))
        self.assertGreaterEqual(sync["requests"].get("create", 0), sync["provisioned"])
        self.assertGreaterEqual(sync["requests"].get("list", 0), 4)  # resources, namespaces, pods, secrets

    def test_memory_figures_are_read(self):
        for value in (self.results["idle_empty"]["rss"], self.results["initial_sync"]["peak_rss"],
                      self.results["initial_sync"]["rss_after_sync"]):
            self.assertIsInstance(value, int)
            self.assertGreater(value, 0)

    def test_each_event_costs_what_the_spec_says(self):
        events = self.results["events"]
        self.assertEqual(set(events), {POD_EVENT, "namespace relabel that selects it", "new matching namespace",
                                       "source secret edit", "periodic resync"})
        for name, event in events.items():
            self.assertTrue(event["observed"], name)
            self.assertTrue(all(isinstance(n, int) for n in event["requests"].values()), name)
        if not events[POD_EVENT]["overlapped_resync"]:
            self.assertEqual(events[POD_EVENT]["requests_total"], 0)
        edit = events["source secret edit"]
        self.assertGreaterEqual(edit["requests"].get("update", 0) + edit["requests"].get("patch", 0),
                                edit["expected_writes"])

    def test_latency_has_one_secret_create_per_sample(self):
        latency = self.results["latency"]
        self.assertEqual((latency["samples"], latency["requested"]), (SAMPLES, SAMPLES))
        self.assertEqual(latency["by_resource"].get("create secrets"), SAMPLES)
        self.assertGreaterEqual(latency["writes_per_namespace"], 1.0)
        self.assertIsInstance(latency["p99_ms"], float)

    def test_relabel_burst_costs_one_secret_write_each_and_coalesced_status_writes(self):
        burst = self.results["relabel_burst"]
        self.assertGreater(burst["relabels"], 0)
        self.assertEqual(burst["samples"], burst["relabels"])
        self.assertEqual(burst["secret_writes"], burst["relabels"])
        # Every status write succeeded, at most one per second of the span the stand-in stored them in.
        self.assertEqual(burst["status_writes"], burst["status_writes_stored"])
        self.assertGreaterEqual(burst["status_writes"], 1)
        self.assertLessEqual(burst["status_writes"], int(burst["status_span_seconds"]) + 1)
        self.assertIsInstance(burst["cpu_ms_per_relabel"], float)

    def test_ecr_phase_costs_a_create_and_a_rewrite_per_refresh_and_one_token_fetch_per_refresh(self):
        ecr = self.results["ecr"]
        self.assertTrue(ecr["complete"], ecr)
        self.assertFalse(ecr["overlapped_resync"], ecr)
        created = ECR_RESOURCES * ECR_NAMESPACES
        self.assertEqual(ecr["secret_writes"], {"create": created, "patch": created * ecr["refreshes"]}, ecr)
        self.assertEqual(ecr["secret_writes_total"], ecr["secret_writes_expected"])
        # One token per resource (its own key), fetched by the initial sync and each refresh.
        self.assertEqual(ecr["ecr_calls"], ECR_RESOURCES * (ecr["refreshes"] + 1), ecr)
        self.assertEqual(ecr["ecr_calls_rejected"], 0)
        # Role credentials are cached for their hour: one AssumeRole per role source.
        self.assertEqual(ecr["sts_calls"], ecr["sts_calls_expected"], ecr)
        self.assertGreaterEqual(ecr["sts_calls"], 1)
        # Every status update was stored, and each resource's status was written at least once.
        self.assertEqual(ecr["status_updates"], ecr["status_updates_stored"], ecr)
        self.assertGreaterEqual(ecr["status_updates"], ECR_RESOURCES)
        self.assertEqual(ecr["aws_service"]["GetAuthorizationToken"]["count"], ecr["ecr_calls"])

    def test_rss_series_measures_four_points_and_the_slopes(self):
        series = self.results["rss_series"]
        points = series["points"]
        self.assertEqual([(p["namespaces"], p["pods"]) for p in points],
                         [(RSS_BASE, RSS_BASE * 10), (10 * RSS_BASE, RSS_BASE * 10),
                          (10 * RSS_BASE, 100 * RSS_BASE), (50 * RSS_BASE, 500 * RSS_BASE)])
        for point in points:
            self.assertTrue(point["complete"] and point["restart_complete"], point)
            self.assertGreater(point["settled_rss"], 0)
            self.assertGreaterEqual(point["peak_rss"], point["settled_rss"])
            self.assertGreaterEqual(point["restart_peak_rss"], point["restart_settled_rss"])
            # The restart finds every Secret in place: it writes none.
            self.assertEqual(point["restart_secret_writes"], 0, point)
        self.assertEqual(set(series["slopes"]), {"peak_rss", "settled_rss", "restart_peak_rss", "restart_settled_rss"})

    def test_binary_size_is_that_of_the_stripped_binary(self):
        binary = self.results["binary"]
        stripped = os.path.join(self.directory, "imps-stripped")
        subprocess.run(["strip", "-o", stripped, binary["path"]], check=True)
        self.assertEqual(binary["stripped_size"], os.path.getsize(stripped))
        self.assertLessEqual(binary["stripped_size"], binary["size"])

    def test_report_lists_the_budgets_and_cites_nothing_outside_the_repository(self):
        with open(self.markdown_path) as f:
            text = f.read()
        self.assertIn("## Against the budgets", text)
        self.assertIn(f"{NAMESPACES:,} namespaces + {PODS:,} pods", text)
        self.assertIn("## ECR phase", text)
        self.assertIn("## RSS against namespaces and pods", text)
        self.assertIn(f"{self.results['binary']['stripped_size']:,} bytes", text)
        self.assertNotIn("spec section", text.lower())
        self.assertNotIn("spec §", text.lower())
        self.assertNotIn("/work/", text)


if __name__ == "__main__":
    unittest.main()
