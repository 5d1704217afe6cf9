"""The RSS series: imps' peak and settled memory against the number of namespaces and of pods.

One stand-in grows through four points, a fresh imps measuring each (with base = 1,000):
  1. base namespaces × 10 pods;
  2. 10 × base namespaces, the new ones without pods (pods unchanged: the slope per namespace);
  3. those new namespaces get 10 pods each (namespaces unchanged: the slope per pod);
  4. 50 × base namespaces × 10 pods (checks the straight line the first three points draw).
Pods are lean (no managedFields; workload.py) so that 500,000 of them fit the Python stand-in,
and imps runs with a high --qps so that each point's Secret creates take seconds, not the
minutes of the rate-limit floor: what is measured is memory, not the sync's pace. A point is
measured when every selected namespace holds the Secret and no request came for SETTLE_QUIET
seconds: peak = VmHWM, settled = VmRSS then. Each point is measured twice: by the imps that
provisions the new namespaces (its memory includes the heap that the burst of Secret writes
left behind), then by a second imps started on the provisioned cluster, which writes nothing:
its figures are those of the state (lists, caches) alone, what a restart at that size costs.
"""

import time

import harness
import workload
from cluster import Requests, WriteTracker, seed_items
from imps_process import ImpsUnderTest, memory

PODS_PER_NAMESPACE = 10
SETTLE_QUIET = 3.0
SERIES_QPS = 1000


def stages(base):
    """[(label, namespace indexes seeded, pods per seeded namespace, send the namespaces)]."""
    return [(f"{base:,} × {PODS_PER_NAMESPACE}", range(0, base), PODS_PER_NAMESPACE, True),
            (f"{10 * base:,} (the new {9 * base:,} without pods)", range(base, 10 * base), 0, True),
            (f"{10 * base:,} × {PODS_PER_NAMESPACE}", range(base, 10 * base), PODS_PER_NAMESPACE, False),
            (f"{50 * base:,} × {PODS_PER_NAMESPACE}", range(10 * base, 50 * base), PODS_PER_NAMESPACE, True)]


def run(base, rng_seed, timeout, log):
    """Returns {"base", "points": [...], "slopes": {...}}; each point's figures in bytes."""
    standin = harness.StandIn("--seed", str(rng_seed))
    points = []
    try:
        standin.settings(gc_delay=86400.0)  # pods own ReplicaSets the stand-in does not have
        standin.seed(objects=[workload.source_namespace(), workload.source_secret("initial"),
                              workload.image_pull_secret()])
        requests, writes = Requests(standin), WriteTracker(standin)
        selected, provisioned = set(), set()
        namespaces = pods = 0
        for label, indexes, per_namespace, send in stages(base):
            seeded = seed_items(standin, workload.namespaces_with_pods(
                indexes, lambda _: per_namespace, rng_seed, lean=True), send_namespaces=send)
            namespaces += seeded.namespaces if send else 0
            pods += seeded.pods
            selected |= seeded.selected
            log(f"RSS series: {namespaces:,} namespaces, {pods:,} pods seeded in {seeded.seconds:.1f}s; imps starts")
            point = measure(standin, requests, writes, selected - provisioned, timeout)
            provisioned |= selected
            restart = measure(standin, requests, writes, set(), timeout)
            point.update(restart_peak_rss=restart["peak_rss"], restart_settled_rss=restart["settled_rss"],
                         restart_secret_writes=restart["secret_writes"], restart_complete=restart["complete"])
            point.update(label=label, namespaces=namespaces, pods=pods, selected=len(selected),
                         standin_rss=memory(standin.info["pid"]).get("VmRSS"))
            points.append(point)
            log(f"RSS series point: {point}")
    finally:
        standin.stop()
    return {"base": base, "pods_per_namespace": PODS_PER_NAMESPACE, "qps": SERIES_QPS, "points": points,
            "slopes": slopes(points)}


def measure(standin, requests, writes, expected, timeout):
    requests.reset()
    writes.mark()
    imps = ImpsUnderTest("--kubeconfig", standin.kubeconfig, "--metrics-addr", "0", "--health-probe-addr", "0",
                         "--qps", str(SERIES_QPS), "--burst", str(SERIES_QPS))
    try:
        done = writes.wait(lambda w: expected <= set(w.secrets()) or imps.process.poll() is not None,
                           timeout, "RSS series provisioning")
        done = bool(done) and expected <= set(writes.secrets())
        # Also the restart, which has nothing to write, is measured after its sync.
        synced = imps.wait_log(lambda l: l.get("msg") == "initial sync complete", timeout)
        requests.settle(SETTLE_QUIET, timeout)
        figures = imps.memory()
        writes.poll()
        return {"complete": done, "peak_rss": figures.get("VmHWM"), "settled_rss": figures.get("VmRSS"),
                "seconds_to_synced_log": round(synced["_seen"] - imps.started, 2) if synced else None,
                "seconds_to_provisioned": round(time.monotonic() - imps.started, 1) if done else None,
                "secrets_created": len(set(writes.secrets()) & expected), "cpu_seconds": imps.cpu(),
                "secret_writes": sum(r["resource"] == "secrets" for r in writes.records),
                "imps_exit": imps.process.poll()}
    finally:
        imps.stop()


def slopes(points):
    """Bytes per namespace (points 1→2, pods fixed) and per pod (points 2→3, namespaces fixed),
    of peak and settled RSS, and what that line predicts for the last point."""
    figures = ("peak_rss", "settled_rss", "restart_peak_rss", "restart_settled_rss")
    if len(points) < 4 or any(p.get(f) is None for p in points for f in figures):
        return {}
    first, more_namespaces, more_pods, last = points
    result = {}
    for figure in figures:
        per_namespace = (more_namespaces[figure] - first[figure]) / (more_namespaces["namespaces"] - first["namespaces"])
        per_pod = (more_pods[figure] - more_namespaces[figure]) / (more_pods["pods"] - more_namespaces["pods"])
        predicted = (more_pods[figure] + per_namespace * (last["namespaces"] - more_pods["namespaces"])
                     + per_pod * (last["pods"] - more_pods["pods"]))
        result[figure] = {"per_namespace": round(per_namespace, 1), "per_pod": round(per_pod, 1),
                          "predicted_last": round(predicted), "measured_last": last[figure]}
    return result
