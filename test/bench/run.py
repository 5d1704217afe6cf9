#!/usr/bin/python3
"""The controller-mode benchmark (`make bench`): imps against a seeded Kubernetes API stand-in.

    /usr/bin/python3 test/bench/run.py --imps build/imps [--quick] [--namespaces 10000] [--pods 100000]
        [--latency-samples 200] [--ecr-resources 20] [--rss-base 1000]
        [--markdown build/benchmarks.md] [--json results.json]

--quick: 2,000 namespaces / 20,000 pods, 100 latency samples and an RSS series ten times
smaller, a few minutes instead of ~20 (explicit sizes still win).

Phases (each measured on the stand-in's side: its request counters and its write timestamps):
  1. idle: imps against a cluster holding only the source Secret and the ImagePullSecret;
  2. seeding (not measured against imps): namespaces, pods, see workload.py;
  3. initial sync: start to every selected namespace provisioned, requests by verb, peak RSS,
     RSS after the lists, idle RSS after the sync;
  4. one event of each kind, with the requests it cost;
  5. event-to-write latency over N new matching namespaces, spaced so they do not queue;
  6. a relabel burst: 100 namespace relabels at 20/s (relabel → Secret write p50/p99, status
     writes, imps' CPU time per relabel);
  7. a periodic resync;
  8. the ECR phase (ecr_phase.py): ImagePullSecrets with ECR login sources through the initial
     sync and three token refreshes (status updates, Secret writes, ECR/STS calls);
  9. the RSS series (rss_series.py), in a stand-in of its own once the first one has stopped.
CPU figures are imps' user + system time from /proc (wall-clock figures are noisy on a shared
machine; CPU time much less so).
Results go to --json (machine-readable, used by the smoke test) and --markdown (the report).
"""

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
sys.path.insert(0, HERE)

import ecr_phase  # noqa: E402
import harness  # noqa: E402
import report  # noqa: E402
import rss_series  # noqa: E402
import workload  # noqa: E402
from cluster import USER_AGENT, Requests, WriteTracker, ms, resource_of, seed, service_summary  # noqa: E402
from ecr_fixture import AwsStandin  # noqa: E402
from imps_process import ImpsUnderTest, memory  # noqa: E402

# No request for this long means the controller has finished reacting to an event.
QUIET_SECONDS = 1.5
# Upper bound for a single event's reaction (a source edit rewrites every Secret at --qps).
EVENT_TIMEOUT = 600.0
# imps starts that crash before their first write are retried this often (the crash is reported).
CRASH_RETRIES = 3
# Gap between latency samples: well above the expected reaction so samples never queue.
LATENCY_SPACING = 0.1
# The relabel burst of issue 12's table: this many unselected namespaces relabelled at this rate.
RELABELS = 100
RELABEL_RATE = 20.0
NAMESPACE_NAME = re.compile(r"\b(ns|bench-latency)-\d+\b")
# Hand-written notes from investigating the figures (what costs the memory, ...), kept with the report.
FINDINGS = os.path.join(HERE, "findings.md")
ROOT = os.path.dirname(os.path.dirname(HERE))
# --quick: the sizes of a run that takes minutes (explicit flags still win).
QUICK = {"namespaces": 2_000, "pods": 20_000, "latency_samples": 100, "rss_base": 100}
FULL = {"namespaces": 10_000, "pods": 100_000, "latency_samples": 200, "rss_base": 1_000}


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]


class Bench:
    def __init__(self, args):
        self.args = args
        self.results = {"parameters": {"namespaces": args.namespaces, "pods": args.pods,
                                       "latency_samples": args.latency_samples, "qps": args.qps,
                                       "burst": args.burst, "resync_seconds": args.resync, "seed": args.seed,
                                       "ecr_resources": args.ecr_resources, "ecr_namespaces": args.ecr_namespaces,
                                       "ecr_validity": args.ecr_validity, "rss_base": args.rss_base},
                        "machine": report.machine(), "binary": binary_sizes(args.imps)}
        self.aws = AwsStandin()
        self.standin = harness.StandIn("--seed", str(args.seed))
        # Pods own ReplicaSets the stand-in does not have: keep its garbage collector away.
        self.standin.settings(gc_delay=86400.0)
        self.client = self.standin.client()
        self.requests = Requests(self.standin)
        self.writes = WriteTracker(self.standin)
        self.rng = random.Random(args.seed + 1)

    def log(self, text):
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)

    def api(self, method, path, body=None, content_type="application/json"):
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, "get")
        self.requests.sent(verb, resource_of(path))
        response = self.client.request(method, path, body, headers={"User-Agent": USER_AGENT},
                                       content_type=content_type)
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {response.body[:200]!r}")
        return response.json()

    def start_imps(self):
        return ImpsUnderTest("--kubeconfig", self.standin.kubeconfig, "--metrics-addr", "0",
                             "--health-probe-addr", "0", "--log-level", "debug",
                             "--periodic-reconcile-interval", str(self.args.resync),
                             "--qps", str(self.args.qps), "--burst", str(self.args.burst), env=self.aws.env())

    # --- phases ----------------------------------------------------------------------------

    def idle_empty(self):
        """imps with nothing to do but its own watches: the 'idle' budget."""
        self.standin.seed(objects=[workload.source_namespace(), workload.source_secret("initial"),
                                   workload.image_pull_secret()])
        self.results["idle_empty"] = {}
        imps = self.start_imps()
        try:
            synced = imps.wait_log(lambda l: l.get("msg") == "initial sync complete", 60)
            self.requests.settle(QUIET_SECONDS, 30)
            memory = imps.memory()
            self.results["idle_empty"] = {"synced": bool(synced), "rss": memory.get("VmRSS"),
                                          "hwm": memory.get("VmHWM")}
        finally:
            self.results["idle_empty"]["exit_code"] = imps.stop()

    def seed_cluster(self):
        self.log(f"seeding {self.args.namespaces} namespaces and {self.args.pods} pods")
        seeded = seed(self.standin, self.args.namespaces, self.args.pods, self.args.seed)
        self.seeded = seeded
        self.results["seeded"] = {"namespaces": seeded.namespaces, "pods": seeded.pods,
                                  "selected": len(seeded.selected), "seconds": round(seeded.seconds, 1),
                                  "standin_rss": harness_rss(self.standin)}
        self.log(f"seeded in {seeded.seconds:.1f}s; {len(seeded.selected)} namespaces must get the Secret")

    def initial_sync(self):
        """Measures the sync; a start that crashes before writing anything is retried afresh."""
        for _ in range(CRASH_RETRIES):
            complete = self.sync_once()
            crash = self.results["initial_sync"]["imps_exit"]
            if complete or crash is None or self.results["initial_sync"]["provisioned"]:
                return complete
            self.results.setdefault("crashed_starts", []).append(crash)
            self.log(f"imps exited with {crash} before writing anything; starting it again")
            self.imps.stop()
        return False

    def sync_once(self):
        # Only seeded namespaces are selected (registry-access and the defaults carry no Istio
        # label), so the idle run wrote nothing that this run could find already in place.
        expected = set(self.seeded.selected)
        self.requests.reset()
        self.writes.mark()
        imps = self.start_imps()
        self.imps = imps
        self.log("imps started; waiting for every selected namespace to hold the Secret")
        done = self.writes.wait(lambda w: expected <= set(w.secrets()) or imps.process.poll() is not None,
                                self.args.sync_timeout, "initial provisioning")
        provisioned = self.writes.secrets()
        done = done and expected <= set(provisioned)
        if not done:
            self.log("provisioning incomplete; the last lines imps logged:\n" + "\n".join(imps.raw[-30:]))
        synced_line = imps.first_log(lambda l: l.get("msg") == "initial sync complete")
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        counts = self.requests.snapshot()
        end = time.monotonic()
        lists_done = [l["_seen"] for l in imps.log_lines()
                      if l.get("msg") == "list done" and l.get("resource") in ("pods", "namespaces")]
        after_lists = max(lists_done) if lists_done else None
        sync = {
            "complete": bool(done),
            "imps_exit": imps.process.poll(),
            "provisioned": len(set(provisioned) & expected),
            "unexpected": sorted(set(provisioned) - expected)[:20],
            "missing": sorted(expected - set(provisioned))[:20],
            "seconds_to_provisioned": round(max(provisioned.values()) - imps.started, 3) if done else None,
            "seconds_to_synced_log": round(synced_line["_seen"] - imps.started, 3) if synced_line else None,
            "requests": counts["byVerb"],
            "by_resource": counts["byResource"],
            "requests_total": counts["total"],
            "standin_service": pick_service(counts["serviceSeconds"]),
            "peak_rss": imps.memory().get("VmHWM"),
            "rss_after_lists": imps.peak_between(after_lists, after_lists + 0.5) if after_lists else None,
            "peak_rss_during_lists": imps.peak_between(imps.started, after_lists) if after_lists else None,
            "rss_after_sync": imps.rss_at(end),
            "cpu_seconds": imps.cpu(),
        }
        self.results["initial_sync"] = sync
        self.log(f"initial sync: {json.dumps(sync)[:400]}")
        return bool(done)

    def event(self, name, action, effect, expected_writes):
        """Runs `action`, waits for `effect` (a WriteTracker predicate or None), then for quiet."""
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        self.requests.reset()
        self.writes.mark()
        began = time.monotonic()
        action()
        observed = True
        if effect is not None:
            self.writes.wait(lambda w: effect(w) or self.imps.process.poll() is not None, EVENT_TIMEOUT, name)
            observed = bool(effect(self.writes))
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        counts = self.requests.snapshot()
        resync = self.imps.first_log(lambda l: l.get("msg") == "periodic resync", after=began)
        self.results.setdefault("events", {})[name] = {
            "requests": counts["byVerb"], "by_resource": counts["byResource"],
            "requests_total": counts["total"], "observed": observed,
            "standin_service": pick_service(counts["serviceSeconds"]),
            "expected_writes": expected_writes, "overlapped_resync": resync is not None}
        self.log(f"event {name}: {counts['byVerb']} (observed={observed})")

    def events(self):
        served = sorted(self.seeded.selected)[0]
        pod = workload.extra_pod(self.rng, served, injected=True)
        imps = self.imps

        def new_pod():
            self.api("POST", f"/api/v1/namespaces/{served}/pods", pod)
            # The pod event must have reached imps before quiet means anything.
            imps.wait_log(lambda l: l.get("msg") == "watch event" and l.get("resource") == "pods", 10,
                          after=time.monotonic() - 1)
        self.event("new pod in a served namespace", new_pod, None, 0)

        relabeled = self.seeded.unselected[0]
        self.event("namespace relabel that selects it",
                   lambda: self.api("PATCH", f"/api/v1/namespaces/{relabeled}",
                                    {"metadata": {"labels": {"istio-injection": "enabled"}}},
                                    "application/merge-patch+json"),
                   lambda w: relabeled in w.secrets(), 1)
        self.seeded.selected.add(relabeled)

        fresh = "bench-new-matching"
        self.event("new matching namespace",
                   lambda: self.api("POST", "/api/v1/namespaces", workload.new_matching_namespace(fresh)),
                   lambda w: fresh in w.secrets(), 1)
        self.seeded.selected.add(fresh)

        everywhere = set(self.seeded.selected)
        self.event("source secret edit",
                   lambda: self.api("PUT", f"/api/v1/namespaces/{workload.SOURCE_NAMESPACE}/secrets/{workload.SOURCE_NAME}",
                                    workload.source_secret("rotated")),
                   lambda w: everywhere <= set(w.secrets(("MODIFIED",))), len(everywhere))

    def latency(self):
        """Event-to-write latency over new matching namespaces, both ends stamped by the stand-in."""
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        self.requests.reset()
        self.writes.mark()
        names = [f"bench-latency-{i:04d}" for i in range(self.args.latency_samples)]
        began = time.monotonic()
        cpu_before = self.imps.cpu()
        for name in names:
            self.api("POST", "/api/v1/namespaces", workload.new_matching_namespace(name))
            time.sleep(LATENCY_SPACING)
        wanted = set(names)
        self.writes.wait(lambda w: wanted <= set(w.secrets()) or self.imps.process.poll() is not None, 60,
                         "latency samples")
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        secrets = self.writes.secrets()
        samples = [secrets[n] - self.writes.created("namespaces", n) for n in names
                   if n in secrets and self.writes.created("namespaces", n) is not None]
        counts = self.requests.snapshot()
        service = counts["serviceSeconds"]
        resync = self.imps.first_log(lambda l: l.get("msg") == "periodic resync", after=began)
        self.results["latency"] = {
            "samples": len(samples), "requested": len(names), "spacing_ms": ms(LATENCY_SPACING),
            "p50_ms": ms(percentile(samples, 0.50)), "p99_ms": ms(percentile(samples, 0.99)),
            "max_ms": ms(max(samples) if samples else None),
            "requests": counts["byVerb"], "by_resource": counts["byResource"], "writes_per_namespace": round(
                sum(counts["byVerb"].get(v, 0) for v in ("create", "update", "patch")) / max(1, len(names)), 2),
            "standin_create_secret_p50_ms": ms(service.get("create secrets", {}).get("p50")),
            "standin_create_secret_p99_ms": ms(service.get("create secrets", {}).get("p99")),
            "standin_create_namespace_p50_ms": ms(service.get("create namespaces", {}).get("p50")),
            "cpu_ms_per_namespace": None if cpu_before is None else round(
                (self.imps.cpu() - cpu_before) * 1000 / max(1, len(names)), 2),
            "overlapped_resync": resync is not None}
        self.log(f"latency: {self.results['latency']}")

    def relabel_burst(self):
        """Unselected namespaces relabelled so they become selected, RELABEL_RATE a second."""
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        self.requests.reset()
        self.writes.mark()
        names = self.seeded.unselected[1:1 + RELABELS]  # [0] is the single relabel of events()
        cpu_before = self.imps.cpu()
        began = time.monotonic()
        for i, name in enumerate(names):
            time.sleep(max(0.0, began + i / RELABEL_RATE - time.monotonic()))
            self.api("PATCH", f"/api/v1/namespaces/{name}", {"metadata": {"labels": {"istio-injection": "enabled"}}},
                     "application/merge-patch+json")
        sent_seconds = time.monotonic() - began
        wanted = set(names)
        self.writes.wait(lambda w: wanted <= set(w.secrets()) or self.imps.process.poll() is not None, 60,
                         "relabelled namespaces")
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        self.writes.poll()  # the status writes that came after the last Secret
        cpu = None if cpu_before is None else self.imps.cpu() - cpu_before
        self.seeded.selected |= wanted
        secrets = self.writes.secrets()
        samples = [secrets[n] - self.writes.first("namespaces", n, "MODIFIED") for n in names
                   if n in secrets and self.writes.first("namespaces", n, "MODIFIED") is not None]
        counts = self.requests.snapshot()
        service = counts["serviceSeconds"].get("create secrets", {})
        status = [r for r in self.writes.records if r["resource"] == "imagepullsecrets" and r["type"] == "MODIFIED"]
        resync = self.imps.first_log(lambda l: l.get("msg") == "periodic resync", after=began)
        self.results["relabel_burst"] = {
            "relabels": len(names), "rate": RELABEL_RATE, "sent_seconds": round(sent_seconds, 2),
            "samples": len(samples), "p50_ms": ms(percentile(samples, 0.50)), "p99_ms": ms(percentile(samples, 0.99)),
            "max_ms": ms(max(samples) if samples else None),
            "status_writes": writes_of(counts["byResource"], "imagepullsecrets"),
            "status_writes_stored": len(status),
            "status_span_seconds": round(status[-1]["time"] - status[0]["time"], 2) if status else None,
            "secret_writes": writes_of(counts["byResource"], "secrets"),
            "cpu_ms_per_relabel": None if cpu is None else round(cpu * 1000 / max(1, len(names)), 2),
            "cpu_seconds": None if cpu is None else round(cpu, 2),
            "standin_create_secret_p50_ms": ms(service.get("p50")),
            "standin_create_secret_p99_ms": ms(service.get("p99")),
            "by_resource": counts["byResource"], "overlapped_resync": resync is not None}
        self.log(f"relabel burst: {self.results['relabel_burst']}")

    def ecr(self):
        if not self.args.ecr_resources:
            return
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        self.log(f"ECR phase: {self.args.ecr_resources} resources × {self.args.ecr_namespaces} namespaces, "
                 f"tokens valid {self.args.ecr_validity} s")
        self.results["ecr"] = ecr_phase.run(self, self.aws, self.args.ecr_resources, self.args.ecr_namespaces,
                                            self.args.ecr_validity, QUIET_SECONDS, EVENT_TIMEOUT)
        self.log(f"ECR phase: {self.results['ecr']}")

    def resync(self):
        self.requests.settle(QUIET_SECONDS, EVENT_TIMEOUT)
        self.requests.reset()
        began = time.monotonic()
        line = self.imps.wait_log(lambda l: l.get("msg") == "periodic resync", self.args.resync * 1.5 + 30,
                                  after=began)
        self.requests.settle(QUIET_SECONDS * 2, EVENT_TIMEOUT)
        counts = self.requests.snapshot()
        self.results.setdefault("events", {})["periodic resync"] = {
            "requests": counts["byVerb"], "by_resource": counts["byResource"],
            "requests_total": counts["total"], "observed": line is not None,
            "expected_writes": 0, "overlapped_resync": False}
        self.log(f"resync: {counts['byVerb']} (observed={line is not None})")

    def run(self):
        try:
            self.log("idle run against an empty cluster")
            self.idle_empty()
            self.seed_cluster()
            if self.initial_sync():
                self.events()
                self.latency()
                self.relabel_burst()
                self.resync()
                # Right after a periodic resync: the next is a whole interval away, so the ECR
                # phase's counts never include one.
                self.ecr()
            memory = self.imps.memory()
            self.results["final"] = {"rss": memory.get("VmRSS"), "hwm": memory.get("VmHWM")}
            self.results["imps_exit_code"] = self.imps.stop()
            self.results["imps_log_summary"] = dict(collections.Counter(
                f"{l.get('level')} {l.get('msg')}" for l in self.imps.log_lines() if l.get("level") != "debug"))
            events = self.api("GET", "/api/v1/events").get("items", [])
            # Messages differ only by namespace: fold those so that causes can be counted.
            self.results["kubernetes_events"] = dict(collections.Counter(
                f"{e.get('type')} {e.get('reason')}: {NAMESPACE_NAME.sub('<ns>', e.get('message', ''))[:240]}"
                for e in events))
        finally:
            self.results["machine"]["loadavg_end"] = round(os.getloadavg()[0], 2)
            if getattr(self, "imps", None):
                self.imps.stop()
            self.standin.stop()
            self.aws.stop()
        if self.args.rss_base and self.results.get("initial_sync", {}).get("complete"):
            self.results["rss_series"] = rss_series.run(self.args.rss_base, self.args.seed, self.args.sync_timeout,
                                                        self.log)
        return self.results


def writes_of(by_resource, plural):
    return sum(n for key, n in by_resource.items()
               if key.split(" ")[0] in ("create", "update", "patch", "delete") and key.endswith(" " + plural))


def pick_service(service):
    """The stand-in's service times for the requests that dominate a sync."""
    return service_summary(service)


def binary_sizes(path):
    """The binary's size as given and stripped: the budget is the stripped binary `make` ships
    (`make` strips build/imps; a plain cmake build leaves its symbols in)."""
    with tempfile.TemporaryDirectory(prefix="imps-bench-") as directory:
        stripped = os.path.join(directory, "imps")
        subprocess.run(["strip", "-o", stripped, path], check=True)
        return {"path": path, "size": os.path.getsize(path), "stripped_size": os.path.getsize(stripped)}


def harness_rss(standin):
    return memory(standin.info["pid"]).get("VmRSS")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imps", required=True, help="the imps binary")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (see the top of this file)")
    parser.add_argument("--namespaces", type=int)
    parser.add_argument("--pods", type=int)
    parser.add_argument("--latency-samples", type=int)
    parser.add_argument("--ecr-resources", type=int, default=20, help="ImagePullSecrets of the ECR phase (0: none)")
    parser.add_argument("--ecr-namespaces", type=int, default=5, help="namespaces each ECR resource selects")
    parser.add_argument("--ecr-validity", type=int, default=30,
                        help="ECR token validity in seconds (imps refreshes at half of it)")
    parser.add_argument("--rss-base", type=int,
                        help="the RSS series' smallest namespace count (series: 1, 10, 50 times it; 0: none)")
    parser.add_argument("--seed", type=int, default=1, help="workload and stand-in random seed")
    # imps' defaults: the figures are those a user gets (the sync's creates then take
    # selected / 20 seconds, the rate-limit floor).
    parser.add_argument("--qps", type=int, default=20)
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--resync", type=int, default=300,
                        help="--periodic-reconcile-interval for imps (its default)")
    parser.add_argument("--sync-timeout", type=float, default=900.0)
    parser.add_argument("--markdown", default=os.path.join(ROOT, "build", "benchmarks.md"),
                        help="the report (docs/benchmarks.md is refreshed only when named here)")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.imps = os.path.abspath(args.imps)
    os.environ["IMPS_BINARY"] = args.imps  # what harness.Imps runs
    results = Bench(args).run()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, sort_keys=True)
    if args.markdown:
        findings = None
        if os.path.exists(FINDINGS):
            with open(FINDINGS) as f:
                findings = f.read()
        os.makedirs(os.path.dirname(os.path.abspath(args.markdown)), exist_ok=True)
        with open(args.markdown, "w") as f:
            f.write(report.markdown(results, findings))
    complete = results.get("initial_sync", {}).get("complete")
    print(report.summary(results))
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
