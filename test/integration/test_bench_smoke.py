"""The benchmark's machinery on a small cluster: it seeds, measures and reports figures that parse.

Runs test/bench/run.py with 200 namespaces and 2,000 pods and checks counts (what was seeded,
what got provisioned, how many requests and writes each event cost), never times. Also checks
the two stand-in features the benchmark relies on: the write log and per-request service times.
"""

import json
import os
import subprocess
import tempfile
import time
import unittest

from harness import ROOT, PYTHON, StandIn

RUN = os.path.join(ROOT, "test", "bench", "run.py")
NAMESPACES, PODS, SAMPLES = 200, 2000, 20
# Stand-in startup, two imps runs, a periodic resync of RESYNC seconds: well under CTest's 300 s.
RUN_TIMEOUT = 240
RESYNC = 40
POD_EVENT = "new pod in a served namespace"


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


class BenchSmoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="imps-bench-smoke-")
        cls.json_path = os.path.join(cls.directory, "results.json")
        cls.markdown_path = os.path.join(cls.directory, "benchmarks.md")
        binary = os.environ.get("IMPS_BINARY", os.path.join(ROOT, "build", "imps"))
        cls.completed = subprocess.run(
            [PYTHON, RUN, "--imps", binary, "--namespaces", str(NAMESPACES), "--pods", str(PODS),
             "--latency-samples", str(SAMPLES), "--resync", str(RESYNC), "--json", cls.json_path,
             "--markdown", cls.markdown_path], capture_output=True, text=True, timeout=RUN_TIMEOUT)
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

    def test_report_lists_the_budgets(self):
        with open(self.markdown_path) as f:
            text = f.read()
        self.assertIn("## Against the budgets (spec section 10)", text)
        self.assertIn(f"{NAMESPACES:,} namespaces + {PODS:,} pods", text)


if __name__ == "__main__":
    unittest.main()
