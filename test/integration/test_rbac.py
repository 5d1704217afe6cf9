"""RBAC grants exactly what the code uses: the verbs imps sent over the whole integration suite
(the stand-ins' request logs, test/standin/request_log.py) against the rules in deploy/.

CTest runs this file after every other integration test, with the logs in $IMPS_REQUEST_LOG_DIR:
  - every (group, resource, verb) the controller used is granted by the ClusterRole `imps` or the
    Role `imps-leader-election` of deploy/manifests/install.yaml (plus the ClusterRole of the
    restartStuckPods opt-in, restart-stuck-pods.yaml) and of the rendered chart (with
    restartStuckPods.enabled), and everything those grant was used;
  - the same for the refresher and the Role in deploy/manifests/refresher.yaml.
A new verb in the code therefore needs its rule, and a rule needs an integration test that makes
imps use it. When only part of the suite ran, "everything granted was used" cannot be judged and
is skipped (the other direction still holds).
"""

import glob
import json
import os
import re
import sys
import unittest

import yaml

from harness import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import render_chart  # noqa: E402

INTEGRATION = os.path.dirname(os.path.abspath(__file__))
CHART = os.path.join(ROOT, "deploy", "charts", "imagepullsecrets")
INSTALL = os.path.join(ROOT, "deploy", "manifests", "install.yaml")
REFRESHER = os.path.join(ROOT, "deploy", "manifests", "refresher.yaml")
RESTART_STUCK_PODS = os.path.join(ROOT, "deploy", "manifests", "restart-stuck-pods.yaml")
CONTROLLER_ROLES = {("ClusterRole", "imps"), ("Role", "imps-leader-election")}
# The opt-in that lets restartStuckPods evict, applied on top of install.yaml.
STUCK_POD_ROLES = {("ClusterRole", "imps-restart-stuck-pods")}
REFRESHER_ROLES = {("Role", "imps-refresher")}
# A test file that imports the harness (directly or through a fixture) leaves a log when it runs.
USES_HARNESS = re.compile(r"^(from|import) (harness|\w+_fixture)\b", re.M)


def granted(documents, roles=None):
    """{(group, resource, verb)} granted by the named (kind, name) roles; by every ClusterRole and
    Role when `roles` is None (the chart names its roles after the release)."""
    out = set()
    for doc in documents:
        if not doc or doc.get("kind") not in ("ClusterRole", "Role"):
            continue
        if roles is not None and (doc["kind"], doc["metadata"]["name"]) not in roles:
            continue
        for rule in doc.get("rules", []):
            for group in rule.get("apiGroups", []):
                for resource in rule.get("resources", []):
                    for verb in rule.get("verbs", []):
                        out.add((group, resource, verb))
    return out


def load(path):
    with open(path) as f:
        return list(yaml.safe_load_all(f))


def controller_grants(with_stuck_pods=True):
    grants = granted(load(INSTALL), CONTROLLER_ROLES)
    return grants | granted(load(RESTART_STUCK_PODS), STUCK_POD_ROLES) if with_stuck_pods else grants


def describe(triples):
    return "\n".join(f"  {g or 'core'} {r} {v}" for g, r, v in sorted(triples))


class RbacMatchesCodeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        directory = os.environ.get("IMPS_REQUEST_LOG_DIR")
        if not directory or not os.path.isdir(directory):
            raise unittest.SkipTest("no request log: run the integration suite through CTest")
        cls.used = {}
        logged = set()
        for path in glob.glob(os.path.join(directory, "*.jsonl")):
            logged.add(os.path.basename(path)[:-len(".jsonl")])
            with open(path) as f:
                for line in f:
                    entry = json.loads(line)
                    cls.used.setdefault(entry["component"], set()).add(
                        (entry["group"], entry["resource"], entry["verb"]))
        expected = set()
        for path in glob.glob(os.path.join(INTEGRATION, "test_*.py")):
            name = os.path.basename(path)[:-len(".py")]
            with open(path) as f:
                if name != "test_rbac" and USES_HARNESS.search(f.read()):
                    expected.add(name)
        cls.missing = sorted(expected - logged)

    def check(self, component, rules):
        used = self.used.get(component, set())
        self.assertTrue(used, f"no {component} request in the log")
        self.assertFalse(used - rules, f"{component} uses what its RBAC does not grant:\n{describe(used - rules)}")
        if self.missing:
            print(f"\npart of the suite ran (no log from {', '.join(self.missing)}): unused grants not checked",
                  flush=True)
            return
        self.assertFalse(rules - used, f"granted but never used by the {component}:\n{describe(rules - used)}")

    def test_controller_cluster_role_and_lease_role(self):
        self.check("controller", controller_grants())

    def test_chart_grants_what_the_manifests_grant(self):
        for enabled in (False, True):
            chart = list(yaml.safe_load_all(render_chart.render_chart(
                CHART, release="imps", namespace="imps-system", overrides=[{"restartStuckPods": {"enabled": enabled}}])))
            self.assertEqual(granted(chart), controller_grants(with_stuck_pods=enabled), f"restartStuckPods {enabled}")

    def test_refresher_role(self):
        self.check("refresher", granted(load(REFRESHER), REFRESHER_ROLES))
