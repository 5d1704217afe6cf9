"""`make demo`: the stand-in cluster, the reference README's examples applied with kubectl, imps
(controller mode) against it, and what imps did — a table of the Secrets it wrote and why, and the
resources as `kubectl get imps` shows them; then spec.target.serviceAccounts: a ServiceAccount
patched with the pull Secret and a pod stuck in ImagePullBackOff evicted and recreated with it.
Ends with a clean SIGTERM and imps' exit status.

Usage: /usr/bin/python3 test/demo.py --imps build/imps
"""

import argparse
import base64
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "integration"))
from harness import Imps, StandIn, wait_for  # noqa: E402

OWNER_LABEL = "images.banzaicloud.io/owner-uid"
INJECT = "sidecar.istio.io/inject"
SOURCE_DOCKER = "registry--https-index.docker.io-v1-pull-secret-5cbe024b"
SOURCE_ECR_REGISTRY = "registry--999653XXXXX.dkr.ecr.eu-central-1.amazonaws.com-pull-secret-5e3481fc"
NAMED = ["backyards-registry-access", "backyards-system", "backyards-canary", "cert-manager", "istio-system"]


def dockerconfigjson(registry, user):
    password = f"demo-password-for-{user}"
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    document = {"auths": {registry: {"username": user, "password": password, "auth": auth}}}
    return base64.b64encode(json.dumps(document).encode()).decode()


def namespace(name, labels=None, annotations=None):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels or {}, "annotations": annotations or {}}}


def manifests():
    """The README's examples: Istio-style namespaces, a sidecar-annotated pod in an otherwise
    unselected namespace, dockerconfigjson sources and the two resources."""
    objects = [namespace("registry-access")]
    objects += [namespace(n) for n in NAMED]
    objects += [namespace("shop", annotations={INJECT: "true"}),
                namespace("payments", labels={"istio.io/rev": "1-20"}),
                namespace("batch-jobs"),
                namespace("unrelated")]
    objects.append({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "worker", "namespace": "batch-jobs", "annotations": {INJECT: "true"}},
                    "spec": {"containers": [{"name": "worker", "image": "busybox"}]}})
    for name, registry, user in ((SOURCE_DOCKER, "https://index.docker.io/v1/", "docker-user"),
                                 (SOURCE_ECR_REGISTRY, "999653000000.dkr.ecr.eu-central-1.amazonaws.com", "AWS")):
        objects.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
                        "metadata": {"name": name, "namespace": "registry-access"},
                        "data": {".dockerconfigjson": dockerconfigjson(registry, user)}})
    istio = {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret",
             "metadata": {"name": "imps"},
             "spec": {"registry": {"credentials": [{"name": SOURCE_DOCKER, "namespace": "registry-access"}]},
                      "target": {"namespaces": {"annotations": [{"matchAnnotations": {INJECT: "true"}}],
                                                "labels": [{"matchExpressions": [{"key": "istio.io/rev",
                                                                                  "operator": "Exists"}]}]},
                                 "namespacesWithPods": {"annotations": [{"matchAnnotations": {INJECT: "true"}}]},
                                 "secret": {"name": "istio-pull-secret"}}}}
    registry_access = {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret",
                       "metadata": {"name": "imps-registry-access"},
                       "spec": {"registry": {"credentials": [
                           {"name": SOURCE_DOCKER, "namespace": "registry-access"},
                           {"name": SOURCE_ECR_REGISTRY, "namespace": "registry-access"}]},
                           "target": {"namespaces": {"names": NAMED}, "secret": {"name": "registry-pull-secret"}}}}
    return objects, [istio, registry_access]


def why_selected(resource, ns, pods):
    target = resource["spec"]["target"]
    reasons = []
    meta = ns["metadata"]
    if meta["name"] in target.get("namespaces", {}).get("names", []):
        reasons.append("listed by name")
    for selector in target.get("namespaces", {}).get("annotations", []):
        if all(meta.get("annotations", {}).get(k) == v for k, v in selector.get("matchAnnotations", {}).items()):
            reasons.append("namespace annotation " + ",".join(f"{k}={v}" for k, v in selector["matchAnnotations"].items()))
    for selector in target.get("namespaces", {}).get("labels", []):
        keys = [e["key"] for e in selector.get("matchExpressions", []) if e["operator"] == "Exists"]
        if keys and all(k in meta.get("labels", {}) for k in keys):
            reasons.append("namespace label " + ",".join(keys) + " exists")
    for selector in target.get("namespacesWithPods", {}).get("annotations", []):
        for pod in pods:
            annotations = pod["metadata"].get("annotations", {})
            if all(annotations.get(k) == v for k, v in selector.get("matchAnnotations", {}).items()):
                reasons.append(f"pod {pod['metadata']['name']} annotated " +
                               ",".join(f"{k}={v}" for k, v in selector["matchAnnotations"].items()))
    return "; ".join(reasons) or "?"


def stuck_pod(api, ns, name, owner):
    """A pod created before its pull Secret existed, as the kubelet leaves it: Pending, waiting."""
    pod = api.create(f"/api/v1/namespaces/{ns}/pods", {
        "metadata": {"name": name, "labels": {"app": "web"}, "ownerReferences": [owner]},
        "spec": {"containers": [{"name": "web", "image": "999653000000.dkr.ecr.eu-central-1.amazonaws.com/web:1"}]}}).json()
    pod["status"] = {"phase": "Pending", "containerStatuses": [
        {"name": "web", "ready": False, "state": {"waiting": {"reason": "ImagePullBackOff",
                                                            "message": "pull access denied"}}}]}
    api.put(f"/api/v1/namespaces/{ns}/pods/{name}/status", pod)


def service_account_demo(api, standin):
    """spec.target.serviceAccounts with restartStuckPods, on a namespace with a stuck pod."""
    ns = "storefront"
    print(f"ServiceAccounts: namespace {ns}, ReplicaSet web, its pod web-7c9f2 stuck in ImagePullBackOff",
          flush=True)
    api.create("/api/v1/namespaces", namespace(ns))
    sa_path = f"/api/v1/namespaces/{ns}/serviceaccounts/default"
    wait_for(lambda: api.get(sa_path).status == 200, message="the default ServiceAccount")
    rs = api.create(f"/apis/apps/v1/namespaces/{ns}/replicasets", {
        "metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}}}}).json()
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": rs["metadata"]["uid"],
             "controller": True}
    stuck_pod(api, ns, "web-7c9f2", owner)
    print(f"  before: ServiceAccount default imagePullSecrets = {api.get(sa_path).json().get('imagePullSecrets', [])}")
    resource = {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret",
                "metadata": {"name": "storefront"},
                "spec": {"registry": {"credentials": [{"name": SOURCE_ECR_REGISTRY, "namespace": "registry-access"}]},
                         "target": {"secret": {"name": "storefront-pull"}, "namespaces": {"names": [ns]},
                                    "serviceAccounts": {"names": ["default"], "restartStuckPods": True}}}}
    print("  applying ImagePullSecret storefront: serviceAccounts {names: [default], restartStuckPods: true}")
    api.create("/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets", resource)
    account = wait_for(lambda: (lambda a: a if a.get("imagePullSecrets") else None)(api.get(sa_path).json()),
                       timeout=30, message="the patched ServiceAccount")
    print(f"  after:  ServiceAccount default imagePullSecrets = {account['imagePullSecrets']}")
    print(f"          annotation images.banzaicloud.io/added-pull-secrets = "
          f"{account['metadata']['annotations']['images.banzaicloud.io/added-pull-secrets']}")
    wait_for(lambda: api.get(f"/api/v1/namespaces/{ns}/pods/web-7c9f2").status == 404, timeout=30,
             message="the stuck pod's eviction")
    events = wait_for(lambda: [e for e in api.get("/api/v1/namespaces/default/events").json()["items"]
                               if e["involvedObject"]["name"] == "storefront" and e["reason"] == "StuckPodEvicted"],
                      message="the StuckPodEvicted event")
    for event in events:
        print(f"  event {event['type']} {event['reason']}: {event['message']}")
    # The stand-in runs no ReplicaSet controller: the demo plays it and creates the replacement.
    stuck_pod(api, ns, "web-4xk8p", owner)
    replacement = api.get(f"/api/v1/namespaces/{ns}/pods/web-4xk8p").json()
    print(f"  the ReplicaSet's new pod web-4xk8p gets imagePullSecrets = {replacement['spec']['imagePullSecrets']}"
          " from its ServiceAccount at admission, so its image pull can succeed\n")


def print_table(rows, headers):
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imps", default="build/imps", help="path of the imps binary")
    args = parser.parse_args()
    os.environ["IMPS_BINARY"] = os.path.abspath(args.imps)

    print("Starting the Kubernetes stand-in ...", flush=True)
    with StandIn() as standin:
        api = standin.client()
        objects, resources = manifests()
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": objects + resources}, f)
        applied = standin.kubectl("apply", "--validate=false", "-f", f.name, cert=True, check=False)
        if applied.returncode != 0:
            print(applied.stderr)
            return 1
        os.unlink(f.name)
        print(applied.stdout)

        print("Running imps (controller mode) ...", flush=True)
        imps = Imps("--kubeconfig", standin.kubeconfig, "--metrics-addr=127.0.0.1:0",
                    "--health-probe-addr=127.0.0.1:0")
        try:
            imps.wait_for_log(lambda l: l.get("msg") == "initial sync complete", timeout=30, message="sync")
            for resource in resources:
                path = f"/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/{resource['metadata']['name']}"
                wait_for(lambda: (api.get(path).json().get("status") or {}).get("status") == "Ready", timeout=30,
                         message=f"{resource['metadata']['name']} Ready")

            namespaces = {n["metadata"]["name"]: n for n in api.get("/api/v1/namespaces").json()["items"]}
            pods = api.get("/api/v1/pods").json()["items"]
            by_uid = {}
            for resource in resources:
                name = resource["metadata"]["name"]
                live = api.get(f"/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets/{name}").json()
                by_uid[live["metadata"]["uid"]] = live
            rows = []
            secrets = api.get(f"/api/v1/secrets?labelSelector={OWNER_LABEL}").json()["items"]
            for secret in sorted(secrets, key=lambda s: (s["metadata"]["namespace"], s["metadata"]["name"])):
                meta = secret["metadata"]
                resource = by_uid[meta["labels"][OWNER_LABEL]]
                ns_pods = [p for p in pods if p["metadata"]["namespace"] == meta["namespace"]]
                registries = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]
                rows.append((meta["namespace"], meta["name"], resource["metadata"]["name"],
                             why_selected(resource, namespaces[meta["namespace"]], ns_pods),
                             ", ".join(sorted(registries))))
            print()
            print_table(rows, ("NAMESPACE", "SECRET", "FROM", "WHY SELECTED", "REGISTRIES"))
            unserved = sorted(set(namespaces) - {r[0] for r in rows})
            print(f"\nNamespaces without a pull secret: {', '.join(unserved)}\n")
            print("$ kubectl get imps")
            print(standin.kubectl("get", "imps", cert=True).stdout)
            service_account_demo(api, standin)
        finally:
            print("Stopping imps with SIGTERM ...", flush=True)
            code = imps.stop()
            print(f"imps exit status: {code}")
        api.close()
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
