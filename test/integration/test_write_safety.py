"""Writes imps must not repeat or make: a refresher never deletes a Secret that is not a pull
Secret, and a request the API server refuses as Invalid or Forbidden waits for a change or the
next resync instead of being retried with backoff forever.
"""

import base64

from harness import wait_for
from controller_fixture import ControllerCase, dockerconfig


class WriteSafetyTest(ControllerCase):
    def test_refresher_leaves_a_secret_of_another_type_alone(self):
        self.create_namespace("ws-ref")
        self.create_source("ws-ref", "docker", dockerconfig("registry.example.com"))
        tls = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls", "metadata": {"name": "pull"},
               "data": {"tls.crt": base64.b64encode(b"cert").decode(), "tls.key": base64.b64encode(b"key").decode()}}
        uid = self.check(self.api.create("/api/v1/namespaces/ws-ref/secrets", tls))["metadata"]["uid"]
        self.standin.reset_counts()
        self.start_imps("--mode=refresher", "--target-secret=ws-ref.pull", "--source-secret=ws-ref.docker")
        event = wait_for(lambda: [e for e in self.check(self.api.get("/api/v1/namespaces/ws-ref/events"))["items"]
                                  if e["reason"] == "SecretReconciliationError"], message="an error event")[0]
        self.assertIn("kubernetes.io/tls", event["message"])
        self.assertEqual(event["involvedObject"]["name"], "pull")
        secret = self.secret("ws-ref", "pull")
        self.assertEqual(secret["metadata"]["uid"], uid)
        self.assertEqual(secret["type"], "kubernetes.io/tls")
        self.assertEqual(self.writes_to("secrets"), 0)

    def test_forbidden_write_waits_for_the_resync(self):
        self.create_namespace("ws-sources")
        self.create_source("ws-sources", "docker", dockerconfig("registry.example.com"))
        self.create_namespace("ws-a")
        path = "/api/v1/namespaces/ws-a/secrets"
        self.standin.fail_next(1000, code=403, verb="create", path=path)
        self.addCleanup(self.standin.admin, "DELETE", "/faults")
        self.start_imps("--periodic-reconcile-interval=3", "--log-level=debug")
        self.create_imps("ws", {"secret": {"name": "pull-ws"}, "namespaces": {"names": ["ws-a"]}},
                         credentials=(("ws-sources", "docker"),))
        # From the first resync to the second exactly one attempt: the first resync's (its status
        # is unchanged, so nothing else triggers). Backing off (0.5 s, 1 s, 2 s, ...) would have
        # tried again about three times in the 3 s between them.
        def attempts_between_resyncs():
            messages = [l.get("msg") for l in self.imps.log_lines()]
            resyncs = [i for i, msg in enumerate(messages) if msg == "periodic resync"]
            if len(resyncs) < 2:
                return None
            return messages[resyncs[0]:resyncs[1]].count("secret write failed")
        self.assertEqual(wait_for(lambda: attempts_between_resyncs() is not None and attempts_between_resyncs(),
                                  timeout=15, message="two resyncs"), 1)
