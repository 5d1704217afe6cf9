"""Controller: restartStuckPods. Once imps has added the pull Secret to a ServiceAccount, pods of
that account stuck in ErrImagePull/ImagePullBackOff without the Secret are evicted (policy/v1
Eviction) when a controller recreates them; bare pods, and Jobs' pods (an eviction would count
against the Job's backoffLimit), are named in a Warning event and left;
Running pods, other accounts' pods and pods that have the Secret are never touched. Cost: one
LIST of the namespace's Pending pods; a 429 is retried later."""

import unittest

from harness import wait_for
from controller_fixture import ControllerCase



class StuckPodTest(ControllerCase):
    SHARED_SOURCE = "a.io"

    def pod_path(self, ns, name=""):
        return f"/api/v1/namespaces/{ns}/pods" + (f"/{name}" if name else "")

    def make_pod(self, ns, name, owner="ReplicaSet", phase="Pending", waiting="ImagePullBackOff", account=None,
                 secrets=()):
        meta = {"name": name}
        if owner:
            meta["ownerReferences"] = [self.owner(ns, owner)]
        spec = {"containers": [{"name": "app", "image": "a.io/app"}],
                "imagePullSecrets": [{"name": s} for s in secrets]}
        if account:
            spec["serviceAccountName"] = account
        pod = self.check(self.api.create(self.pod_path(ns), {"metadata": meta, "spec": spec}))
        state = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
        pod["status"] = {"phase": phase, "containerStatuses": [{"name": "app", "state": state}]}
        self.check(self.api.put(self.pod_path(ns, name) + "/status", pod))

    OWNERS = {"ReplicaSet": ("apps/v1", "replicasets", "web"), "Job": ("batch/v1", "jobs", "batch")}

    def owner(self, ns, kind):
        """A controller ownerReference to ReplicaSet `web` or Job `batch` in `ns` (created on first
        use: the garbage collector deletes pods whose owner does not exist)."""
        api_version, plural, name = self.OWNERS[kind]
        path = f"/apis/{api_version}/namespaces/{ns}/{plural}"
        found = self.api.get(f"{path}/{name}")
        obj = found.json() if found.status == 200 else self.check(self.api.create(path, {
            "metadata": {"name": name}, "spec": {"selector": {"matchLabels": {"app": name}}}}))
        return {"apiVersion": api_version, "kind": kind, "name": name, "uid": obj["metadata"]["uid"],
                "controller": True}

    def exists(self, ns, name):
        return self.api.get(self.pod_path(ns, name)).status == 200

    def imps_requests(self, verb, path_part):
        return [r for r in self.standin.counts()["requests"]
                if r["userAgent"].startswith("imps/") and r["verb"] == verb and path_part in r["path"]]

    def test_stuck_pods_are_evicted_once_bare_ones_reported(self):
        self.create_namespace_with_account("stuck-a")
        self.make_pod("stuck-a", "web-1")
        self.make_pod("stuck-a", "web-2", waiting="ErrImagePull")
        self.make_pod("stuck-a", "bare", owner=None)
        self.make_pod("stuck-a", "batch-1", owner="Job")
        self.make_pod("stuck-a", "running", phase="Running", waiting=None)
        self.make_pod("stuck-a", "other-account", account="ci")
        self.make_pod("stuck-a", "has-secret", secrets=["pull-s"])
        self.make_pod("stuck-a", "creating", waiting="ContainerCreating")
        self.create_imps("stuck", {"secret": {"name": "pull-s"}, "namespaces": {"names": ["stuck-a"]},
                                   "serviceAccounts": {"names": ["default"], "restartStuckPods": True}})
        self.standin.reset_counts()
        self.start_imps("--log-level=debug")
        wait_for(lambda: not self.exists("stuck-a", "web-1") and not self.exists("stuck-a", "web-2"),
                 message="the stuck pods to be evicted")
        events = wait_for(lambda: [e for e in self.events_for("stuck")
                                   if e["reason"] == "StuckPodsNotRestarted" and e["type"] == "Warning"],
                          message="a Warning event naming the bare pod")
        self.assertIn("bare", events[0]["message"])
        self.assertIn("batch-1", events[0]["message"])
        for name in ("bare", "batch-1", "running", "other-account", "has-secret", "creating"):
            self.assertTrue(self.exists("stuck-a", name), name)
        lists = self.imps_requests("list", "/namespaces/stuck-a/pods")
        self.assertEqual(len(lists), 1, lists)
        self.assertIn("fieldSelector=status.phase%3DPending", lists[0]["query"])
        evictions = self.imps_requests("create", "/eviction")
        self.assertEqual(sorted(r["path"].split("/")[-2] for r in evictions), ["web-1", "web-2"])

        # A replacement pod created now gets the Secret from its account; a new pod in the
        # already-served namespace costs imps no request at all.
        self.standin.reset_counts()
        self.create_pod("stuck-a", "web-3")
        self.assertEqual(self.check(self.api.get(self.pod_path("stuck-a", "web-3")))["spec"]["imagePullSecrets"],
                         [{"name": "pull-s"}])
        wait_for(lambda: [l for l in self.imps.log_lines() if l.get("msg") == "watch event" and
                          l.get("name") == "web-3"], message="imps to see the new pod")
        self.assertEqual([r for r in self.standin.counts()["requests"] if r["userAgent"].startswith("imps/")], [])

    def test_refused_eviction_is_retried(self):
        self.create_namespace_with_account("stuck-b")
        self.make_pod("stuck-b", "web")
        self.standin.fail_next(1, code=429, verb="create", path="/namespaces/stuck-b/pods/web/eviction")
        self.create_imps("refused", {"secret": {"name": "pull-b"}, "namespaces": {"names": ["stuck-b"]},
                                     "serviceAccounts": {"names": ["*"], "restartStuckPods": True}})
        self.standin.reset_counts()
        self.start_imps()
        wait_for(lambda: not self.exists("stuck-b", "web"), timeout=30, message="the eviction to succeed on retry")
        self.assertEqual(len(self.imps_requests("create", "/namespaces/stuck-b/pods/web/eviction")), 2)

    def test_throttled_eviction_is_retried_by_the_restarter_alone(self):
        # A 429 with Retry-After (APF throttling evictions, a webhook, a budget still being
        # processed): the client hands it to the restarter at once instead of retrying it itself.
        self.create_namespace_with_account("stuck-d")
        self.make_pod("stuck-d", "web")
        self.standin.fail_next(1, code=429, retry_after=1, verb="create", path="/namespaces/stuck-d/pods/web/eviction")
        self.create_imps("throttled", {"secret": {"name": "pull-d"}, "namespaces": {"names": ["stuck-d"]},
                                       "serviceAccounts": {"names": ["*"], "restartStuckPods": True}})
        self.standin.reset_counts()
        self.start_imps()
        wait_for(lambda: not self.exists("stuck-d", "web"), timeout=30, message="the eviction to succeed on retry")
        postponed = [l for l in self.imps.log_lines() if l.get("msg") == "stuck pod eviction postponed"]
        self.assertEqual(len(postponed), 1, "the restarter saw the 429 and retried it")
        self.assertIn("429", postponed[0]["error"])
        self.assertEqual(len(self.imps_requests("create", "/namespaces/stuck-d/pods/web/eviction")), 2)

    def test_without_restart_nothing_is_listed_or_evicted(self):
        self.create_namespace_with_account("stuck-c")
        self.make_pod("stuck-c", "web")
        self.create_imps("no-restart", {"secret": {"name": "pull-c"}, "namespaces": {"names": ["stuck-c"]},
                                        "serviceAccounts": {"names": ["default"]}})
        self.standin.reset_counts()
        self.start_imps()
        wait_for(lambda: self.service_account("stuck-c").get("imagePullSecrets") == [{"name": "pull-c"}],
                 message="the patched account")
        self.wait_reconciled_event("no-restart")
        self.assertTrue(self.exists("stuck-c", "web"))
        self.assertEqual(self.imps_requests("list", "/namespaces/stuck-c/pods"), [])
        self.assertEqual(self.imps_requests("create", "/eviction"), [])


if __name__ == "__main__":
    unittest.main()
