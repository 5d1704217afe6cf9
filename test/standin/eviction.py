"""The pods/eviction subresource: a pod delete that respects PodDisruptionBudgets.

Follows kube-apiserver's EvictionREST (pkg/registry/core/pod/storage/eviction.go) as far as a
client can observe it:
- the body is a policy/v1 (or v1beta1) Eviction whose metadata.name matches the URL (else 400);
- a pod that is Pending, Succeeded, Failed or already being deleted is deleted without looking
  at budgets (it is not serving, so evicting it disrupts nothing);
- otherwise the PDBs of the namespace whose selector matches the pod's labels decide: more than
  one → 500; none → delete; an unready pod is deleted when the budget is met
  (currentHealthy >= desiredHealthy > 0) or unhealthyPodEvictionPolicy is AlwaysAllow; a budget
  whose status.observedGeneration lags its metadata.generation (1 on create, +1 per spec change,
  as the PDB registry strategy keeps it) → 429 with retryAfterSeconds 10 and so `Retry-After: 10`
  (the handler sets the header from details, like ErrorNegotiated); disruptionsAllowed 0 → 429
  with a DisruptionBudget cause and no Retry-After; else the budget's disruptionsAllowed is decremented,
  the pod recorded in status.disruptedPods, and the pod deleted;
- deleteOptions.preconditions (uid, resourceVersion) are honoured (409 when they fail);
- success answers 201 with a Status Success.
No PDB controller runs: status fields are whatever the test wrote through /status.
"""

from kube_selectors import LabelSelector, SelectorError
from status import ApiError, bad_request
from store import clone, now_rfc3339

PODS = ("", "pods")
PDBS = ("policy", "poddisruptionbudgets")
EVICTION_VERSIONS = ("policy/v1", "policy/v1beta1")
_BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget."


def _selector_text(selector):
    """A metav1.LabelSelector as selector text; None when it cannot match anything."""
    if not isinstance(selector, dict):
        return None
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, op, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        if op == "In":
            terms.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            terms.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            terms.append(key)
        elif op == "DoesNotExist":
            terms.append(f"!{key}")
        else:
            return None
    return ",".join(terms)


def _matches(pdb, pod):
    text = _selector_text((pdb.get("spec") or {}).get("selector"))
    if text is None:
        return False
    try:
        return LabelSelector(text).matches(pod["metadata"].get("labels"))
    except SelectorError:  # an invalid selector matches no pod, as on the real server
        return False


def _can_ignore_budgets(pod):
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Pending", "Succeeded", "Failed") or bool(pod["metadata"].get("deletionTimestamp"))


def _ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _too_many_requests(message, retry_after=0):
    details = {"causes": [{"reason": "DisruptionBudget", "message": message}]}
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    return ApiError(429, _BUDGET_MESSAGE, "TooManyRequests", details)


def _spend_budget(store, pdb, pod_name):
    """Checks and decrements `pdb`'s allowance (checkAndDecrement); raises 429 when it is spent."""
    status = pdb.get("status") or {}
    name = pdb["metadata"]["name"]
    if status.get("observedGeneration", 0) < pdb["metadata"].get("generation", 0):
        raise _too_many_requests(f"The disruption budget {name} is still being processed by the server.", 10)
    allowed = status.get("disruptionsAllowed", 0)
    if allowed < 0:
        raise ApiError(403, f'poddisruptionbudgets.policy "{name}" is forbidden: pdb disruptions allowed is negative')
    if allowed == 0:
        raise _too_many_requests(f"The disruption budget {name} needs {status.get('desiredHealthy', 0)} healthy "
                                 f"pods and has {status.get('currentHealthy', 0)} currently")
    updated = clone(pdb)
    updated["status"] = dict(status, disruptionsAllowed=allowed - 1,
                             disruptedPods=dict(status.get("disruptedPods") or {}, **{pod_name: now_rfc3339()}))
    store.put(PDBS, updated, "MODIFIED")


def evict(api, t, namespace, name, body):
    """Evicts pod `name` in `namespace`; returns the success Status or raises ApiError."""
    if not isinstance(body, dict) or body.get("kind") != "Eviction" or body.get("apiVersion") not in EVICTION_VERSIONS:
        raise bad_request("the body of the request was in an unknown format - accepted media types include: "
                          "application/json, application/yaml, application/vnd.kubernetes.protobuf")
    if (body.get("metadata") or {}).get("name") != name:
        raise bad_request("name in URL does not match name in Eviction object")
    options = body.get("deleteOptions") or {}
    store = api.store
    with store.lock:
        pod = api.get(t, namespace, name)
        if not _can_ignore_budgets(pod):
            pdbs = [p for p in store.items(PDBS, namespace) if _matches(p, pod)]
            if len(pdbs) > 1:
                raise ApiError(500, "This pod has more than one PodDisruptionBudget, which the eviction "
                                    "subresource does not support.", "InternalError")
            if pdbs:
                status = pdbs[0].get("status") or {}
                unready_allowed = not _ready(pod) and (
                    (pdbs[0].get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow"
                    or status.get("currentHealthy", 0) >= status.get("desiredHealthy", 0) > 0)
                if not unready_allowed:
                    api.check_preconditions(t, pod, options.get("preconditions") or {})
                    _spend_budget(store, pdbs[0], name)
        api.delete(t, namespace, name, options)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
