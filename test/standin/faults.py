"""Fault injection and request accounting, consulted by the HTTP handler for every API request.

A fault is armed for the next `count` requests that match its optional verb and path
substring; each matching request consumes one. Modes:
  status  — a Status error with `code` (500 InternalError by default; `retry_after` adds the header)
  apf429  — the priority-and-fairness 429: text/plain body and `Retry-After: 1`, not a Status
  html    — an HTML error page (a proxy's 502/503) with `code`
  nonjson — 200 with Content-Type application/json and a body that is not JSON
  malformed — 200 with truncated JSON (`{"kind":"...","items":[{`)
  oversized — 200, a syntactically valid JSON body of `size` bytes, streamed chunked
  truncated — Content-Length promises more than is sent before the connection closes
  drop    — close the connection without any response
Counters are kept per verb (get/list/watch/create/update/patch/delete), per path and per
resource plural; `snapshot()` and `reset()` let tests assert how many calls a behaviour costs.
Service times (request parsed → response written, watches excluded) are kept per "verb plural"
so that benchmarks can separate the stand-in's own cost from the client's.
"""

import collections
import threading
import time
from dataclasses import dataclass

from request_log import RequestLog

MODES = ("status", "apf429", "html", "nonjson", "malformed", "oversized", "truncated", "drop")
# Default size of an "oversized" body: well beyond any sane client cap, yet quick to stream locally.
DEFAULT_OVERSIZE = 64 * 1024 * 1024
# How many recent requests the log keeps for tests that assert on headers or query parameters.
REQUEST_LOG_SIZE = 2000
# Service times kept per "verb plural" for percentiles: a benchmark's event phases fit easily.
SERVICE_TIMES_KEPT = 20_000


@dataclass
class Fault:
    mode: str
    count: int = 1
    code: int = 500
    verb: str = None
    path: str = None
    size: int = DEFAULT_OVERSIZE
    retry_after: int = None

    def matches(self, verb, path):
        return (self.verb is None or self.verb == verb) and (self.path is None or self.path in path)


class Faults:
    def __init__(self, request_log=None):
        self._request_log = request_log or RequestLog()
        self._lock = threading.Lock()
        self._faults = []
        self._by_verb = collections.Counter()
        self._by_path = collections.Counter()
        self._by_resource = collections.Counter()
        self._log = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self._service = {}  # "verb plural" -> [count, total seconds, max, deque of recent times]

    def arm(self, spec):
        fault = Fault(**spec)
        if fault.mode not in MODES:
            raise ValueError(f"unknown fault mode {fault.mode!r}; known: {', '.join(MODES)}")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults.clear()

    def take(self, verb, path):
        """Consumes and returns the first armed fault matching this request, or None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(verb, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def count(self, verb, path, resource, query, user_agent):
        self._request_log.record(verb, path, user_agent)
        with self._lock:
            self._by_verb[verb] += 1
            self._by_path[f"{verb} {path}"] += 1
            if resource:
                self._by_resource[f"{verb} {resource}"] += 1
            self._log.append({"verb": verb, "path": path, "query": query, "userAgent": user_agent,
                              "time": time.monotonic()})

    def served(self, verb, resource, seconds):
        """Records how long one (non-watch) request took to serve."""
        with self._lock:
            entry = self._service.setdefault(f"{verb} {resource or ''}".strip(),
                                             [0, 0.0, 0.0, collections.deque(maxlen=SERVICE_TIMES_KEPT)])
            entry[0] += 1
            entry[1] += seconds
            entry[2] = max(entry[2], seconds)
            entry[3].append(seconds)

    def snapshot(self):
        with self._lock:
            return {"total": sum(self._by_verb.values()), "byVerb": dict(self._by_verb),
                    "byPath": dict(self._by_path), "byResource": dict(self._by_resource),
                    "requests": list(self._log),
                    "serviceSeconds": {key: {"count": n, "total": total, "max": longest,
                                             "p50": _percentile(times, 0.50), "p99": _percentile(times, 0.99)}
                                       for key, (n, total, longest, times) in self._service.items()}}

    def reset(self):
        with self._lock:
            self._by_verb.clear()
            self._by_path.clear()
            self._by_resource.clear()
            self._log.clear()
            self._service.clear()


def _percentile(values, fraction):
    """Nearest-rank percentile of recent values (0.0 when there are none)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]
