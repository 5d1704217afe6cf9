"""The object store: every object, the global resourceVersion, the event history and the watchers.

Invariants (all under `lock`, a re-entrant condition variable):
- resourceVersions are opaque strings of a counter that starts large and grows by random steps,
  so they are never contiguous; every write takes a fresh one, and so does every list (a list's
  RV therefore never equals an item's RV).
- every write produces exactly one event, appended to a bounded history and offered to every
  watcher; a watch can resume from any RV not older than `compacted_rv`.
- stored objects are never mutated in place: writers store a new dict, readers may share.
It knows nothing of HTTP, validation or lifecycles; those live in operations/admission/lifecycle.
"""

import base64
import collections
import itertools
import json
import threading
import time
from dataclasses import dataclass

# Large first RV: clients that parse RVs as small ints or do arithmetic on them show up quickly.
FIRST_RV = 7_340_000
# Random gap between consecutive RVs (like etcd revisions shared with other resources).
MAX_RV_STEP = 13
# How many events watches can resume from; older RVs get "too old resource version".
DEFAULT_HISTORY = 10_000
# Snapshots kept for paginated lists; an evicted one makes its continue token expire (410).
MAX_SNAPSHOTS = 64


@dataclass(frozen=True)
class Event:
    rv: int
    key: tuple          # (group, plural)
    type: str           # ADDED | MODIFIED | DELETED
    obj: dict           # the new state (the last state for DELETED)
    old: dict           # the previous state (None for ADDED)


class TooOld(Exception):
    def __init__(self, requested, oldest):
        super().__init__(f"too old resource version: {requested} ({oldest})")


def clone(document):
    """A deep copy of a JSON document; several times faster than copy.deepcopy for JSON data."""
    return json.loads(json.dumps(document))


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def object_key(obj):
    meta = obj["metadata"]
    return (meta.get("namespace", ""), meta["name"])


class Store:
    def __init__(self, rng, history_size=DEFAULT_HISTORY):
        self.lock = threading.Condition(threading.RLock())
        self._rng = rng
        self._rv = FIRST_RV + rng.randint(1, MAX_RV_STEP)
        self._objects = collections.defaultdict(dict)   # key -> {(ns, name): obj}
        self._by_uid = {}                               # uid -> (key, ns, name)
        self._dependents = collections.defaultdict(set)  # owner uid -> {(key, ns, name)}
        self._history = collections.deque(maxlen=history_size)
        self.compacted_rv = self._rv
        self._watchers = set()
        self._snapshots = collections.OrderedDict()
        self._snapshot_ids = itertools.count(1)
        self._listeners = []

    # --- resourceVersions -------------------------------------------------------------------

    def next_rv(self):
        with self.lock:
            self._rv += self._rng.randint(1, MAX_RV_STEP)
            return self._rv

    @property
    def current_rv(self):
        return self._rv

    # --- reads -----------------------------------------------------------------------------

    def get(self, key, namespace, name):
        with self.lock:
            return self._objects[key].get((namespace or "", name))

    def items(self, key, namespace=None):
        """Objects of one resource (optionally one namespace), in etcd key order."""
        with self.lock:
            objects = self._objects[key]
            keys = sorted(k for k in objects if namespace is None or k[0] == namespace)
            return [objects[k] for k in keys]

    def by_uid(self, uid):
        with self.lock:
            where = self._by_uid.get(uid)
            return None if where is None else self._objects[where[0]].get(where[1:])

    def dependents(self, owner_uid):
        """(key, object) for every object with an ownerReference to `owner_uid`."""
        with self.lock:
            return [(k, self._objects[k][(ns, n)]) for k, ns, n in list(self._dependents.get(owner_uid, ()))
                    if (ns, n) in self._objects[k]]

    def namespaced_objects(self, namespace):
        """(key, object) for everything stored in `namespace`."""
        with self.lock:
            return [(key, obj) for key, objects in self._objects.items()
                    for (ns, _), obj in objects.items() if ns == namespace]

    # --- writes ----------------------------------------------------------------------------

    def add_listener(self, callback):
        """`callback(event)` runs under the lock after every write (lifecycle controllers)."""
        self._listeners.append(callback)

    def put(self, key, obj, event_type):
        """Stores `obj` (ADDED or MODIFIED) with a fresh RV; returns the stored object."""
        with self.lock:
            rv = self.next_rv()
            obj["metadata"]["resourceVersion"] = str(rv)
            ns, name = object_key(obj)
            old = self._objects[key].get((ns, name))
            if old is not None:
                self._unindex(key, old)
            self._objects[key][(ns, name)] = obj
            self._index(key, obj)
            self._publish(Event(rv, key, event_type, obj, old))
            return obj

    def remove(self, key, obj):
        """Deletes `obj`; the DELETED event carries its last state with the deletion's RV."""
        with self.lock:
            ns, name = object_key(obj)
            old = self._objects[key].pop((ns, name), None)
            if old is None:
                return None
            self._unindex(key, old)
            rv = self.next_rv()
            last = dict(old, metadata=dict(old["metadata"], resourceVersion=str(rv)))
            self._publish(Event(rv, key, "DELETED", last, old))
            return last

    def drop_resource(self, key):
        """Removes every object of a resource (its CRD went away), with DELETED events."""
        with self.lock:
            for obj in self.items(key):
                self.remove(key, obj)

    def _index(self, key, obj):
        meta = obj["metadata"]
        where = (key, meta.get("namespace", ""), meta["name"])
        if meta.get("uid"):
            self._by_uid[meta["uid"]] = where
        for ref in meta.get("ownerReferences") or []:
            self._dependents[ref.get("uid")].add(where)

    def _unindex(self, key, obj):
        meta = obj["metadata"]
        where = (key, meta.get("namespace", ""), meta["name"])
        if self._by_uid.get(meta.get("uid")) == where:
            del self._by_uid[meta["uid"]]
        for ref in meta.get("ownerReferences") or []:
            self._dependents[ref.get("uid")].discard(where)

    def _publish(self, event):
        if len(self._history) == self._history.maxlen:
            self.compacted_rv = self._history[0].rv
        self._history.append(event)
        for watcher in list(self._watchers):
            watcher.offer(event)
        for listener in self._listeners:
            listener(event)
        self.lock.notify_all()

    # --- watch support ---------------------------------------------------------------------

    def subscribe(self, watcher, key, since_rv):
        """Registers `watcher` and returns the history events of `key` after `since_rv`.

        Raises TooOld when events after `since_rv` may already be gone.
        """
        with self.lock:
            if since_rv < self.compacted_rv:
                raise TooOld(since_rv, self.compacted_rv)
            self._watchers.add(watcher)
            return [e for e in self._history if e.key == key and e.rv > since_rv]

    def unsubscribe(self, watcher):
        with self.lock:
            self._watchers.discard(watcher)

    def watchers(self):
        with self.lock:
            return list(self._watchers)

    def compact(self):
        """Forgets all history and every list snapshot, like an etcd compaction."""
        with self.lock:
            self._history.clear()
            self.compacted_rv = self.next_rv()
            self._snapshots.clear()

    def set_history_size(self, size):
        with self.lock:
            dropped = len(self._history) - size
            if dropped > 0:
                self.compacted_rv = self._history[dropped - 1].rv
            self._history = collections.deque(self._history, maxlen=size)

    # --- paginated lists -------------------------------------------------------------------

    def save_snapshot(self, rv, remaining, query):
        """Keeps the rest of a list for its continue token; returns the opaque token."""
        with self.lock:
            snapshot_id = next(self._snapshot_ids)
            self._snapshots[snapshot_id] = (rv, remaining)
            while len(self._snapshots) > MAX_SNAPSHOTS:
                self._snapshots.popitem(last=False)
            raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "id": snapshot_id, "q": query})
            return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def load_snapshot(self, token, query):
        """Returns (rv, remaining items) or None when expired; ValueError when malformed."""
        try:
            padded = token + "=" * (-len(token) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
            rv, snapshot_id, saved_query = decoded["rv"], decoded["id"], decoded["q"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError("continue key is not valid") from e
        if saved_query != query:
            raise ValueError("continue key does not match the request")
        with self.lock:
            if rv < self.compacted_rv or snapshot_id not in self._snapshots:
                return None
            return self._snapshots[snapshot_id]
