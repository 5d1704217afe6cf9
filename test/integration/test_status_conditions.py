"""kstatus-style status: besides the original's status.status/reason, imps writes
status.observedGeneration and a Ready condition, so that the real kubectl's
`wait --for=condition=Ready`, Argo CD and Flux can tell when an ImagePullSecret is done. The
condition follows the outcome: it costs no status write of its own, and its lastTransitionTime
moves only when Ready flips."""

import unittest

from harness import wait_for
from controller_fixture import ControllerCase, dockerconfig

WAIT_TIMEOUT = "30s"


def ready_condition(status):
    return next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)


class StatusConditionsTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_kubectl_wait_for_ready")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("registry.example.com"))

    def kubectl_wait(self, name, condition="condition=Ready"):
        return self.standin.kubectl("wait", f"--for={condition}", f"imagepullsecret/{name}",
                                    f"--timeout={WAIT_TIMEOUT}", check=False)

    def status_writes(self, name):
        return [r for r in self.standin.counts()["requests"]
                if r["verb"] in ("update", "patch") and r["path"].endswith(f"/imagepullsecrets/{name}/status")]

    def test_kubectl_wait_for_ready(self):
        self.create_namespace("wait-a")
        self.create_imps("wait", {"secret": {"name": "pull-wait"}, "namespaces": {"names": ["wait-a"]}})
        self.start_imps()
        result = self.kubectl_wait("wait")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("imagepullsecret.images.banzaicloud.io/wait condition met", result.stdout)
        resource = self.get_imps("wait")
        status = resource["status"]
        self.assertEqual(status["status"], "Ready")
        self.assertEqual(status["observedGeneration"], resource["metadata"]["generation"])
        condition = ready_condition(status)
        self.assertEqual(condition["status"], "True")
        self.assertEqual(condition["reason"], "Reconciled")
        self.assertEqual(condition["observedGeneration"], resource["metadata"]["generation"])
        self.assertRegex(condition["lastTransitionTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_failure_names_the_source_and_recovery_is_a_transition(self):
        self.create_namespace("flip-a")
        self.create_imps("flip", {"secret": {"name": "pull-flip"}, "namespaces": {"names": ["flip-a"]}},
                         credentials=[("sources", "docker"), ("sources", "flip-later")])
        self.start_imps()
        result = self.kubectl_wait("flip", "condition=Ready=False")
        self.assertEqual(result.returncode, 0, result.stderr)
        failed = ready_condition(self.get_imps("flip")["status"])
        self.assertEqual(failed["reason"], "ReconciliationFailed")
        self.assertIn("sources.flip-later", failed["message"])
        self.create_source("sources", "flip-later", dockerconfig("later.example.com"))
        result = self.kubectl_wait("flip")
        self.assertEqual(result.returncode, 0, result.stderr)
        recovered = ready_condition(self.get_imps("flip")["status"])
        self.assertEqual(recovered["status"], "True")
        self.assertGreaterEqual(recovered["lastTransitionTime"], failed["lastTransitionTime"])

    def test_no_status_write_of_its_own_and_a_spec_edit_is_observed(self):
        self.create_namespace("quiet-a")
        self.create_namespace("quiet-b")
        self.create_imps("quiet", {"secret": {"name": "pull-quiet"}, "namespaces": {"names": ["quiet-a"]}})
        self.start_imps("--periodic-reconcile-interval=1", "--log-level=debug")
        first = self.wait_status("quiet", lambda s: ready_condition(s) is not None)
        self.assertEqual(len(self.status_writes("quiet")), 1, "one status write for the first outcome")
        # Resyncs of an unchanged resource write nothing, conditions included.
        resyncs = lambda: sum(1 for l in self.imps.log_lines() if l.get("msg") == "periodic resync")
        start = resyncs()
        wait_for(lambda: resyncs() >= start + 2, message="two resyncs")
        self.assertEqual(len(self.status_writes("quiet")), 1)
        # A spec edit that changes the outcome: one write, with the new generation, same transition.
        edited = self.patch_imps("quiet", {"spec": {"target": {"namespaces": {"names": ["quiet-a", "quiet-b"]}}}})
        generation = edited["metadata"]["generation"]
        self.assertGreater(generation, first["observedGeneration"])
        status = self.wait_status("quiet", lambda s: s.get("observedGeneration") == generation)
        self.assertEqual(status["managedNamespaces"], ["quiet-a", "quiet-b"])
        self.assertEqual(ready_condition(status)["observedGeneration"], generation)
        self.assertEqual(ready_condition(status)["lastTransitionTime"], ready_condition(first)["lastTransitionTime"])
        start = resyncs()
        wait_for(lambda: resyncs() >= start + 2, message="two more resyncs")
        self.assertEqual(len(self.status_writes("quiet")), 2)
        result = self.kubectl_wait("quiet")
        self.assertEqual(result.returncode, 0, result.stderr)


if __name__ == "__main__":
    unittest.main()
