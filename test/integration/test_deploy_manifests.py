"""deploy/manifests: install.yaml, refresher.yaml and restart-stuck-pods.yaml are well-formed and hardened (their RBAC
is test_rbac's), and the real kubectl applies them (twice: the second apply changes nothing)
against the stand-in.

kubectl needs `--validate=false` because the stand-in serves no OpenAPI documents.
"""

import os
import unittest

import yaml

from harness import ROOT, StandIn

MANIFESTS = os.path.join(ROOT, "deploy", "manifests")
INSTALL = os.path.join(MANIFESTS, "install.yaml")
REFRESHER = os.path.join(MANIFESTS, "refresher.yaml")
RESTART_STUCK_PODS = os.path.join(MANIFESTS, "restart-stuck-pods.yaml")
CRD = os.path.join(ROOT, "deploy", "crds", "images.banzaicloud.io_imagepullsecrets.yaml")

# Where `kubectl get` finds each kind (plural, namespaced).
PLURALS = {"Namespace": ("namespaces", False), "CustomResourceDefinition": ("crd", False),
           "ServiceAccount": ("serviceaccounts", True), "ClusterRole": ("clusterroles", False),
           "ClusterRoleBinding": ("clusterrolebindings", False), "Role": ("roles", True),
           "RoleBinding": ("rolebindings", True), "Service": ("services", True),
           "Deployment": ("deployments", True)}


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(documents, kind):
    return [d for d in documents if d["kind"] == kind]


class ManifestContentTest(unittest.TestCase):
    def setUp(self):
        self.install = load(INSTALL)
        self.refresher = load(REFRESHER)

    def test_install_holds_the_crd_verbatim(self):
        (crd,) = by_kind(self.install, "CustomResourceDefinition")
        self.assertEqual(crd, load(CRD)[0])

    # Which verbs the roles grant is test_rbac's: it compares them with what imps sends.
    def test_controller_rbac_is_bound_to_the_service_account(self):
        self.assertEqual([r["metadata"]["name"] for r in by_kind(self.install, "ClusterRole")], ["imps"])
        (role,) = by_kind(self.install, "Role")
        self.assertEqual(role["metadata"]["namespace"], "imps-system")
        self.assertEqual({r["resources"][0] for r in role["rules"]}, {"leases"})
        for binding in by_kind(self.install, "ClusterRoleBinding") + by_kind(self.install, "RoleBinding"):
            self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": "imps",
                                                    "namespace": "imps-system"}])

    def test_restart_stuck_pods_opt_in_is_bound_to_the_service_account(self):
        documents = load(RESTART_STUCK_PODS)
        (cluster_role,) = by_kind(documents, "ClusterRole")
        self.assertEqual({r["resources"][0] for r in cluster_role["rules"]}, {"pods/eviction"})
        (binding,) = by_kind(documents, "ClusterRoleBinding")
        self.assertEqual(binding["roleRef"]["name"], cluster_role["metadata"]["name"])
        self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": "imps", "namespace": "imps-system"}])

    def test_refresher_is_namespaced_only(self):
        kinds = sorted(d["kind"] for d in self.refresher)
        self.assertEqual(kinds, ["Deployment", "Role", "RoleBinding", "ServiceAccount"])
        (role,) = by_kind(self.refresher, "Role")
        self.assertEqual({res for r in role["rules"] for res in r["resources"]}, {"secrets", "events", "leases"})
        deployment = by_kind(self.refresher, "Deployment")[0]
        args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        self.assertIn("--mode=refresher", args)
        # Two replicas need the election, which needs the leases rule above.
        self.assertEqual(deployment["spec"]["replicas"], 2)
        self.assertIn("--enable-leader-election", args)

    def assert_hardened(self, deployment):
        pod = deployment["spec"]["template"]["spec"]
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertEqual(pod["securityContext"]["runAsUser"], 65532)
        self.assertEqual(pod["securityContext"]["seccompProfile"], {"type": "RuntimeDefault"})
        (container,) = pod["containers"]
        context = container["securityContext"]
        self.assertFalse(context["allowPrivilegeEscalation"])
        self.assertTrue(context["readOnlyRootFilesystem"])
        self.assertEqual(context["capabilities"], {"drop": ["ALL"]})
        self.assertEqual(container["resources"], {"requests": {"cpu": "10m", "memory": "16Mi"},
                                                  "limits": {"memory": "64Mi"}})
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        self.assertEqual(ports, {"metrics": 8080, "health": 8081})
        self.assertEqual(container["livenessProbe"]["httpGet"]["path"], "/healthz")
        self.assertEqual(container["readinessProbe"]["httpGet"]["path"], "/readyz")
        return container

    def test_deployments_are_hardened(self):
        (controller,) = by_kind(self.install, "Deployment")
        self.assertIn("--enable-leader-election", self.assert_hardened(controller)["args"])
        self.assert_hardened(by_kind(self.refresher, "Deployment")[0])


class KubectlApplyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.standin = StandIn()

    @classmethod
    def tearDownClass(cls):
        cls.standin.stop()

    def apply(self, path):
        return self.standin.kubectl("apply", "--validate=false", "-f", path).stdout

    def assert_present(self, documents):
        for document in documents:
            plural, namespaced = PLURALS[document["kind"]]
            where = ["-n", document["metadata"]["namespace"]] if namespaced else []
            got = self.standin.kubectl("get", plural, document["metadata"]["name"], *where, "-o", "yaml")
            obj = yaml.safe_load(got.stdout)
            self.assertEqual(obj["kind"], document["kind"])
            # The server may add labels of its own (kubernetes.io/metadata.name on Namespaces).
            for key, value in document["metadata"].get("labels", {}).items():
                self.assertEqual(obj["metadata"]["labels"].get(key), value)

    def test_install_then_refresher_apply_and_reapply(self):
        first = self.apply(INSTALL)
        self.assertIn("deployment.apps/imps created", first)
        self.assertIn("clusterrole.rbac.authorization.k8s.io/imps created", first)
        self.assert_present(load(INSTALL))
        second = self.apply(INSTALL)
        self.assertIn("deployment.apps/imps unchanged", second)
        self.assertNotIn("created", second)

        self.assertIn("deployment.apps/imps-refresher created", self.apply(REFRESHER))
        self.assert_present(load(REFRESHER))
        self.assertIn("clusterrole.rbac.authorization.k8s.io/imps-restart-stuck-pods created",
                      self.apply(RESTART_STUCK_PODS))
        self.assert_present(load(RESTART_STUCK_PODS))


if __name__ == "__main__":
    unittest.main()
