"""The descriptor budget on a node with few descriptors (RLIMIT_NOFILE 64 → 20 watch connections):
more source namespaces than the watches' share. The watches that do not fit are refused, logged
and counted (imps_connection_budget_refusals_total{part="kubernetes_watches"}) instead of running
the process out of descriptors; /healthz and /metrics answer, and writes (their own share) go on:
a resource whose source is watched still gets its Secret in a namespace created afterwards."""

import unittest
import urllib.request

from harness import wait_for
from controller_fixture import ControllerCase, dockerconfig

MAX_OPEN_FILES = 64
SOURCE_NAMESPACES = 40  # one watch each, beside the controller's own (more than 20 in all)


class ConnectionBudgetTest(ControllerCase):
    def port(self, server):
        return self.imps.wait_for_log(lambda l: l.get("msg") == "listening" and l.get("server") == server)["port"]

    def sample(self, name):
        text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % self.port("metrics"), timeout=10).read().decode()
        return next((float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + " ")), None)

    def test_watches_beyond_their_share_are_refused_not_everything(self):
        self.create_namespace("budget-a-sources")
        self.create_source("budget-a-sources", "docker", dockerconfig("registry.example.com"))
        self.create_imps("budget-a", {"secret": {"name": "pull"},
                                      "namespaces": {"labels": [{"matchLabels": {"budget": "a"}}]}},
                         credentials=(("budget-a-sources", "docker"),))
        many = []
        for i in range(SOURCE_NAMESPACES):
            self.create_namespace(f"budget-src-{i:02d}")
            self.create_source(f"budget-src-{i:02d}", "docker", dockerconfig(f"r{i}.example.com"))
            many.append((f"budget-src-{i:02d}", "docker"))
        self.create_imps("budget-many", {"secret": {"name": "pull-many"}, "namespaces": {"names": ["default"]}},
                         credentials=tuple(many))
        self.start_imps(max_open_files=MAX_OPEN_FILES, wait_ready=False)

        refusals = 'imps_connection_budget_refusals_total{part="kubernetes_watches"}'
        wait_for(lambda: (self.sample(refusals) or 0) > 0, timeout=20, message="refused watch connections")
        self.imps.wait_for_log(lambda l: l.get("msg", "").startswith("connection budget exhausted")
                               and l.get("part") == "kubernetes_watches")
        self.assertEqual(self.sample('imps_connection_limit{part="kubernetes_watches"}'), 20)
        self.assertLessEqual(self.sample('imps_connections{part="kubernetes_watches"}'), 20)
        health = urllib.request.urlopen("http://127.0.0.1:%s/healthz" % self.port("health"), timeout=10)
        self.assertEqual(health.status, 200)

        self.create_namespace("budget-a-app", labels={"budget": "a"})
        self.wait_secret("budget-a-app", "pull", timeout=20)
        self.assertFalse([l for l in self.imps.raw if "Too many open files" in l])


if __name__ == "__main__":
    unittest.main()
