"""Watch streams: selector-aware event translation, replay, bookmarks, timeouts and chunking.

A Watcher is registered with the store and receives every event under the store lock; it keeps
only what its client will see (namespace, label and field selectors applied: leaving the selector
is DELETED with the previous content and the new RV, entering is ADDED). `stream` then writes the
events as JSON lines through a chunk writer, splitting the bytes at random points when asked so
that events straddle chunk boundaries. Errors before streaming are the handler's business; once
the stream has started, a too-old RV is an ERROR event inside the HTTP 200 response.
"""

import collections
import json
import time

import tables
from operations import present
from status import status_object
from store import TooOld

METADATA_KIND = "PartialObjectMetadata"
METADATA_API_VERSION = "meta.k8s.io/v1"
# What a connection cut in the middle of an event leaves the client holding.
PARTIAL_EVENT = b'{"type":"MODIFIED","object":{"kind":"'
# Bookmarks come at irregular intervals: each gap is the interval times a factor in this range.
BOOKMARK_JITTER = (0.5, 1.5)


def encode(event_type, obj):
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def metadata_only(obj):
    return {"kind": METADATA_KIND, "apiVersion": METADATA_API_VERSION, "metadata": obj["metadata"]}


class Watcher:
    def __init__(self, resource, namespace, label_selector, field_selector, as_metadata, table=None):
        """`table` = (printer columns, includeObject) when the client asked for Table events."""
        self.resource = resource
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.as_metadata = as_metadata
        self.table = table
        self.queue = collections.deque()
        # Set by the admin API: "clean" cuts between events, "mid_event" after half an event.
        self.dropped = None

    def matches(self, obj):
        if obj is None:
            return False
        meta = obj["metadata"]
        return ((self.namespace is None or meta.get("namespace") == self.namespace)
                and self.label_selector.matches(meta.get("labels"))
                and self.field_selector.matches(obj))

    def translate(self, event):
        """The (type, object) this watcher's client sees for a store event, or None."""
        if event.type == "ADDED":
            return ("ADDED", event.obj) if self.matches(event.obj) else None
        if event.type == "DELETED":
            return ("DELETED", event.obj) if self.matches(event.obj) else None
        was, now = self.matches(event.old), self.matches(event.obj)
        if was and now:
            return ("MODIFIED", event.obj)
        if now:
            return ("ADDED", event.obj)
        if was:
            old = event.old
            return ("DELETED", dict(old, metadata=dict(old["metadata"],
                                                       resourceVersion=event.obj["metadata"]["resourceVersion"])))
        return None

    def offer(self, event):
        """Called by the store, under its lock, for every write."""
        if event.key == self.resource.key and (seen := self.translate(event)):
            self.queue.append(seen)

    def render(self, event_type, obj):
        obj = present(self.resource, obj)
        if self.table:
            columns, include_object = self.table
            return encode(event_type, tables.table(columns, [obj], include_object,
                                                   {"resourceVersion": obj["metadata"]["resourceVersion"]}))
        return encode(event_type, metadata_only(obj) if self.as_metadata else obj)

    def bookmark(self, rv):
        meta = {"resourceVersion": str(rv)}
        if self.as_metadata:
            return encode("BOOKMARK", {"kind": METADATA_KIND, "apiVersion": METADATA_API_VERSION,
                                       "metadata": meta})
        t = self.resource
        if not t.custom:
            meta["creationTimestamp"] = None
        return encode("BOOKMARK", {"kind": t.kind, "apiVersion": t.api_version, "metadata": meta,
                                   **t.bookmark_stub})


def _chunks(data, rng, split):
    """Cuts `data` at one to three random points when `split` is on.

    Everything pending goes out in one burst, so a burst of several events still yields chunks
    holding more than one event, while every burst has at least one event split across chunks.
    """
    if not split or len(data) < 2:
        return [data]
    cuts = sorted(rng.sample(range(1, len(data)), min(rng.randint(1, 3), len(data) - 1)))
    if all(data[c - 1] == 0x0A for c in cuts):
        # Every cut fell on an event boundary: move the first one inside its event (the byte
        # before a newline is the event's closing brace, never another cut).
        cuts[0] -= 1
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


def stream(store, watcher, since_rv, deadline, bookmarks, settings, rng, write_chunk):
    """Runs one watch until its deadline ("end") or until dropped ("drop").

    `since_rv` None means replay current objects as ADDED first. `write_chunk(bytes)` sends one
    HTTP chunk; an OSError from it (client gone) propagates to the caller.
    """
    t = watcher.resource
    with store.lock:
        try:
            if since_rv is None:
                backlog = [("ADDED", o) for o in store.items(t.key, watcher.namespace) if watcher.matches(o)]
                store.subscribe(watcher, t.key, store.current_rv)
            else:
                backlog = [seen for e in store.subscribe(watcher, t.key, since_rv)
                           if (seen := watcher.translate(e))]
        except TooOld as too_old:
            write_chunk(encode("ERROR", status_object(410, settings.too_old_reason, str(too_old))))
            return "end"
    try:
        pending = b"".join(watcher.render(kind, obj) for kind, obj in backlog)
        next_bookmark = _next_bookmark(settings, rng)
        while True:
            for piece in _chunks(pending, rng, settings.random_chunks):
                write_chunk(piece)
            pending = b""
            with store.lock:
                while not watcher.queue and not watcher.dropped:
                    now = time.monotonic()
                    wake = min(deadline, next_bookmark if bookmarks else deadline)
                    if now >= wake:
                        break
                    store.lock.wait(wake - now)
                if watcher.dropped:
                    if watcher.dropped == "mid_event":
                        write_chunk(PARTIAL_EVENT)
                    return "drop"
                events = list(watcher.queue)
                watcher.queue.clear()
                pending = b"".join(watcher.render(kind, obj) for kind, obj in events)
                now = time.monotonic()
                if now >= deadline:
                    if pending:
                        for piece in _chunks(pending, rng, settings.random_chunks):
                            write_chunk(piece)
                    return "end"
                if bookmarks and now >= next_bookmark:
                    pending += watcher.bookmark(store.current_rv)
                    next_bookmark = _next_bookmark(settings, rng)
    finally:
        store.unsubscribe(watcher)


def _next_bookmark(settings, rng):
    if settings.bookmark_interval <= 0:
        return float("inf")
    return time.monotonic() + settings.bookmark_interval * rng.uniform(*BOOKMARK_JITTER)
