"""The API verbs on top of the store: get, list, create, replace, patch, delete.

This is where request semantics live (optimistic concurrency, namespaces that must exist or are
terminating, finalizers, delete responses, CRD registration); HTTP parsing and encoding stay in
the handler. Every successful change is exactly one store write, hence exactly one watch event;
a write that changes nothing (same content) is answered without a write, like the real server.
"""

import random

import admission
import patch as patching
from resources import Registry, types_from_crd
from status import ApiError, already_exists, bad_request, conflict, not_found, unknown_resource
from store import clone, now_rfc3339

# Real apiserver: generateName + 5 random lowercase alphanumerics.
GENERATED_SUFFIX_LENGTH = 5
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
NAMESPACES = ("", "namespaces")
CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")

PATCH_TYPES = {"application/merge-patch+json": "merge", "application/strategic-merge-patch+json": "strategic",
               "application/json-patch+json": "json", "application/apply-patch+yaml": "apply"}


def present(t, obj):
    """The object as served through resource type `t` (CRs take the requested version)."""
    if obj is not None and obj.get("apiVersion") != t.api_version:
        return dict(obj, apiVersion=t.api_version)
    return obj


class Api:
    def __init__(self, store, rng=None):
        self.store = store
        self.registry = Registry()
        self._rng = rng or random.Random()
        store.add_listener(self._on_event)

    # --- CRDs drive the registry -----------------------------------------------------------

    def _on_event(self, event):
        if event.key != CRDS:
            return
        name = event.obj["metadata"]["name"]
        if event.type == "DELETED":
            keys = {t.key for t in types_from_crd(event.obj)}
            self.registry.remove_crd(name)
            for key in keys:
                self.store.drop_resource(key)
        else:
            self.registry.add_crd(event.obj)

    # --- reads -----------------------------------------------------------------------------

    def get(self, t, namespace, name):
        obj = self.store.get(t.key, namespace, name)
        if obj is None:
            raise not_found(t.plural, name, t.group)
        return present(t, obj)

    def list(self, t, namespace, label_selector, field_selector, limit, continue_token, query):
        """Returns (items, list RV, continue token or None, remainingItemCount or None)."""
        with self.store.lock:
            if continue_token:
                try:
                    snapshot = self.store.load_snapshot(continue_token, query)
                except ValueError as e:
                    raise bad_request(str(e))
                if snapshot is None:
                    raise ApiError(410, "The provided continue parameter is too old to display a "
                                        "consistent list result. You can start a new list without "
                                        "the continue parameter.", "Expired")
                rv, items = snapshot
            else:
                items = [o for o in self.store.items(t.key, namespace)
                         if label_selector.matches(o["metadata"].get("labels"))
                         and field_selector.matches(o)]
                rv = self.store.next_rv()
            token = remaining = None
            if limit and len(items) > limit:
                token = self.store.save_snapshot(rv, items[limit:], query)
                if label_selector.empty() and field_selector.empty():
                    remaining = len(items) - limit
                items = items[:limit]
            return [present(t, o) for o in items], rv, token, remaining

    # --- writes ----------------------------------------------------------------------------

    def _check_namespace(self, t, namespace):
        if not t.namespaced:
            return
        ns = self.store.get(NAMESPACES, "", namespace)
        if ns is None:
            raise not_found("namespaces", namespace)
        if ns["metadata"].get("deletionTimestamp"):
            raise ApiError(403, f"unable to create new content in namespace {namespace} because it "
                                "is being terminated", "Forbidden",
                           {"name": namespace, "kind": t.plural, "group": t.group,
                            "causes": [{"reason": "NamespaceTerminating", "field": "metadata.namespace",
                                        "message": f"namespace {namespace} is being terminated"}]})

    def create(self, t, namespace, body, dry_run=False, private=False):
        """`private`: the caller hands over `body` (bulk seeding), so no defensive copy is made."""
        if not isinstance(body, dict):
            raise bad_request("the body of the request was in an unknown format")
        obj = body if private else clone(body)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                self._rng.choice(_SUFFIX_ALPHABET) for _ in range(GENERATED_SUFFIX_LENGTH))
        with self.store.lock:
            obj = admission.prepare_create(t, obj, namespace)
            self._check_namespace(t, namespace)
            if t.kind == "Pod":
                self._admit_service_account(obj, namespace)
            if self.store.get(t.key, namespace, meta["name"]) is not None:
                raise already_exists(t.plural, meta["name"], t.group)
            if dry_run:
                return present(t, obj)
            return present(t, self.store.put(t.key, obj, "ADDED"))

    def _admit_service_account(self, pod, namespace):
        """The ServiceAccount admission plugin: a pod runs as `default` unless it names an account,
        and one that lists no imagePullSecrets gets its account's. (The real plugin also rejects
        pods whose account does not exist yet; the stand-in admits them unchanged.)"""
        spec = pod.get("spec")
        if not isinstance(spec, dict):
            return
        account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        spec["serviceAccountName"] = spec["serviceAccount"] = account
        sa = self.store.get(("", "serviceaccounts"), namespace, account)
        if sa is not None and not spec.get("imagePullSecrets") and sa.get("imagePullSecrets"):
            spec["imagePullSecrets"] = clone(sa["imagePullSecrets"])

    def replace(self, t, namespace, name, body, subresource=None):
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
            raise bad_request("the body of the request was in an unknown format")
        if body["metadata"].get("name") != name:
            raise bad_request("the name of the object "
                              f"({body['metadata'].get('name')}) does not match the name on the URL ({name})")
        with self.store.lock:
            old = self.store.get(t.key, namespace, name)
            if old is None:
                raise not_found(t.plural, name, t.group)
            admission.check_resource_version(t, old, body)
            return self._update(t, old, clone(body), subresource)

    def patch(self, t, namespace, name, content_type, body, subresource=None, field_manager=None):
        """Returns (object, created)."""
        kind = PATCH_TYPES.get(content_type)
        if kind is None or (kind == "strategic" and t.custom):
            raise ApiError(415, f"the body of the request was in an unknown format - accepted media "
                                f"types include: {', '.join(self._patch_types(t))}")
        if kind == "apply" and not field_manager:
            raise admission.invalid("PatchOptions", "", [("fieldManager", "Required value: is required "
                                                         "for apply patch")], "meta.k8s.io")
        with self.store.lock:
            old = self.store.get(t.key, namespace, name)
            if old is None:
                if kind == "apply":
                    body = dict(body, metadata=dict(body.get("metadata") or {}, name=name))
                    return self.create(t, namespace, body), True
                raise not_found(t.plural, name, t.group)
            if kind == "json":
                patched = patching.json_patch(old, body)
            elif not isinstance(body, dict):
                raise bad_request("patch body must be a JSON object")
            elif kind == "strategic":
                patched = patching.strategic_merge_patch(old, body)
            else:
                patched = patching.merge_patch(old, body)
            if not isinstance(patched.get("metadata"), dict) or patched["metadata"].get("name") != name:
                raise bad_request("metadata.name cannot be changed by a patch")
            # A patch that names a resourceVersion is conditional; one that does not is not.
            if patched["metadata"].get("resourceVersion") != old["metadata"]["resourceVersion"]:
                raise conflict(t.plural, name, t.group)
            return self._update(t, old, patched, subresource), False

    @staticmethod
    def _patch_types(t):
        return [m for m, k in PATCH_TYPES.items() if not (k == "strategic" and t.custom)]

    def _update(self, t, old, new, subresource):
        new = admission.prepare_update(t, old, new, subresource)
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        if admission.same_content(old, new):
            return present(t, old)
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            return present(t, self.store.remove(t.key, new))
        return present(t, self.store.put(t.key, new, "MODIFIED"))

    def delete(self, t, namespace, name, options):
        """Returns the response body: the object, or a Status Success for Secrets."""
        with self.store.lock:
            obj = self.store.get(t.key, namespace, name)
            if obj is None:
                raise not_found(t.plural, name, t.group)
            self.check_preconditions(t, obj, options.get("preconditions") or {})
            if options.get("propagationPolicy") == "Orphan":
                self.orphan_dependents(obj["metadata"]["uid"])
            if t.key == NAMESPACES or obj["metadata"].get("finalizers"):
                return present(t, self.start_deletion(t, obj))
            last = self.store.remove(t.key, obj)
            if t.kind == "Secret":
                return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                        "details": {"name": name, "kind": t.plural, "uid": obj["metadata"]["uid"]}}
            return present(t, last)

    @staticmethod
    def check_preconditions(t, obj, preconditions):
        meta = obj["metadata"]
        for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            wanted = preconditions.get(field)
            if wanted and wanted != meta.get(field):
                raise conflict(t.plural, meta["name"], t.group,
                               f"Precondition failed: {label} in precondition: {wanted}, "
                               f"{label} in object meta: {meta.get(field)}")

    def start_deletion(self, t, obj):
        """Marks `obj` as being deleted (deletionTimestamp; Terminating for namespaces)."""
        if obj["metadata"].get("deletionTimestamp"):
            return obj
        marked = clone(obj)
        marked["metadata"]["deletionTimestamp"] = now_rfc3339()
        marked["metadata"]["deletionGracePeriodSeconds"] = 0
        if "generation" in marked["metadata"]:
            marked["metadata"]["generation"] += 1
        if t.key == NAMESPACES:
            marked["status"] = {"phase": "Terminating"}
        return self.store.put(t.key, marked, "MODIFIED")

    def delete_now(self, key, obj):
        """Deletion by a controller (namespace cleanup, GC): honours finalizers."""
        t = self.registry.by_key(key)
        if t is None:
            return
        if obj["metadata"].get("finalizers") or key == NAMESPACES:
            self.start_deletion(t, obj)
        else:
            self.store.remove(key, obj)

    def orphan_dependents(self, owner_uid):
        for key, dependent in self.store.dependents(owner_uid):
            updated = clone(dependent)
            refs = [r for r in updated["metadata"].get("ownerReferences", []) if r.get("uid") != owner_uid]
            if refs:
                updated["metadata"]["ownerReferences"] = refs
            else:
                updated["metadata"].pop("ownerReferences", None)
            self.store.put(key, updated, "MODIFIED")

    def resolve(self, group, version, plural):
        t = self.registry.lookup(group, version, plural)
        if t is None:
            raise unknown_resource()
        return t

