"""Controller: what happens to the written Secrets as sources and resources change — merging,
source edits, target renames, resource deletion, foreign Secrets, invalid specs, Events."""

import unittest

from harness import wait_for
from controller_fixture import ControllerCase, OWNER_LABEL, decode_secret, dockerconfig


class LifecycleTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_two_sources_later_wins")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("shared.io", user="first"))

    def test_two_sources_later_wins(self):
        self.create_namespace("merge-a")
        self.create_source("sources", "merge-second", {"auths": {
            **dockerconfig("shared.io", user="second")["auths"], **dockerconfig("only-second.io")["auths"]}})
        self.create_imps("merge", {"secret": {"name": "pull-merge"}, "namespaces": {"names": ["merge-a"]}},
                         credentials=[("sources", "docker"), ("sources", "merge-second")])
        self.start_imps()
        auths = decode_secret(self.wait_secret("merge-a", "pull-merge"))["auths"]
        self.assertEqual(auths["shared.io"]["username"], "second")
        self.assertIn("only-second.io", auths)
        status = self.wait_managed("merge", ["merge-a"])
        self.assertEqual(status["sourceSecretStatus"], {"sources.docker": "Ok", "sources.merge-second": "Ok"})

    def test_source_edit_updates_secrets(self):
        self.create_namespace("edit-a")
        self.create_namespace("edit-b")
        self.create_source("sources", "edit", dockerconfig("edit.io", user="before"))
        self.create_imps("edit", {"secret": {"name": "pull-edit"}, "namespaces": {"names": ["edit-a", "edit-b"]}},
                         credentials=[("sources", "edit")])
        self.start_imps()
        self.wait_managed("edit", ["edit-a", "edit-b"])
        self.replace_source("sources", "edit", dockerconfig("edit.io", user="after"))
        for ns in ("edit-a", "edit-b"):
            self.wait_secret(ns, "pull-edit", lambda s: decode_secret(s)["auths"]["edit.io"]["username"] == "after")

    def test_missing_source_is_reported_then_picked_up(self):
        self.create_namespace("missing-a")
        self.create_imps("missing", {"secret": {"name": "pull-missing"}, "namespaces": {"names": ["missing-a"]}},
                         credentials=[("sources", "docker"), ("sources", "missing-later")])
        self.start_imps()
        status = self.wait_status("missing", lambda s: s.get("status") == "Failed")
        self.assertIn("not found", status["sourceSecretStatus"]["sources.missing-later"])
        self.assertEqual(status["managedNamespaces"], ["missing-a"])  # written from the source that works
        self.create_source("sources", "missing-later", dockerconfig("later.io"))
        self.wait_status("missing", lambda s: s.get("status") == "Ready")
        self.wait_secret("missing-a", "pull-missing", lambda s: "later.io" in decode_secret(s)["auths"])

    def test_target_rename_deletes_old_secrets(self):
        self.create_namespace("rename-a")
        self.create_imps("rename", {"secret": {"name": "pull-old"}, "namespaces": {"names": ["rename-a"]}})
        self.start_imps()
        self.wait_secret("rename-a", "pull-old")
        self.patch_imps("rename", {"spec": {"target": {"secret": {"name": "pull-new"}}}})
        self.wait_secret("rename-a", "pull-new")
        self.wait_no_secret("rename-a", "pull-old")

    def test_target_labels_follow_the_spec(self):
        self.create_namespace("labels-a")
        self.create_imps("labels", {"secret": {"name": "pull-labels", "labels": {"team": "a", "tier": "1"},
                                               "annotations": {"note": "x"}},
                                    "namespaces": {"names": ["labels-a"]}})
        self.start_imps()
        self.wait_secret("labels-a", "pull-labels", lambda s: s["metadata"]["labels"].get("tier") == "1")
        self.patch_imps("labels", {"spec": {"target": {"secret": {"labels": {"tier": None}}}}})
        secret = self.wait_secret("labels-a", "pull-labels", lambda s: "tier" not in s["metadata"]["labels"])
        self.assertEqual(secret["metadata"]["labels"]["team"], "a")
        self.assertIn(OWNER_LABEL, secret["metadata"]["labels"])
        self.assertEqual(secret["metadata"]["annotations"]["note"], "x")

    def test_resource_deleted_secrets_collected(self):
        self.create_namespace("deleted-a")
        self.create_imps("deleted", {"secret": {"name": "pull-deleted"}, "namespaces": {"names": ["deleted-a"]}})
        self.start_imps()
        self.wait_secret("deleted-a", "pull-deleted")
        self.delete_imps("deleted")
        self.wait_no_secret("deleted-a", "pull-deleted")

    def test_edited_secret_is_restored(self):
        self.create_namespace("restore-a")
        self.create_imps("restore", {"secret": {"name": "pull-restore"}, "namespaces": {"names": ["restore-a"]}})
        self.start_imps()
        original = self.wait_secret("restore-a", "pull-restore")
        self.check(self.api.patch("/api/v1/namespaces/restore-a/secrets/pull-restore",
                                  {"data": {".dockerconfigjson": "e30="}}))
        self.wait_secret("restore-a", "pull-restore",
                         lambda s: s["data"][".dockerconfigjson"] == original["data"][".dockerconfigjson"])
        self.check(self.api.delete("/api/v1/namespaces/restore-a/secrets/pull-restore"), 200, 202)
        self.wait_secret("restore-a", "pull-restore",
                         lambda s: s["metadata"]["uid"] != original["metadata"]["uid"])

    def test_foreign_secret_left_alone_and_reported(self):
        self.create_namespace("foreign-a")
        self.create_namespace("foreign-b")
        foreign = self.check(self.api.create("/api/v1/namespaces/foreign-a/secrets", {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "pull-foreign"}, "data": {"x": "eA=="}}))
        self.create_imps("foreign", {"secret": {"name": "pull-foreign"},
                                     "namespaces": {"names": ["foreign-a", "foreign-b"]}})
        self.start_imps()
        status = self.wait_status("foreign", lambda s: s.get("status") == "Failed")
        self.assertIn("foreign-a/pull-foreign", status["reason"])
        self.assertEqual(status["managedNamespaces"], ["foreign-b"])
        untouched = self.secret("foreign-a", "pull-foreign")
        self.assertEqual(untouched["metadata"]["resourceVersion"], foreign["metadata"]["resourceVersion"])
        self.assertIsNotNone(self.secret("foreign-b", "pull-foreign"))

    def test_invalid_selector_isolated(self):
        self.create_namespace("invalid-a")
        self.create_imps("invalid", {"secret": {"name": "pull-invalid"}, "namespaces": {
            "names": ["invalid-a"], "labels": [{"matchExpressions": [{"key": "x", "operator": "In", "values": []}]}]}})
        self.create_imps("valid", {"secret": {"name": "pull-valid"}, "namespaces": {"names": ["invalid-a"]}})
        self.start_imps()
        status = self.wait_status("invalid", lambda s: s.get("status") == "Failed")
        self.assertIn("target.namespaces.labels[0]", status["reason"])
        self.wait_status("valid", lambda s: s.get("status") == "Ready")
        self.assertIsNone(self.secret("invalid-a", "pull-invalid"))
        self.assertIsNotNone(self.secret("invalid-a", "pull-valid"))

    def test_events_recorded(self):
        self.create_namespace("events-a")
        imps = self.create_imps("events", {"secret": {"name": "pull-events"}, "namespaces": {"names": ["events-a"]}})
        self.create_imps("events-bad", {"secret": {"name": "pull-events-bad"}, "namespaces": {"names": ["events-a"]}},
                         credentials=[("sources", "no-such-secret")])
        self.start_imps()

        reconciled = wait_for(lambda: [e for e in self.events_for("events") if e["reason"] == "Reconciled"],
                              message="a Reconciled event")
        event = reconciled[0]
        self.assertEqual(event["type"], "Normal")
        self.assertEqual(event["involvedObject"]["uid"], imps["metadata"]["uid"])
        self.assertEqual(event["involvedObject"]["kind"], "ImagePullSecret")
        self.assertTrue(event["metadata"]["name"].startswith("events."))
        reasons = wait_for(lambda: {e["reason"] for e in self.events_for("events-bad")} >=
                           {"SourceCredentialsError", "ReconciliationFailed"} and
                           {e["reason"] for e in self.events_for("events-bad")}, message="warning events")
        self.assertNotIn("Reconciled", reasons)
        warnings = [e for e in self.events_for("events-bad") if e["reason"] == "SourceCredentialsError"]
        self.assertEqual(len(warnings), 1)  # not repeated within a resync period
        self.assertEqual(warnings[0]["type"], "Warning")


if __name__ == "__main__":
    unittest.main()
