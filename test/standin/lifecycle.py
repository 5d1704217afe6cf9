"""The controllers a real cluster runs next to the apiserver, reduced to what clients can observe.

- Namespace lifecycle: a namespace marked for deletion (Terminating) loses its contents after
  `namespace_delay` (objects with finalizers are only marked and waited for), then goes itself.
- ServiceAccounts: every new namespace gets its `default` ServiceAccount right away (the
  controller-manager's serviceaccount controller), unless `service_account_controller` is off.
- Garbage collection (background propagation): an object all of whose owners are absent (matched
  by uid; a namespaced owner must be in the dependent's namespace) is deleted `gc_delay` after
  that became observable.
One timer thread runs the delayed work under the store lock; nothing here touches HTTP.
"""

import heapq
import itertools
import threading
import time
import uuid

from operations import NAMESPACES
from store import now_rfc3339

SERVICE_ACCOUNTS = ("", "serviceaccounts")

# While a terminating namespace still holds objects with finalizers, look again this often.
NAMESPACE_RECHECK = 0.1


class Lifecycle:
    def __init__(self, api, settings):
        self.api = api
        self.store = api.store
        self.settings = settings
        self._timers = []
        self._sequence = itertools.count()
        self._wake = threading.Condition()
        self.store.add_listener(self._on_event)
        threading.Thread(target=self._run, name="lifecycle", daemon=True).start()

    def _schedule(self, delay, action, *args):
        with self._wake:
            entry = (time.monotonic() + delay, next(self._sequence), action, args)
            heapq.heappush(self._timers, entry)
            # Only a new earliest deadline changes when the timer thread must wake; not waking it
            # for every other write keeps bulk seeding from paying a thread switch per object.
            if self._timers[0] is entry:
                self._wake.notify()

    def _run(self):
        while True:
            with self._wake:
                while not self._timers or self._timers[0][0] > time.monotonic():
                    timeout = self._timers[0][0] - time.monotonic() if self._timers else None
                    self._wake.wait(timeout)
                _, _, action, args = heapq.heappop(self._timers)
            with self.store.lock:
                action(*args)

    def _on_event(self, event):
        meta = event.obj["metadata"]
        if event.key == NAMESPACES and event.type == "ADDED" and self.settings.service_account_controller:
            self._schedule(0, self._create_default_service_account, meta["name"])
        if event.key == NAMESPACES and event.type == "MODIFIED" and meta.get("deletionTimestamp"):
            if not (event.old or {}).get("metadata", {}).get("deletionTimestamp"):
                self._schedule(self.settings.namespace_delay, self._finalize_namespace, meta["name"])
        if event.type == "DELETED" and meta.get("uid"):
            self._schedule(self.settings.gc_delay, self._collect_dependents, meta["uid"])
        elif event.type != "DELETED" and meta.get("ownerReferences"):
            self._schedule(self.settings.gc_delay, self._collect, event.key,
                           meta.get("namespace", ""), meta["name"])

    def _create_default_service_account(self, namespace):
        ns = self.store.get(NAMESPACES, "", namespace)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return
        if self.store.get(SERVICE_ACCOUNTS, namespace, "default") is None:
            self.store.put(SERVICE_ACCOUNTS, {
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "default", "namespace": namespace, "uid": str(uuid.uuid4()),
                             "creationTimestamp": now_rfc3339()}}, "ADDED")

    def _finalize_namespace(self, name):
        namespace = self.store.get(NAMESPACES, "", name)
        if namespace is None or not namespace["metadata"].get("deletionTimestamp"):
            return
        for key, obj in self.store.namespaced_objects(name):
            self.api.delete_now(key, obj)
        if self.store.namespaced_objects(name):
            self._schedule(NAMESPACE_RECHECK, self._finalize_namespace, name)
        else:
            self.store.remove(NAMESPACES, namespace)

    def _collect_dependents(self, owner_uid):
        for key, dependent in self.store.dependents(owner_uid):
            self._collect(key, dependent["metadata"].get("namespace", ""), dependent["metadata"]["name"])

    def _owner_present(self, dependent_namespace, ref):
        owner = self.store.by_uid(ref.get("uid"))
        if owner is None:
            return False
        owner_namespace = owner["metadata"].get("namespace", "")
        return owner_namespace in ("", dependent_namespace)

    def _collect(self, key, namespace, name):
        obj = self.store.get(key, namespace, name)
        if obj is None or obj["metadata"].get("deletionTimestamp"):
            return
        refs = obj["metadata"].get("ownerReferences") or []
        if refs and not any(self._owner_present(namespace, r) for r in refs):
            self.api.delete_now(key, obj)
