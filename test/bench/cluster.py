"""The benchmark's view of the stand-in: bulk seeding, server-side write tracking, request counts.

Seeding goes through the admin API (`POST /seed`), never the Kubernetes API, so it neither shows
up in the request counters nor costs TLS round trips; batches are generated in a thread while the
stand-in stores the previous one. WriteTracker pages through `POST /writes` (timestamps taken by
the stand-in, CLOCK_MONOTONIC, comparable with this process's time.monotonic()). Counts are the
stand-in's per-verb counters minus the requests the benchmark itself sent.
"""

import collections
import gc
import queue
import threading
import time

import workload

# Objects per /seed call: a few MB of JSON, big enough to amortise the round trip.
SEED_BATCH = 2000
# How often WriteTracker polls while waiting; the admin API runs beside the API threads, so
# polling faster would steal the stand-in's interpreter from the requests being measured.
POLL_INTERVAL = 0.05
# The bench's own API requests carry this User-Agent (also visible in the stand-in's request log).
USER_AGENT = "imps-bench"


class Seeded:
    """What was seeded: counts, and the namespaces the ImagePullSecret must select."""

    def __init__(self):
        self.namespaces = 0
        self.pods = 0
        self.selected = set()
        self.unselected = []
        self.seconds = 0.0


def seed(standin, namespaces, pods, rng_seed):
    """Seeds the namespaces and their pods; returns Seeded."""
    return seed_items(standin, workload.cluster(namespaces, pods, rng_seed))


def seed_items(standin, items, send_namespaces=True):
    """Seeds (namespace object, pods) items; send_namespaces=False adds pods to namespaces that
    exist already (then `selected` still judges each namespace with these pods)."""
    result = Seeded()
    started = time.monotonic()
    batches = queue.Queue(maxsize=2)

    def produce():
        # Generated objects are dropped as soon as they are sent: refcounting frees them, and the
        # cyclic GC would only re-walk millions of short-lived dicts.
        gc.disable()
        try:
            batch = []
            for ns, ns_pods in items:
                name = ns["metadata"]["name"]
                result.namespaces += 1
                result.pods += len(ns_pods)
                if workload.selected(ns, ns_pods):
                    result.selected.add(name)
                else:
                    result.unselected.append(name)
                if send_namespaces:
                    batch.append(ns)
                batch += ns_pods
                if len(batch) >= SEED_BATCH:
                    batches.put(batch)
                    batch = []
            batches.put(batch)
        finally:
            batches.put(None)
            gc.enable()

    producer = threading.Thread(target=produce, name="seed-producer", daemon=True)
    producer.start()
    while (batch := batches.get()) is not None:
        if batch:
            standin.seed(objects=batch)
    producer.join()
    result.seconds = time.monotonic() - started
    return result


class WriteTracker:
    """Follows the stand-in's write log from a starting point."""

    def __init__(self, standin):
        self.standin = standin
        self.cursor = standin.admin("POST", "/writes", {"since": 1 << 62})["last"]  # the newest write
        self.records = []

    def mark(self):
        """Forgets what was seen so far; later records start from here."""
        self.poll()
        self.records = []

    def poll(self):
        answer = self.standin.admin("POST", "/writes", {"since": self.cursor})
        self.cursor = answer["last"]
        self.records += answer["writes"]
        return answer["writes"]

    def secrets(self, types=("ADDED",)):
        """{namespace: first write time} of our target Secret, for the given event types."""
        seen = {}
        for r in self.records:
            if r["resource"] == "secrets" and r["name"] == workload.SECRET_NAME and r["type"] in types:
                seen.setdefault(r["namespace"], r["time"])
        return seen

    def created(self, resource, name, namespace=""):
        return self.first(resource, name, "ADDED", namespace)

    def first(self, resource, name, kind, namespace=""):
        """The stand-in's time of the first write of that object with that event type, or None."""
        for r in self.records:
            if r["resource"] == resource and r["name"] == name and r["namespace"] == namespace and r["type"] == kind:
                return r["time"]
        return None

    def wait(self, predicate, timeout, what):
        """Polls until predicate(self) is truthy; returns it, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            value = predicate(self)
            if value or time.monotonic() >= deadline:
                return value or None
            time.sleep(POLL_INTERVAL)


class Requests:
    """The client's API requests since `reset()`, by verb: stand-in counters minus our own."""

    def __init__(self, standin):
        self.standin = standin
        self.own = collections.Counter()
        self.own_by_resource = collections.Counter()

    def reset(self):
        self.standin.reset_counts()
        self.own.clear()
        self.own_by_resource.clear()

    def sent(self, verb, resource):
        """Records one request the benchmark made itself (`resource`: the plural)."""
        self.own[verb] += 1
        self.own_by_resource[f"{verb} {resource}"] += 1

    def snapshot(self):
        counts = self.standin.counts()
        by_verb = _minus(counts["byVerb"], self.own)
        by_resource = _minus(counts["byResource"], self.own_by_resource)
        service = counts.get("serviceSeconds", {})
        return {"byVerb": by_verb, "byResource": by_resource, "total": sum(by_verb.values()),
                "byPath": counts.get("byPath", {}), "serviceSeconds": service}

    def settle(self, quiet, timeout):
        """Waits until no request arrived for `quiet` seconds (or `timeout` passed); returns the total."""
        deadline = time.monotonic() + timeout
        last_total, last_change = None, time.monotonic()
        while True:
            total = self.standin.counts()["total"]
            now = time.monotonic()
            if total != last_total:
                last_total, last_change = total, now
            elif now - last_change >= quiet or now >= deadline:
                return total
            time.sleep(POLL_INTERVAL * 4)


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 2)


def service_summary(service, keys=None):
    """The stand-in's service times ({"verb plural": ...} of its counts), of `keys` or all, in ms."""
    return {key: {"count": v["count"], "total_s": round(v["total"], 3), "p50_ms": ms(v["p50"]),
                  "p99_ms": ms(v["p99"]), "max_ms": ms(v["max"])}
            for key, v in sorted(service.items()) if v["count"] and (keys is None or key in keys)}


def _minus(counts, own):
    left = collections.Counter(counts)
    left.subtract(own)
    return {key: n for key, n in sorted(left.items()) if n}


def resource_of(path):
    """The resource plural of an API path (/api/v1/namespaces/x/pods/y → pods)."""
    parts = path.split("?")[0].strip("/").split("/")
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    return rest[2] if len(rest) >= 3 and rest[0] == "namespaces" else rest[0]
