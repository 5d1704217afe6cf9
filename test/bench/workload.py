"""The benchmark's cluster: namespaces, pods, a source Secret and the README's ImagePullSecret.

Everything is generated from one seeded random.Random, so two runs with the same sizes and seed
build the same cluster. Pods are listed metadata-only by imps, so their metadata is made as bulky
as real pods' (labels of a Deployment's ReplicaSet, a few annotations, an ownerReference and
managedFields from the controller-manager and the kubelet); their spec is kept minimal.

Selection (what imps must provision) follows the README's example plus Istio's namespace labels:
  - namespace label istio-injection=enabled or istio.io/rev (ISTIO_LABEL_FRACTION of namespaces);
  - namespace annotation sidecar.istio.io/inject=true (NAMESPACE_ANNOTATION_FRACTION);
  - a pod with annotation sidecar.istio.io/inject=true (POD_ANNOTATION_FRACTION of deployments,
    so about that fraction of pods, since a Deployment's pods share their template).
`selected` evaluates that rule independently of imps.

Lean pods (lean=True) carry no managedFields: the RSS series seeds up to 500,000 pods, which the
stand-in (Python, ~15 KB per realistic pod) could not hold on a shared machine.

The ECR phase adds its own objects (`ecr_*`): per resource, an ECR login source Secret with its
own access key (so its own token), a few namespaces selected by one label, and the resource.
"""

import base64
import json
import random
import uuid

SECRET_NAME = "istio-pull-secret"
RESOURCE_NAME = "imps"
SOURCE_NAMESPACE = "registry-access"
SOURCE_NAME = "registry--https-index.docker.io-v1-pull-secret-5cbe024b"
INJECT = "sidecar.istio.io/inject"
OWNER_LABEL = "images.banzaicloud.io/owner-uid"

# The brief: 30% of namespaces carry Istio labels, 10% of pods the injection annotation.
ISTIO_LABEL_FRACTION = 0.30
NAMESPACE_ANNOTATION_FRACTION = 0.05
POD_ANNOTATION_FRACTION = 0.10
# Deployments per namespace, as in a typical microservice team namespace.
MAX_DEPLOYMENTS_PER_NAMESPACE = 4
APPS = ("web", "api", "worker", "cache", "auth", "billing", "search", "gateway", "cron", "ingest")
TEAMS = ("payments", "identity", "catalog", "checkout", "platform", "data", "ml", "growth")
ENVIRONMENTS = ("prod", "staging", "dev")
ISTIO_REVISION = "1-20-3"
CREATED = "2026-11-01T09:30:00Z"
HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def namespace_name(index):
    return f"ns-{index:05d}"


def _hash(rng, length):
    return "".join(rng.choice(HASH_ALPHABET) for _ in range(length))


def _uid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def namespace(rng, index):
    """A namespace; about ISTIO_LABEL_FRACTION of them carry one of Istio's two labels."""
    labels = {"team": rng.choice(TEAMS), "environment": rng.choice(ENVIRONMENTS),
              "app.kubernetes.io/managed-by": "argocd"}
    roll = rng.random()
    if roll < ISTIO_LABEL_FRACTION / 2:
        labels["istio-injection"] = "enabled"
    elif roll < ISTIO_LABEL_FRACTION:
        labels["istio.io/rev"] = ISTIO_REVISION
    annotations = {"owner": f"{labels['team']}@example.com",
                   "argocd.argoproj.io/tracking-id": f"{labels['team']}:/Namespace:{namespace_name(index)}"}
    if rng.random() < NAMESPACE_ANNOTATION_FRACTION:
        annotations[INJECT] = "true"
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": namespace_name(index), "labels": labels, "annotations": annotations}}


def _managed_fields(labels, annotations, app, injected):
    """managedFields as the controller-manager (create) and the kubelet (status) leave them."""
    meta_fields = {"f:generateName": {}, "f:labels": {".": {}, **{f"f:{k}": {} for k in labels}},
                   "f:annotations": {".": {}, **{f"f:{k}": {} for k in annotations}},
                   "f:ownerReferences": {".": {}, 'k:{"uid":"owner"}': {}}}
    container = {".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:ports": {
        ".": {}, 'k:{"containerPort":8080,"protocol":"TCP"}': {".": {}, "f:containerPort": {}, "f:protocol": {}}},
        "f:resources": {".": {}, "f:limits": {".": {}, "f:memory": {}}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}},
        "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}
    spec = {"f:containers": {f'k:{{"name":"{app}"}}': container}, "f:dnsPolicy": {}, "f:enableServiceLinks": {},
            "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {},
            "f:terminationGracePeriodSeconds": {}}
    if injected:
        spec["f:imagePullSecrets"] = {".": {}, f'k:{{"name":"{SECRET_NAME}"}}': {}}
    status = {"f:conditions": {f'k:{{"type":"{c}"}}': {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
                                                      "f:status": {}, "f:type": {}}
                               for c in ("ContainersReady", "Initialized", "PodScheduled", "Ready")},
              "f:containerStatuses": {}, "f:hostIP": {}, "f:phase": {}, "f:podIP": {},
              "f:podIPs": {".": {}, 'k:{"ip":"10.42.0.17"}': {".": {}, "f:ip": {}}}, "f:startTime": {}}
    return [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": CREATED,
             "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": meta_fields, "f:spec": spec}},
            {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": CREATED,
             "fieldsType": "FieldsV1", "fieldsV1": {"f:status": status}, "subresource": "status"}]


def pods_of_deployment(rng, ns, app, replicas, injected, istio, lean=False):
    """`replicas` pods of one Deployment's current ReplicaSet (lean: without managedFields)."""
    template_hash = _hash(rng, 10)
    replica_set = f"{app}-{template_hash}"
    owner_uid = _uid(rng)
    labels = {"app": app, "pod-template-hash": template_hash, "version": f"v{rng.randint(1, 9)}",
              "app.kubernetes.io/name": app, "app.kubernetes.io/instance": f"{app}-{ns}"}
    annotations = {"kubectl.kubernetes.io/restartedAt": CREATED, "prometheus.io/scrape": "true",
                   "prometheus.io/port": "9090"}
    if istio:
        labels["security.istio.io/tlsMode"] = "istio"
        labels["service.istio.io/canonical-name"] = app
        annotations["istio.io/rev"] = ISTIO_REVISION
    if injected:
        annotations[INJECT] = "true"
    pods = []
    for _ in range(replicas):
        name = f"{replica_set}-{_hash(rng, 5)}"
        metadata = {"name": name, "generateName": f"{replica_set}-", "namespace": ns,
                    "labels": labels, "annotations": annotations,
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": replica_set,
                                         "uid": owner_uid, "controller": True, "blockOwnerDeletion": True}]}
        if not lean:
            metadata["managedFields"] = _managed_fields(labels, annotations, app, injected)
        pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
                     "spec": {"containers": [{"name": app, "image": f"registry.example.com/{app}:{labels['version']}"}]}})
    return pods


def pods_of_namespace(rng, ns_object, count, lean=False):
    """`count` pods in 1..MAX_DEPLOYMENTS_PER_NAMESPACE Deployments."""
    ns = ns_object["metadata"]["name"]
    istio = any(k in ns_object["metadata"]["labels"] for k in ("istio-injection", "istio.io/rev"))
    deployments = max(1, min(count, rng.randint(1, MAX_DEPLOYMENTS_PER_NAMESPACE)))
    apps = rng.sample(APPS, deployments)
    sizes = [count // deployments + (1 if i < count % deployments else 0) for i in range(deployments)]
    pods = []
    for app, replicas in zip(apps, sizes):
        if replicas:
            pods += pods_of_deployment(rng, ns, app, replicas, rng.random() < POD_ANNOTATION_FRACTION, istio, lean)
    return pods


def cluster(namespaces, pods, seed):
    """Yields (namespace object, its pods) for the whole cluster, lazily (bounded memory)."""
    return namespaces_with_pods(range(namespaces), lambda index: pods // namespaces + (1 if index < pods % namespaces else 0),
                                seed)


def namespaces_with_pods(indexes, pods_of, seed, lean=False):
    """Yields (namespace object, its pods(index) pods) for the given namespace indexes, lazily.

    The namespace objects depend only on (seed, index), so a later call can give namespaces that
    were seeded without pods their pods (with pods_of, and the namespace object left unsent)."""
    for index in indexes:
        rng = random.Random(seed * 1_000_003 + index)
        ns = namespace(rng, index)
        yield ns, pods_of_namespace(rng, ns, pods_of(index), lean)


def selected(ns_object, pods):
    """The selection rule of `image_pull_secret()`, evaluated here, independently of imps."""
    meta = ns_object["metadata"]
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    return (labels.get("istio-injection") == "enabled" or "istio.io/rev" in labels
            or annotations.get(INJECT) == "true"
            or any((p["metadata"].get("annotations") or {}).get(INJECT) == "true" for p in pods))


def dockerconfigjson(password):
    auth = base64.b64encode(f"bench:{password}".encode()).decode()
    return json.dumps({"auths": {"https://index.docker.io/v1/": {"username": "bench", "password": password,
                                                                  "auth": auth}}})


def source_namespace():
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": SOURCE_NAMESPACE}}


def source_secret(password):
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": SOURCE_NAME, "namespace": SOURCE_NAMESPACE},
            "data": {".dockerconfigjson": base64.b64encode(dockerconfigjson(password).encode()).decode()}}


def image_pull_secret():
    """The README's example, plus Istio's namespace labels."""
    inject = {"matchAnnotations": {INJECT: "true"}}
    return {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret",
            "metadata": {"name": RESOURCE_NAME},
            "spec": {"registry": {"credentials": [{"name": SOURCE_NAME, "namespace": SOURCE_NAMESPACE}]},
                     "target": {"secret": {"name": SECRET_NAME},
                                "namespaces": {
                                    "labels": [{"matchLabels": {"istio-injection": "enabled"}},
                                               {"matchExpressions": [{"key": "istio.io/rev", "operator": "Exists"}]}],
                                    "annotations": [inject]},
                                "namespacesWithPods": {"annotations": [inject]}}}}


def extra_pod(rng, ns, injected=False):
    """One more pod of a new Deployment in `ns` (the 'new pod in a served namespace' event)."""
    return pods_of_deployment(rng, ns, rng.choice(APPS), 1, injected, False)[0]


def new_matching_namespace(name):
    """A namespace the resource selects by label (the latency samples)."""
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"team": "bench", "istio.io/rev": ISTIO_REVISION}}}


# --- the ECR phase ---------------------------------------------------------------------------

ECR_SECRET_NAME = "ecr-pull-secret"
ECR_LABEL = "bench.imps.dev/ecr"
ECR_ROLE = "arn:aws:iam::123456789012:role/imps-bench-ecr"
# Every ECR_ROLE_EVERY-th source assumes a role through STS first (cached for the credentials' hour).
ECR_ROLE_EVERY = 4


def ecr_name(index):
    return f"bench-ecr-{index:02d}"


def ecr_namespace_name(index, member):
    return f"{ecr_name(index)}-{member}"


def ecr_key(index):
    """(access key id, secret) of resource `index`'s source: one credential set, one token each."""
    return f"AKIABENCHECR{index:08d}", f"bench-ecr-secret-{index:02d}"


def ecr_uses_role(index):
    return index % ECR_ROLE_EVERY == ECR_ROLE_EVERY - 1


def ecr_namespace(index, member):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ecr_namespace_name(index, member), "labels": {ECR_LABEL: ecr_name(index)}}}


def ecr_image_pull_secret(index):
    return {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret",
            "metadata": {"name": ecr_name(index)},
            "spec": {"registry": {"credentials": [{"name": ecr_name(index), "namespace": SOURCE_NAMESPACE}]},
                     "target": {"secret": {"name": ECR_SECRET_NAME},
                                "namespaces": {"labels": [{"matchLabels": {ECR_LABEL: ecr_name(index)}}]}}}}
