"""The stand-in driven by the real kubectl: if kubectl is happy, its wire format is plausible.

kubectl needs `--validate=false` for apply/create because the stand-in serves no OpenAPI
documents (/openapi/v2 and /openapi/v3 answer 404, which kubectl's validation treats as fatal).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, StandIn, wait_for  # noqa: E402

CRD = os.path.join(ROOT, "deploy", "crds", "images.banzaicloud.io_imagepullsecrets.yaml")
SECRET_YAML = """apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: kubectl-test
stringData:
  password: {password}
"""
IMPS_YAML = """apiVersion: images.banzaicloud.io/v1alpha1
kind: ImagePullSecret
metadata:
  name: from-kubectl
spec:
  registry:
    credentials: [{name: src, namespace: kubectl-test}]
  target:
    secret: {name: pull}
"""


class KubectlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.standin = StandIn()
        cls.scratch = tempfile.mkdtemp(prefix="kubectl-test-")
        cls.standin.kubectl("create", "namespace", "kubectl-test")

    @classmethod
    def tearDownClass(cls):
        cls.standin.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def kubectl(self, *args, **kwargs):
        return self.standin.kubectl(*args, **kwargs)

    def apply(self, text):
        path = os.path.join(self.scratch, "manifest.yaml")
        with open(path, "w") as f:
            f.write(text)
        return self.kubectl("apply", "--validate=false", "-f", path)

    def test_secret_apply_get_update_label_delete(self):
        self.assertIn("created", self.apply(SECRET_YAML.format(password="hunter2")).stdout)
        first = json.loads(self.kubectl("get", "secret", "db", "-n", "kubectl-test", "-o", "json").stdout)
        self.assertEqual(first["data"], {"password": "aHVudGVyMg=="})
        self.assertIn("configured", self.apply(SECRET_YAML.format(password="hunter3")).stdout)
        second = json.loads(self.kubectl("get", "secret", "db", "-n", "kubectl-test", "-o", "json").stdout)
        self.assertEqual(second["data"], {"password": "aHVudGVyMw=="})
        self.assertNotEqual(second["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"])
        self.kubectl("label", "secret", "db", "-n", "kubectl-test", "tier=backend")
        listed = self.kubectl("get", "secrets", "-n", "kubectl-test", "-l", "tier=backend", "-o", "name").stdout
        self.assertEqual(listed.split(), ["secret/db"])
        self.kubectl("delete", "secret", "db", "-n", "kubectl-test")
        missing = self.kubectl("get", "secret", "db", "-n", "kubectl-test", check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("NotFound", missing.stderr)

    def test_get_watch_sees_a_change(self):
        self.kubectl("create", "namespace", "watched")
        command = ["kubectl", "--kubeconfig", self.standin.kubeconfig, "--cache-dir",
                   os.path.join(self.standin.directory, "kube-cache"), "get", "namespace", "watched",
                   "--watch", "-o", "jsonpath={.metadata.labels.stage}{\"\\n\"}"]
        watcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(watcher.stdout), daemon=True)
        reader.start()
        try:
            self.standin.wait_for_watches("namespaces")
            self.kubectl("label", "namespace", "watched", "stage=two")
            wait_for(lambda: "two\n" in lines, message="kubectl --watch output")
        finally:
            watcher.terminate()
            watcher.wait()
            reader.join()
            watcher.stdout.close()

    def test_crd_and_custom_resource(self):
        self.kubectl("apply", "--validate=false", "-f", CRD)
        self.apply(IMPS_YAML)
        names = self.kubectl("get", "imps", "-o", "name").stdout.split()
        self.assertIn("imagepullsecret.images.banzaicloud.io/from-kubectl", names)
        header, row = self.kubectl("get", "imagepullsecrets").stdout.splitlines()[:2]
        self.assertIn("SECRET NAME", header)  # server-side Table with the CRD's printer columns
        self.assertEqual(row.split()[0], "from-kubectl")
        self.assertIn("pull", row.split())
        self.kubectl("delete", "imps", "from-kubectl")
        self.assertNotIn("from-kubectl", self.kubectl("get", "imps", "-o", "name").stdout)

    def test_service_account_pull_secrets(self):
        wait_for(lambda: self.kubectl("get", "sa", "default", "-n", "kubectl-test", check=False).returncode == 0,
                 message="the default ServiceAccount of a new namespace")
        self.kubectl("patch", "sa", "default", "-n", "kubectl-test", "--type=merge",
                     "-p", '{"imagePullSecrets":[{"name":"mine"},{"name":"pull"}]}')
        sa = json.loads(self.kubectl("get", "sa", "default", "-n", "kubectl-test", "-o", "json").stdout)
        self.assertEqual(sa["imagePullSecrets"], [{"name": "mine"}, {"name": "pull"}])
        # Admission copies the account's pull secrets into a new pod that lists none.
        self.kubectl("run", "admitted", "-n", "kubectl-test", "--image=registry.example/app")
        pod = json.loads(self.kubectl("get", "pod", "admitted", "-n", "kubectl-test", "-o", "json").stdout)
        self.assertEqual(pod["spec"]["serviceAccountName"], "default")
        self.assertEqual(pod["spec"]["imagePullSecrets"], [{"name": "mine"}, {"name": "pull"}])
        patched = self.kubectl("patch", "sa", "default", "-n", "kubectl-test", "--type=merge",
                               "-p", json.dumps({"metadata": {"resourceVersion": "1"}}), check=False)
        self.assertNotEqual(patched.returncode, 0)
        self.assertIn("the object has been modified", patched.stderr)

    def evict(self, pod):
        path = os.path.join(self.scratch, "eviction.json")
        with open(path, "w") as f:
            json.dump({"apiVersion": "policy/v1", "kind": "Eviction",
                       "metadata": {"name": pod, "namespace": "kubectl-test"}}, f)
        return self.kubectl("create", "--raw", f"/api/v1/namespaces/kubectl-test/pods/{pod}/eviction",
                            "-f", path, check=False)

    def test_eviction_respects_a_disruption_budget(self):
        client = self.standin.client()
        base = "/api/v1/namespaces/kubectl-test/pods"
        for name in ("serving", "stuck"):
            client.create(base, {"metadata": {"name": name, "labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "c", "image": "registry.example/web"}]}})
        client.put(base + "/serving/status", dict(client.get(base + "/serving").json(), status={
            "phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}))
        pdbs = "/apis/policy/v1/namespaces/kubectl-test/poddisruptionbudgets"
        client.create(pdbs, {"metadata": {"name": "web"}, "spec": {"minAvailable": 1,
                                                                   "selector": {"matchLabels": {"app": "web"}}}})
        client.put(pdbs + "/web/status", dict(client.get(pdbs + "/web").json(), status={
            "observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 1,
            "expectedPods": 1}))
        refused = self.evict("serving")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("Cannot evict pod as it would violate the pod's disruption budget", refused.stderr)
        self.assertEqual(client.get(base + "/serving").status, 200)
        # A Pending pod serves nothing: the budget does not protect it.
        self.assertEqual(self.evict("stuck").returncode, 0)
        self.assertEqual(client.get(base + "/stuck").status, 404)
        client.put(pdbs + "/web/status", dict(client.get(pdbs + "/web").json(), status={
            "observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 2, "desiredHealthy": 1,
            "expectedPods": 2}))
        self.assertEqual(self.evict("serving").returncode, 0, "allowed once the budget has room")
        self.assertEqual(client.get(base + "/serving").status, 404)
        self.assertEqual(client.get(pdbs + "/web").json()["status"]["disruptionsAllowed"], 0)
        missing = self.evict("serving")
        self.assertIn("NotFound", missing.stderr)

    def test_client_certificate_user(self):
        out = self.kubectl("get", "namespaces", "-o", "name", cert=True).stdout.split()
        self.assertIn("namespace/default", out)


if __name__ == "__main__":
    unittest.main()
