"""Leader election: two imps replicas with --enable-leader-election against the stand-in.

Exactly one of them runs the controller and writes; kill -9 of the leader hands the Lease to the
other once it has seen the Lease unchanged for a lease duration; SIGTERM releases the Lease
(holder "", 1 s) so the standby takes over at once. Both replicas answer /readyz (the standby is
ready while it hears from the API server). Measured hand-over times are printed, not asserted:
the waits below are deadlines, not timing checks.
"""

import signal
import time
import urllib.error
import urllib.request

from harness import Imps, wait_for
from controller_fixture import ControllerCase, dockerconfig

LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/default/leases/73de1ad9.banzaicloud.io"
# Short timings so a failover takes seconds (client-go requires lease > renew > 1.2 × retry).
FAST = ("--leader-election-lease-duration=3s", "--leader-election-renew-deadline=2s",
        "--leader-election-retry-period=500ms")
# For the SIGTERM hand-over a long lease makes "well under the lease duration" unambiguous.
SLOW = ("--leader-election-lease-duration=15s", "--leader-election-renew-deadline=10s",
        "--leader-election-retry-period=500ms")


def became_leader(replica):
    return any(l.get("msg") == "became leader" for l in replica.log_lines())


def identity(replica):
    line = replica.wait_for_log(lambda l: l.get("msg") == "leader election started", message="election start")
    return line["identity"]


def readyz(replica):
    ports = {l["server"]: int(l["port"]) for l in replica.log_lines() if l.get("msg") == "listening"}
    if "health" not in ports:
        return None  # not listening yet
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['health']}/readyz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class LeaderElectionTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_one_writer_and_failover_after_kill")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("registry.example.com"))

    def setUp(self):
        super().setUp()
        self.replicas = []

    def tearDown(self):
        for replica in self.replicas:
            replica.stop()
        super().tearDown()

    def replica(self, timings):
        replica = Imps("--kubeconfig", self.standin.kubeconfig, "--metrics-addr=127.0.0.1:0",
                       "--health-probe-addr=127.0.0.1:0", "--enable-leader-election", "--config-namespace=default",
                       *timings)
        self.replicas.append(replica)
        return replica

    def holder(self):
        response = self.api.get(LEASE_PATH)
        return response.json()["spec"].get("holderIdentity") if response.status == 200 else None

    def leader_and_standby(self, timings):
        first = self.replica(timings)
        wait_for(lambda: became_leader(first), timeout=20, message="a first leader")
        second = self.replica(timings)
        self.assertEqual(self.holder(), identity(first))
        wait_for(lambda: readyz(second) == 200, timeout=20, message="the standby to be ready")
        wait_for(lambda: readyz(first) == 200, timeout=20, message="the leader to be ready")
        return first, second

    def test_one_writer_and_failover_after_kill(self):
        self.create_namespace("le-a")
        self.create_namespace("le-b")
        leader, standby = self.leader_and_standby(FAST)
        self.standin.reset_counts()
        self.create_imps("le", {"secret": {"name": "pull-le"}, "namespaces": {"names": ["le-a"]}})
        self.wait_secret("le-a", "pull-le")
        self.wait_managed("le", ["le-a"])
        # Several renew periods later the standby still has not run the controller, and the one
        # Secret was written once.
        wait_for(lambda: self.standin.counts()["byVerb"].get("update", 0) >= 8, timeout=20,
                 message="several Lease renewals")
        self.assertEqual(self.writes_to("secrets"), 1)
        self.assertFalse(became_leader(standby))
        self.assertFalse(any(l.get("msg") == "initial sync complete" for l in standby.log_lines()))

        killed = time.monotonic()
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait()
        wait_for(lambda: became_leader(standby), timeout=20, message="the standby to take over")
        failover = time.monotonic() - killed
        print(f"\nfailover after kill -9: {failover:.2f} s (lease 3 s, retry 0.5 s)", flush=True)
        self.assertEqual(self.holder(), identity(standby))
        self.patch_imps("le", {"spec": {"target": {"namespaces": {"names": ["le-a", "le-b"]}}}})
        self.wait_secret("le-b", "pull-le")
        self.wait_managed("le", ["le-a", "le-b"])

    def test_sigterm_hands_over_at_once(self):
        leader, standby = self.leader_and_standby(SLOW)
        stopped = time.monotonic()
        self.assertEqual(leader.stop(), 0)
        released = self.api.get(LEASE_PATH).json()["spec"]
        if released["holderIdentity"] != identity(standby):  # the standby may already hold it
            self.assertEqual(released["holderIdentity"], "")
            self.assertEqual(released["leaseDurationSeconds"], 1)
        # Deadline a third of the 15 s lease: only the release can make it this fast.
        wait_for(lambda: became_leader(standby), timeout=5, message="the standby to take over")
        handover = time.monotonic() - stopped
        print(f"\nhand-over after SIGTERM: {handover:.2f} s (lease 15 s, retry 0.5 s)", flush=True)
        self.assertEqual(self.holder(), identity(standby))
        self.assertEqual(self.api.get(LEASE_PATH).json()["spec"]["leaseDurationSeconds"], 15)
