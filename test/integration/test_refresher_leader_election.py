"""Refresher mode with --enable-leader-election: two replicas of one refresher Deployment share a
Lease named after their target Secret (in its namespace unless --config-namespace says otherwise),
so exactly one of them watches its sources and writes the target; SIGTERM of the leader hands over
to the standby, which then keeps the target current. Two refreshers of different targets never
contend."""

import base64
import json
import unittest

from harness import Imps, wait_for
from controller_fixture import ControllerCase, dockerconfig
from test_leader_election import FAST, became_leader, identity, readyz

LEASES = "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name}"


def registries(secret):
    return set(json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"])


class RefresherLeaderElectionTest(ControllerCase):
    def refresher(self, ns, target, source, *extra):
        replica = Imps("--kubeconfig", self.standin.kubeconfig, "--metrics-addr=127.0.0.1:0",
                       "--health-probe-addr=127.0.0.1:0", f"--target-secret={ns}.{target}",
                       f"--source-secret={ns}.{source}", "--enable-leader-election", *FAST, *extra)
        self.addCleanup(replica.stop)
        return replica

    def holder(self, ns, name):
        response = self.api.get(LEASES.format(ns=ns, name=name))
        return response.json()["spec"].get("holderIdentity") if response.status == 200 else None

    def wrote(self, replica):
        return [l for l in replica.log_lines() if l.get("msg", "").startswith("target secret")]

    def test_one_writer_per_target_and_hand_over_on_sigterm(self):
        self.create_namespace("rle")
        self.create_source("rle", "docker", dockerconfig("one.example.com"))
        first = self.refresher("rle", "pull", "docker")
        wait_for(lambda: became_leader(first), timeout=20, message="a first leader")
        second = self.refresher("rle", "pull", "docker")
        self.assertEqual(self.holder("rle", "imps-refresher-pull"), identity(first))
        self.wait_secret("rle", "pull", lambda s: registries(s) == {"one.example.com"})
        wait_for(lambda: readyz(second) == 200, timeout=20, message="the standby to be ready")
        self.assertFalse(became_leader(second))

        self.replace_source("rle", "docker", dockerconfig("two.example.com"))
        self.wait_secret("rle", "pull", lambda s: registries(s) == {"two.example.com"})
        self.assertEqual(self.wrote(second), [], "the standby wrote the target")

        self.assertEqual(first.stop(), 0)
        wait_for(lambda: became_leader(second), timeout=20, message="the standby to take over")
        self.assertEqual(self.holder("rle", "imps-refresher-pull"), identity(second))
        self.replace_source("rle", "docker", dockerconfig("three.example.com"))
        self.wait_secret("rle", "pull", lambda s: registries(s) == {"three.example.com"})

    def test_refreshers_of_different_targets_do_not_contend(self):
        self.create_namespace("rle-a")
        self.create_namespace("rle-leases")
        self.create_source("rle-a", "docker", dockerconfig("a.example.com"))
        one = self.refresher("rle-a", "pull-one", "docker", "--config-namespace=rle-leases")
        two = self.refresher("rle-a", "pull-two", "docker", "--config-namespace=rle-leases")
        wait_for(lambda: became_leader(one) and became_leader(two), timeout=20, message="both to lead")
        self.assertEqual(self.holder("rle-leases", "imps-refresher-pull-one"), identity(one))
        self.assertEqual(self.holder("rle-leases", "imps-refresher-pull-two"), identity(two))
        self.wait_secret("rle-a", "pull-one")
        self.wait_secret("rle-a", "pull-two")


if __name__ == "__main__":
    unittest.main()
