"""Controller: what events cost in API requests, counted by the stand-in (only requests whose
User-Agent is imps' own): a new pod in an already-served namespace costs nothing, a relabel that
selects one more namespace costs exactly one Secret write, a resync of an unchanged cluster
writes nothing, and a burst of relabels writes the status at most once a second (stand-in clock),
ending with the final state."""

import unittest

from harness import wait_for
from controller_fixture import ControllerCase, WRITE_VERBS, dockerconfig


class RequestCountTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_new_pod_in_served_namespace_costs_nothing")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("a.io"))

    def imps_requests(self):
        return [r for r in self.standin.counts()["requests"] if r["userAgent"].startswith("imps/")]

    def imps_writes(self):
        return [r for r in self.imps_requests() if r["verb"] in WRITE_VERBS]

    def saw_watch_event(self, resource, name, after=0):
        return lambda: [l for l in self.imps.log_lines()[after:]
                        if l.get("msg") == "watch event" and l.get("resource") == resource and l.get("name") == name]

    def test_new_pod_in_served_namespace_costs_nothing(self):
        self.create_namespace("pods-a", labels={"mesh": "on"})
        self.create_pod("pods-a", "first", labels={"app": "mesh"})
        self.create_imps("pods", {"secret": {"name": "pull-pods"},
                                  "namespaces": {"labels": [{"matchLabels": {"mesh": "on"}}]},
                                  "namespacesWithPods": {"labels": [{"matchLabels": {"app": "mesh"}}]}})
        self.start_imps("--log-level=debug")
        self.wait_managed("pods", ["pods-a"])
        self.wait_reconciled_event("pods")
        self.standin.reset_counts()
        self.create_pod("pods-a", "second", labels={"app": "mesh"})
        self.create_pod("pods-a", "third", labels={"app": "other"})
        wait_for(self.saw_watch_event("pods", "third"), message="imps to see the pods")
        self.delete_pod("pods-a", "first")
        wait_for(lambda: [l for l in self.imps.log_lines() if l.get("msg") == "watch event" and
                          l.get("name") == "first" and l.get("type") == "DELETED"], message="the delete")
        self.assertEqual(self.imps_requests(), [])

    def test_relabel_costs_one_write(self):
        self.create_namespace("relabel-a", labels={"team": "relabel"})
        self.create_namespace("relabel-b")
        self.create_imps("relabel", {"secret": {"name": "pull-relabel"},
                                     "namespaces": {"labels": [{"matchLabels": {"team": "relabel"}}]}})
        self.start_imps()
        self.wait_managed("relabel", ["relabel-a"])
        self.wait_reconciled_event("relabel")
        self.standin.reset_counts()
        self.patch_namespace("relabel-b", {"metadata": {"labels": {"team": "relabel"}}})
        status = self.wait_managed("relabel", ["relabel-a", "relabel-b"])
        # Planned for relabel-b alone, yet the status describes both namespaces.
        ready = [c for c in status["conditions"] if c["type"] == "Ready"]
        self.assertIn("in 2 namespace(s)", ready[0]["message"])
        writes = self.imps_writes()
        secret_writes = [w for w in writes if "/secrets" in w["path"]]
        self.assertEqual(len(secret_writes), 1, writes)
        self.assertEqual(secret_writes[0]["verb"], "create")
        other = [w for w in writes if "/secrets" not in w["path"] and not w["path"].endswith("/status")]
        self.assertEqual(other, [])
        self.assertEqual([r for r in self.imps_requests() if r["verb"] in ("get", "list")], [])

    def test_resync_of_unchanged_cluster_writes_nothing(self):
        self.create_namespace("resync-a")
        self.create_imps("resync", {"secret": {"name": "pull-resync"}, "namespaces": {"names": ["resync-a"]}})
        self.start_imps("--periodic-reconcile-interval=2", "--log-level=debug")
        self.wait_managed("resync", ["resync-a"])
        # Let the first resync pass, so the initial reconcile's echoes are all in.
        resyncs = lambda: sum(1 for l in self.imps.log_lines() if l.get("msg") == "periodic resync")
        wait_for(lambda: resyncs() >= 1, timeout=10, message="a first resync")
        self.standin.reset_counts()
        start = resyncs()
        wait_for(lambda: resyncs() >= start + 2, timeout=10, message="two more resyncs")
        self.assertEqual(self.imps_writes(), [])
        self.assertEqual([r for r in self.imps_requests() if r["verb"] in ("get", "list")], [])

    def status_writes(self, name, since):
        """The resource's writes since write-log sequence `since` (stamped by the stand-in)."""
        writes = self.standin.admin("POST", "/writes", {"since": since, "resource": "imagepullsecrets"})["writes"]
        return [w for w in writes if w["name"] == name]

    def test_burst_of_relabels_writes_status_at_most_once_a_second(self):
        names = [f"burst-{i}" for i in range(6)]
        for name in names:
            self.create_namespace(name)
        self.create_imps("burst", {"secret": {"name": "pull-burst"},
                                   "namespaces": {"labels": [{"matchLabels": {"team": "burst"}}]}})
        self.start_imps()
        self.wait_status("burst", lambda s: s.get("status") == "Ready")
        since = self.standin.admin("POST", "/writes", {"since": 0, "resource": "none"})["last"]
        self.standin.reset_counts()
        # One after the other, each served before the next: without coalescing, one status write each.
        for name in names:
            self.patch_namespace(name, {"metadata": {"labels": {"team": "burst"}}})
            self.wait_secret(name, "pull-burst")
        self.wait_managed("burst", names)
        writes = self.status_writes("burst", since)
        self.assertTrue(writes)
        gaps = [round(b["time"] - a["time"], 3) for a, b in zip(writes, writes[1:])]
        self.assertTrue(all(gap >= 1.0 for gap in gaps), gaps)
        self.assertEqual(len([w for w in self.imps_writes() if w["path"].endswith("/status")]), len(writes))
        self.assertEqual(len([w for w in self.imps_writes() if "/secrets" in w["path"]]), len(names))


if __name__ == "__main__":
    unittest.main()
