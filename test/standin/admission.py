"""Per-type defaulting and validation, the stand-in's version of the apiserver's strategies.

`prepare_create` and `prepare_update` get private copies and return the object to store; they
raise ApiError with the codes the real server uses. Generic metadata (uid, timestamps, owner
fields) is handled here too so that every write path behaves the same. No I/O, no store writes.
"""

import base64
import binascii
import re
import uuid

from status import bad_request, conflict, invalid
from store import now_rfc3339

_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# Secrets are capped by the apiserver at 1 MiB of data.
MAX_SECRET_BYTES = 1024 * 1024
_TOP_LEVEL_NON_SPEC = ("apiVersion", "kind", "metadata", "status")


def _spec_part(obj):
    return {k: v for k, v in obj.items() if k not in _TOP_LEVEL_NON_SPEC}


def _normalize_secret(t, obj):
    name = obj["metadata"]["name"]
    data = obj.get("data") or {}
    if not isinstance(data, dict):
        raise bad_request("Secret in version \"v1\" cannot be handled as a Secret: data must be a map")
    total = 0
    for key, value in data.items():
        if not _SECRET_KEY.match(key):
            raise invalid(t.kind, name, [(f"data[{key}]", f'Invalid value: "{key}": a valid config '
                                          "key must consist of alphanumeric characters, '-', '_' or '.'")])
        try:
            total += len(base64.b64decode(value, validate=True))
        except (binascii.Error, TypeError, ValueError):
            raise bad_request('Secret in version "v1" cannot be handled as a Secret: illegal '
                              f'base64 data at input byte 0 in key {key!r}')
    for key, value in (obj.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
        total += len(str(value).encode())
    if total > MAX_SECRET_BYTES:
        raise invalid(t.kind, name, [("data", "Too long: must have at most 1048576 bytes")])
    if data:
        obj["data"] = data
    else:
        obj.pop("data", None)
    obj.setdefault("type", "Opaque")


def _validate_event(t, obj):
    involved = obj.get("involvedObject") or {}
    namespace = obj["metadata"].get("namespace", "")
    expected = involved.get("namespace") or "default"
    if namespace != expected:
        raise invalid(t.kind, obj["metadata"]["name"],
                      [("involvedObject.namespace", f'Invalid value: "{involved.get("namespace", "")}": '
                                                    "does not match event.namespace")])
    obj.setdefault("eventTime", None)


def prepare_create(t, obj, namespace):
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    if not meta.get("name"):
        raise invalid(t.kind, "", [("metadata.name", "Required value: name or generateName is required")])
    if t.namespaced:
        if meta.get("namespace", namespace) != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace "
                              "sent on the request")
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    obj["apiVersion"], obj["kind"] = t.api_version, t.kind
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = now_rfc3339()
    for transient in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
        meta.pop(transient, None)
    if t.custom or t.generation or t.kind == "CustomResourceDefinition":
        meta["generation"] = 1
    if (t.custom or t.generation) and t.status_subresource:
        obj.pop("status", None)
    if t.kind == "Secret":
        _normalize_secret(t, obj)
    elif t.kind == "Namespace":
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    elif t.kind == "Pod":
        obj["status"] = {"phase": "Pending"}
    elif t.kind == "Event":
        _validate_event(t, obj)
    elif t.kind == "CustomResourceDefinition":
        _prepare_crd(t, obj)
    return obj


def _prepare_crd(t, obj):
    spec = obj.get("spec") or {}
    names = spec.get("names") or {}
    name = obj["metadata"]["name"]
    if not spec.get("group") or not names.get("plural") or not names.get("kind") or not spec.get("versions"):
        raise invalid(t.kind, name, [("spec", "Required value: group, names.plural, names.kind and versions")])
    if name != f"{names['plural']}.{spec['group']}":
        raise invalid(t.kind, name, [("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group')])
    accepted = dict(names, singular=names.get("singular") or names["plural"],
                    listKind=names.get("listKind") or names["kind"] + "List")
    obj["status"] = {
        "acceptedNames": accepted,
        "conditions": [{"type": t_, "status": "True", "reason": r, "message": m,
                        "lastTransitionTime": now_rfc3339()}
                       for t_, r, m in (("NamesAccepted", "NoConflicts", "no conflicts found"),
                                        ("Established", "InitialNamesAccepted",
                                         "the initial names have been accepted"))],
        "storedVersions": [v["name"] for v in spec["versions"] if v.get("storage")]}


def prepare_update(t, old, new, subresource):
    """Returns the object to store for an update of `old` with the client's `new`."""
    meta = new.get("metadata")
    if not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    old_meta = old["metadata"]
    if subresource == "status":
        # /status changes only .status; everything else, metadata included, stays as stored.
        result = dict(old)
        if "status" in new:
            result["status"] = new["status"]
        else:
            result.pop("status", None)
        result["metadata"] = dict(old_meta)
        return result
    for kept in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                 "generation", "namespace", "name"):
        if kept in old_meta:
            meta[kept] = old_meta[kept]
        else:
            meta.pop(kept, None)
    new["apiVersion"], new["kind"] = old["apiVersion"], old["kind"]
    if old_meta.get("deletionTimestamp"):
        added = set(meta.get("finalizers") or []) - set(old_meta.get("finalizers") or [])
        if added:
            raise invalid(t.kind, old_meta["name"], [("metadata.finalizers", "Forbidden: no new "
                                                      "finalizers can be added if the object is being deleted")])
    if t.status_subresource:
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if "generation" in old_meta and _spec_part(old) != _spec_part(new):
        meta["generation"] = old_meta["generation"] + 1
    if t.kind == "Secret":
        _update_secret(t, old, new)
    elif t.kind == "Namespace":
        new["spec"] = old.get("spec", {})
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = old_meta["name"]
    elif t.kind == "Event":
        _validate_event(t, new)
    elif t.kind == "CustomResourceDefinition":
        _prepare_crd(t, new)
    return new


def _update_secret(t, old, new):
    new.setdefault("type", old.get("type", "Opaque"))
    _normalize_secret(t, new)
    name = old["metadata"]["name"]
    if new["type"] != old.get("type", "Opaque"):
        raise invalid(t.kind, name, [("type", f'Invalid value: "{new["type"]}": field is immutable')])
    if old.get("immutable"):
        causes = []
        if new.get("data") != old.get("data"):
            causes.append(("data", "Forbidden: field is immutable when `immutable` is set"))
        if not new.get("immutable"):
            causes.append(("immutable", "Forbidden: field is immutable when `immutable` is set"))
        if causes:
            raise invalid(t.kind, name, causes)


def same_content(a, b):
    """True when two versions of an object differ at most in resourceVersion (a no-op write)."""
    strip = lambda o: dict(o, metadata={k: v for k, v in o["metadata"].items() if k != "resourceVersion"})
    return strip(a) == strip(b)


def check_resource_version(t, old, new):
    """Optimistic concurrency: 409 on a stale RV; 422 when a CR (or /status) update has none."""
    rv = (new.get("metadata") or {}).get("resourceVersion")
    if not rv:
        if t.custom:
            raise invalid(t.kind, old["metadata"]["name"],
                          [("metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")],
                          t.group)
        return
    if rv != old["metadata"]["resourceVersion"]:
        raise conflict(t.plural, old["metadata"]["name"], t.group)
