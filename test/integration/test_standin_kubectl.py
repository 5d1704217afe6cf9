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

    def test_client_certificate_user(self):
        out = self.kubectl("get", "namespaces", "-o", "name", cert=True).stdout.split()
        self.assertIn("namespace/default", out)


if __name__ == "__main__":
    unittest.main()
