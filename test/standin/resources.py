"""The resource types the stand-in serves and the discovery documents that describe them.

Built-in types are fixed; custom resource types come and go with their CRDs. A ResourceType is
immutable; the Registry is the only mutable part and is guarded by the store's lock (callers hold
it). Discovery answers in the legacy (non-aggregated) format, which every kubectl still accepts.
"""

from dataclasses import dataclass, field

ALL_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
SERVER_VERSION = {"major": "1", "minor": "30", "gitVersion": "v1.30.0-imps-standin",
                  "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                  "buildDate": "2024-05-01T00:00:00Z", "goVersion": "go1.22.2", "compiler": "gc",
                  "platform": "linux/amd64"}


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple = ()
    status_subresource: bool = False
    custom: bool = False
    # Dotted paths usable in fieldSelector besides metadata.name/metadata.namespace.
    extra_fields: tuple = ()
    # A watch BOOKMARK stub carries these typed empty fields, like the Go structs serialise.
    bookmark_stub: dict = field(default_factory=dict, hash=False, compare=False)
    # Pods only: the policy/v1 eviction subresource (eviction.py), create-only.
    eviction: bool = False
    # Kinds whose registry strategy keeps metadata.generation (1 on create, +1 on a spec change)
    # and clears status on create, as custom resources do: a controller's status.observedGeneration
    # is compared with it (eviction.py's "budget still being processed").
    generation: bool = False

    @property
    def key(self):
        return (self.group, self.plural)

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self):
        return self.kind + "List"

    @property
    def field_selectors(self):
        base = ("metadata.name", "metadata.namespace") if self.namespaced else ("metadata.name",)
        return frozenset(base + self.extra_fields)

    def describe(self):
        """The APIResource entries (the resource and its status subresource) for discovery."""
        entries = [{"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
                    "kind": self.kind, "verbs": ALL_VERBS}]
        if self.short_names:
            entries[0]["shortNames"] = list(self.short_names)
        if self.status_subresource:
            entries.append({"name": f"{self.plural}/status", "singularName": "",
                            "namespaced": self.namespaced, "kind": self.kind,
                            "verbs": ["get", "patch", "update"]})
        if self.eviction:
            entries.append({"name": f"{self.plural}/eviction", "singularName": "", "namespaced": True,
                            "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]})
        return entries


BUILTIN_TYPES = (
    ResourceType("", "v1", "namespaces", "namespace", "Namespace", False, ("ns",),
                 status_subresource=True, extra_fields=("status.phase",),
                 bookmark_stub={"spec": {}, "status": {}}),
    ResourceType("", "v1", "pods", "pod", "Pod", True, ("po",), status_subresource=True,
                 extra_fields=("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                               "spec.serviceAccountName", "status.phase", "status.podIP",
                               "status.nominatedNodeName"),
                 bookmark_stub={"spec": {"containers": None}, "status": {}}, eviction=True),
    ResourceType("", "v1", "secrets", "secret", "Secret", True, extra_fields=("type",)),
    ResourceType("", "v1", "events", "event", "Event", True, ("ev",),
                 extra_fields=("involvedObject.kind", "involvedObject.namespace",
                               "involvedObject.name", "involvedObject.uid",
                               "involvedObject.apiVersion", "involvedObject.resourceVersion",
                               "involvedObject.fieldPath", "reason", "reportingComponent",
                               "source", "type"),
                 bookmark_stub={"involvedObject": {}, "source": {}, "firstTimestamp": None,
                                "lastTimestamp": None, "eventTime": None,
                                "reportingComponent": "", "reportingInstance": ""}),
    ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease", True,
                 bookmark_stub={"spec": {}}),
    # Kinds an install applies (deploy/manifests, the chart) and nothing else reads: stored and
    # served generically so `kubectl apply` of a whole install works against the stand-in.
    ResourceType("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", True, ("sa",)),
    ResourceType("", "v1", "services", "service", "Service", True, ("svc",), status_subresource=True,
                 bookmark_stub={"spec": {}, "status": {}}),
    ResourceType("apps", "v1", "deployments", "deployment", "Deployment", True, ("deploy",),
                 status_subresource=True, bookmark_stub={"spec": {}, "status": {}}),
    # Owners of pods in tests (no controller runs: nothing creates or deletes their pods).
    ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet", True, ("rs",),
                 status_subresource=True, generation=True, bookmark_stub={"spec": {}, "status": {}}),
    ResourceType("batch", "v1", "jobs", "job", "Job", True, status_subresource=True, generation=True,
                 bookmark_stub={"spec": {}, "status": {}}),
    ResourceType("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", True),
    ResourceType("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", True,
                 bookmark_stub={"roleRef": {}}),
    ResourceType("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
                 "ClusterRoleBinding", False, bookmark_stub={"roleRef": {}}),
    ResourceType("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget",
                 True, ("pdb",), status_subresource=True, generation=True,
                 bookmark_stub={"spec": {}, "status": {}}),
    ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                 "customresourcedefinition", "CustomResourceDefinition", False, ("crd", "crds"),
                 status_subresource=True,
                 bookmark_stub={"spec": {"group": "", "names": {"plural": "", "kind": ""},
                                         "scope": "", "versions": None},
                                "status": {"conditions": None, "acceptedNames": {"plural": "", "kind": ""},
                                           "storedVersions": None}}),
)


def types_from_crd(crd):
    """The ResourceTypes one CRD serves (one per served version)."""
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    result = []
    for version in spec.get("versions", []):
        if not version.get("served", True):
            continue
        result.append(ResourceType(
            spec["group"], version["name"], names["plural"],
            names.get("singular") or names["plural"], names["kind"],
            spec.get("scope", "Namespaced") == "Namespaced", tuple(names.get("shortNames", [])),
            status_subresource="status" in (version.get("subresources") or {}), custom=True))
    return result


class Registry:
    """Resource types by (group, version, plural); custom ones are keyed by their CRD name."""

    def __init__(self):
        self._types = {}
        self._by_crd = {}
        for t in BUILTIN_TYPES:
            self._types[(t.group, t.version, t.plural)] = t

    def lookup(self, group, version, plural):
        return self._types.get((group, version, plural))

    def by_key(self, key):
        """Any served version of the resource stored under `key` (group, plural)."""
        for t in self._types.values():
            if t.key == key:
                return t
        return None

    def by_kind(self, api_version, kind):
        group, _, version = api_version.rpartition("/")
        for t in self._types.values():
            if (t.group, t.version, t.kind) == (group, version, kind):
                return t
        return None

    def add_crd(self, crd):
        self.remove_crd(crd["metadata"]["name"])
        types = types_from_crd(crd)
        self._by_crd[crd["metadata"]["name"]] = types
        for t in types:
            self._types[(t.group, t.version, t.plural)] = t

    def remove_crd(self, name):
        for t in self._by_crd.pop(name, []):
            self._types.pop((t.group, t.version, t.plural), None)

    def namespaced_plurals(self, group, version):
        return {t.plural for t in self._types.values()
                if t.group == group and t.version == version and t.namespaced}

    def group_versions(self):
        """{group: [versions]} for every non-core group, in registration order."""
        groups = {}
        for t in self._types.values():
            if t.group and t.version not in groups.setdefault(t.group, []):
                groups[t.group].append(t.version)
        return groups

    def resource_list(self, group, version):
        types = [t for t in self._types.values() if t.group == group and t.version == version]
        if not types:
            return None
        resources = [entry for t in types for entry in t.describe()]
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version, "resources": resources}

    def api_group(self, group):
        versions = self.group_versions().get(group)
        if not versions:
            return None
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": entries,
                "preferredVersion": entries[0]}

    def group_list(self):
        groups = [self.api_group(g) for g in self.group_versions()]
        for g in groups:
            del g["kind"], g["apiVersion"]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
