"""Server-side timestamps of every store write, for benchmarks that measure event-to-write latency.

Each write (one per watch event, see store.py) becomes a small record: a sequence number, the
stand-in's time.monotonic() (CLOCK_MONOTONIC, so comparable with other processes on the host),
the event type, the resource plural, namespace and name. Records are kept in a bounded deque;
readers page through them with `since(seq)`. Nothing here changes what clients observe.
"""

import collections
import itertools
import time

# Enough for a benchmark's seeding (110k objects) plus everything the controller writes after it.
DEFAULT_CAPACITY = 400_000


class WriteLog:
    def __init__(self, store, capacity=DEFAULT_CAPACITY):
        self._records = collections.deque(maxlen=capacity)
        self._sequence = itertools.count(1)
        self._store = store
        store.add_listener(self._on_event)

    def _on_event(self, event):
        meta = event.obj["metadata"]
        self._records.append((next(self._sequence), time.monotonic(), event.type, event.key[1],
                              meta.get("namespace", ""), meta["name"]))

    def since(self, seq, resource=None):
        """(records after sequence number `seq`, optionally of one resource plural, oldest first;
        the newest sequence number, to pass as `seq` next time)."""
        newer = []
        with self._store.lock:
            last = self._records[-1][0] if self._records else 0
            # Walk back from the newest record: a poll costs what was written since the last one.
            for record in reversed(self._records):
                if record[0] <= seq:
                    break
                newer.append(record)
        records = [{"seq": s, "time": t, "type": kind, "resource": plural, "namespace": ns, "name": name}
                   for s, t, kind, plural, ns, name in reversed(newer) if resource is None or plural == resource]
        return records, last
