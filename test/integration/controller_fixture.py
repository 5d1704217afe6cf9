"""Shared fixture for the controller's integration tests (no tests of its own).

ControllerCase owns one stand-in per test class and starts imps (controller mode) per test with
its health and metrics servers on free ports. Helpers create namespaces, pods, source Secrets and
ImagePullSecrets through the API and poll (with deadlines, never fixed sleeps) for the outcome.
"""

import base64
import json
import unittest

from harness import Imps, StandIn, wait_for

IMPS_PATH = "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets"
OWNER_LABEL = "images.banzaicloud.io/owner-uid"
WRITE_VERBS = ("create", "update", "patch", "delete")


def dockerconfig(registry, user="user", password="password"):
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"auths": {registry: {"username": user, "password": password, "auth": auth}}}


def decode_secret(secret):
    return json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))


class ControllerCase(unittest.TestCase):
    STANDIN_ARGS = ()
    # Registry of a Secret `docker` in namespace `sources` (create_imps' default credential)
    # made once per class; None = the class makes its own sources.
    SHARED_SOURCE = None

    @classmethod
    def setUpClass(cls):
        cls.standin = StandIn(*cls.STANDIN_ARGS)
        cls.api = cls.standin.client()
        if cls.SHARED_SOURCE:
            fixture = cls(next(n for n in dir(cls) if n.startswith("test_")))
            fixture.create_namespace("sources")
            fixture.create_source("sources", "docker", dockerconfig(cls.SHARED_SOURCE))

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.standin.stop()

    def setUp(self):
        self.imps = None

    def tearDown(self):
        if self.imps:
            code = self.imps.stop()
            self.assertEqual(code, 0, "imps did not exit cleanly:\n" + "\n".join(self.imps.raw[-30:]))

    # --- imps --------------------------------------------------------------------------------

    def start_imps(self, *args, kubeconfig=None, wait_ready=True, env=None, max_open_files=None):
        self.imps = Imps("--kubeconfig", kubeconfig or self.standin.kubeconfig, "--metrics-addr=127.0.0.1:0",
                         "--health-probe-addr=127.0.0.1:0", *args, env=env, max_open_files=max_open_files)
        if wait_ready:
            self.imps.wait_for_log(lambda l: l.get("msg") == "initial sync complete", timeout=20,
                                   message="initial sync")
        return self.imps

    def write_count(self):
        verbs = self.standin.counts()["byVerb"]
        return sum(verbs.get(v, 0) for v in WRITE_VERBS)

    def writes_to(self, resource):
        by_resource = self.standin.counts()["byResource"]
        return sum(by_resource.get(f"{v} {resource}", 0) for v in WRITE_VERBS)

    # --- objects -----------------------------------------------------------------------------

    def check(self, response, *codes):
        self.assertIn(response.status, codes or (200, 201), response.body[:500])
        return response.json() if response.body else None

    def create_namespace(self, name, labels=None, annotations=None):
        meta = {"name": name, "labels": labels or {}, "annotations": annotations or {}}
        return self.check(self.api.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                                   "metadata": meta}))

    def service_account(self, ns, name="default"):
        """The ServiceAccount, or None when it does not exist."""
        response = self.api.get(f"/api/v1/namespaces/{ns}/serviceaccounts/{name}")
        return response.json() if response.status == 200 else None

    def create_namespace_with_account(self, name):
        """A namespace, once its `default` ServiceAccount exists (the stand-in makes it at once)."""
        self.create_namespace(name)
        wait_for(lambda: self.service_account(name), message=f"{name}/default ServiceAccount")

    def patch_namespace(self, name, patch):
        return self.check(self.api.patch(f"/api/v1/namespaces/{name}", patch))

    def create_pod(self, ns, name, labels=None, annotations=None):
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "labels": labels or {}, "annotations": annotations or {}},
               "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        return self.check(self.api.create(f"/api/v1/namespaces/{ns}/pods", pod))

    def delete_pod(self, ns, name):
        self.check(self.api.delete(f"/api/v1/namespaces/{ns}/pods/{name}"), 200, 202)

    def create_source(self, ns, name, config):
        data = {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()}
        secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
                  "metadata": {"name": name}, "data": data}
        return self.check(self.api.create(f"/api/v1/namespaces/{ns}/secrets", secret))

    def replace_source(self, ns, name, config):
        data = {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()}
        return self.check(self.api.patch(f"/api/v1/namespaces/{ns}/secrets/{name}", {"data": data}))

    def create_imps(self, name, target, credentials=(("sources", "docker"),)):
        body = {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret",
                "metadata": {"name": name},
                "spec": {"registry": {"credentials": [{"namespace": n, "name": s} for n, s in credentials]},
                         "target": target}}
        return self.check(self.api.create(IMPS_PATH, body))

    def patch_imps(self, name, patch):
        return self.check(self.api.patch(f"{IMPS_PATH}/{name}", patch))

    def delete_imps(self, name):
        self.check(self.api.delete(f"{IMPS_PATH}/{name}"), 200, 202)

    def get_imps(self, name):
        return self.check(self.api.get(f"{IMPS_PATH}/{name}"))

    def secret(self, ns, name):
        """The Secret, or None when it does not exist (or the stand-in is restarting)."""
        try:
            response = self.api.get(f"/api/v1/namespaces/{ns}/secrets/{name}")
        except ConnectionError:
            return None
        return response.json() if response.status == 200 else None

    def wait_secret(self, ns, name, predicate=lambda s: True, timeout=10):
        return wait_for(lambda: (lambda s: s if s and predicate(s) else None)(self.secret(ns, name)), timeout,
                        f"Secret {ns}/{name}")

    def wait_no_secret(self, ns, name, timeout=10):
        wait_for(lambda: self.secret(ns, name) is None, timeout, f"Secret {ns}/{name} to be gone")

    def wait_status(self, name, predicate, timeout=10, message="status"):
        def probe():
            status = self.get_imps(name).get("status") or {}
            return status if predicate(status) else None
        return wait_for(probe, timeout, f"{message} of {name}")

    def wait_managed(self, name, namespaces, timeout=10):
        return self.wait_status(name, lambda s: s.get("managedNamespaces", []) == sorted(namespaces), timeout,
                                f"managedNamespaces {sorted(namespaces)}")

    def events_for(self, name):
        items = self.check(self.api.get("/api/v1/namespaces/default/events"))["items"]
        return [e for e in items if e["involvedObject"]["name"] == name]

    def wait_reconciled_event(self, name):
        """The Normal Reconciled event is the last request of a first successful reconcile."""
        return wait_for(lambda: [e for e in self.events_for(name) if e["reason"] == "Reconciled"],
                        message=f"a Reconciled event for {name}")
