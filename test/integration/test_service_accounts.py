"""Controller: spec.target.serviceAccounts puts the target Secret into the named ServiceAccounts'
imagePullSecrets wherever the Secret is provisioned — appended once, other entries and their
order kept, recorded in an annotation — and takes out exactly its own entries when the Secret
leaves (deselection, resource deletion, target rename, a name removed)."""

import unittest

from harness import wait_for
from controller_fixture import IMPS_PATH, ControllerCase

ADDED = "images.banzaicloud.io/added-pull-secrets"


class ServiceAccountTest(ControllerCase):
    SHARED_SOURCE = "a.io"

    # --- helpers -----------------------------------------------------------------------------

    def sa_path(self, ns, name=""):
        return f"/api/v1/namespaces/{ns}/serviceaccounts" + (f"/{name}" if name else "")

    def pull_secrets(self, ns, name):
        account = self.service_account(ns, name) or {}
        return [e.get("name") for e in account.get("imagePullSecrets") or []]

    def added(self, ns, name):
        return ((self.service_account(ns, name) or {}).get("metadata", {}).get("annotations") or {}).get(ADDED)

    def wait_pull_secrets(self, ns, name, expected, timeout=10):
        wait_for(lambda: self.pull_secrets(ns, name) == expected, timeout,
                 f"ServiceAccount {ns}/{name} to list {expected} (has {self.pull_secrets(ns, name)})")

    def namespace_with_accounts(self, ns, *accounts, default_secrets=None):
        self.create_namespace_with_account(ns)
        if default_secrets:
            self.check(self.api.patch(self.sa_path(ns, "default"),
                                      {"imagePullSecrets": [{"name": n} for n in default_secrets]}))
        for name in accounts:
            self.check(self.api.create(self.sa_path(ns), {"metadata": {"name": name}}))

    def sa_writes(self):
        return [r for r in self.standin.counts()["requests"]
                if r["userAgent"].startswith("imps/") and "/serviceaccounts" in r["path"]
                and r["verb"] in ("create", "update", "patch", "delete")]

    def sa_reads(self):
        return [r["verb"] for r in self.standin.counts()["requests"]
                if r["userAgent"].startswith("imps/") and "/serviceaccounts" in r["path"]
                and r["verb"] in ("get", "list", "watch")]

    # --- tests -------------------------------------------------------------------------------

    def test_append_keep_others_and_later_account(self):
        self.namespace_with_accounts("sa-a", "builder", "unnamed", default_secrets=["mine", "theirs"])
        unnamed_rv = self.service_account("sa-a", "unnamed")["metadata"]["resourceVersion"]
        self.create_imps("append", {"secret": {"name": "pull-a"}, "namespaces": {"names": ["sa-a"]},
                                    "serviceAccounts": {"names": ["default", "builder", "late"]}})
        self.start_imps("--periodic-reconcile-interval=2", "--log-level=debug")
        self.wait_pull_secrets("sa-a", "default", ["mine", "theirs", "pull-a"])
        self.wait_pull_secrets("sa-a", "builder", ["pull-a"])
        self.assertEqual(self.added("sa-a", "default"), "pull-a")
        self.assertEqual(self.added("sa-a", "builder"), "pull-a")
        self.assertEqual(self.service_account("sa-a", "unnamed")["metadata"]["resourceVersion"], unnamed_rv)
        self.assertEqual(self.get_imps("append")["status"]["status"], "Ready")

        # A ServiceAccount created later is patched when it appears.
        self.check(self.api.create(self.sa_path("sa-a"), {"metadata": {"name": "late"},
                                                          "imagePullSecrets": [{"name": "own"}]}))
        self.wait_pull_secrets("sa-a", "late", ["own", "pull-a"])

        # Resyncs of an unchanged cluster write nothing, to ServiceAccounts or anything else.
        resyncs = lambda: sum(1 for l in self.imps.log_lines() if l.get("msg") == "periodic resync")
        wait_for(lambda: resyncs() >= 1, timeout=10, message="a first resync")
        self.standin.reset_counts()
        start = resyncs()
        wait_for(lambda: resyncs() >= start + 2, timeout=10, message="two more resyncs")
        self.assertEqual(self.sa_writes(), [])
        self.assertEqual(self.write_count(), 0)
        self.assertEqual(self.pull_secrets("sa-a", "default"), ["mine", "theirs", "pull-a"])

    def test_star_and_two_resources(self):
        self.namespace_with_accounts("sa-star", "ci")
        self.create_imps("star-x", {"secret": {"name": "pull-x"}, "namespaces": {"names": ["sa-star"]},
                                    "serviceAccounts": {"names": ["*"]}})
        self.create_imps("star-y", {"secret": {"name": "pull-y"}, "namespaces": {"names": ["sa-star"]},
                                    "serviceAccounts": {"names": ["default"]}})
        self.start_imps()
        wait_for(lambda: sorted(self.pull_secrets("sa-star", "default")) == ["pull-x", "pull-y"],
                 message="both resources' entries on default")
        self.wait_pull_secrets("sa-star", "ci", ["pull-x"])
        self.assertEqual(self.added("sa-star", "default"), "pull-x,pull-y")
        self.delete_imps("star-y")
        self.wait_pull_secrets("sa-star", "default", ["pull-x"])
        self.assertEqual(self.added("sa-star", "default"), "pull-x")
        self.assertEqual(self.pull_secrets("sa-star", "ci"), ["pull-x"])

    def test_removal_on_deselect_rename_and_name_removed(self):
        self.namespace_with_accounts("sa-r1", default_secrets=["mine"])
        self.namespace_with_accounts("sa-r2")
        self.create_imps("removal", {"secret": {"name": "pull-r"}, "namespaces": {"names": ["sa-r1", "sa-r2"]},
                                     "serviceAccounts": {"names": ["default"]}})
        self.start_imps()
        self.wait_pull_secrets("sa-r1", "default", ["mine", "pull-r"])
        self.wait_pull_secrets("sa-r2", "default", ["pull-r"])

        self.patch_imps("removal", {"spec": {"target": {"namespaces": {"names": ["sa-r1"]}}}})
        self.wait_pull_secrets("sa-r2", "default", [])
        self.assertIsNone(self.added("sa-r2", "default"))

        self.patch_imps("removal", {"spec": {"target": {"secret": {"name": "pull-r2"}}}})
        self.wait_pull_secrets("sa-r1", "default", ["mine", "pull-r2"])
        self.assertEqual(self.added("sa-r1", "default"), "pull-r2")

        self.patch_imps("removal", {"spec": {"target": {"serviceAccounts": {"names": ["other"]}}}})
        self.wait_pull_secrets("sa-r1", "default", ["mine"])
        self.assertIsNone(self.added("sa-r1", "default"))

    def test_watch_only_while_used(self):
        self.namespace_with_accounts("sa-w")
        for item in self.check(self.api.get(IMPS_PATH))["items"]:  # other tests' resources
            self.delete_imps(item["metadata"]["name"])
        self.create_imps("watch", {"secret": {"name": "pull-w"}, "namespaces": {"names": ["sa-w"]}})
        self.standin.reset_counts()
        self.start_imps()
        self.wait_managed("watch", ["sa-w"])
        self.wait_reconciled_event("watch")
        self.assertEqual(self.sa_reads(), [])
        self.patch_imps("watch", {"spec": {"target": {"serviceAccounts": {"names": ["default"]}}}})
        self.wait_pull_secrets("sa-w", "default", ["pull-w"])
        self.assertEqual(sorted(self.sa_reads()), ["list", "watch"])
        self.patch_imps("watch", {"spec": {"target": {"serviceAccounts": None}}})
        self.wait_pull_secrets("sa-w", "default", [])
        self.imps.wait_for_log(lambda l: l.get("msg") == "serviceaccount watch stopped",
                               message="the ServiceAccount watch to stop")

    def test_rejected_patch_is_reported_and_others_go_on(self):
        self.namespace_with_accounts("sa-bad")
        self.namespace_with_accounts("sa-good")
        self.standin.fail_next(1000, code=422, verb="patch", path="/namespaces/sa-bad/serviceaccounts/")
        self.create_imps("rejected", {"secret": {"name": "pull-bad"}, "namespaces": {"names": ["sa-bad", "sa-good"]},
                                      "serviceAccounts": {"names": ["default"]}})
        try:
            self.start_imps()
            self.wait_pull_secrets("sa-good", "default", ["pull-bad"])
            status = self.wait_status("rejected", lambda s: "ServiceAccount sa-bad/default" in s.get("reason", ""))
            self.assertEqual(status["status"], "Failed")
            self.assertEqual(status["managedNamespaces"], ["sa-bad", "sa-good"])
            wait_for(lambda: [e for e in self.events_for("rejected")
                              if e["type"] == "Warning" and "ServiceAccount sa-bad/default" in e["message"]],
                     message="a Warning event naming the ServiceAccount")
        finally:
            self.standin.admin("DELETE", "/faults")
        self.wait_pull_secrets("sa-bad", "default", ["pull-bad"], timeout=60)
        self.wait_status("rejected", lambda s: s.get("status") == "Ready", timeout=20)


if __name__ == "__main__":
    unittest.main()
