"""Switching from banzaicloud/imps to imps: what the original left in the cluster is adopted in
place. Its Secrets carry `banzaicloud.com/last-applied`, a zipped copy of the whole Secret with the
credentials of the day; imps removes it in the same single write that adopts the Secret."""

import base64
import json
import unittest

from controller_fixture import ControllerCase, OWNER_LABEL, decode_secret, dockerconfig

LAST_APPLIED = "banzaicloud.com/last-applied"
# What operator-tools stored: base64 of a zip archive (this is just its header; the value is opaque).
STALE_COPY = "UEsDBBQACAAIAAAAAAAAAAAAAAAAAAAAAAAIAAAAb3JpZ2luYWw="


class AdoptionTest(ControllerCase):
    def writes_to_secret(self, since, ns, name):
        writes = self.standin.admin("POST", "/writes", {"since": since, "resource": "secrets"})["writes"]
        return [w for w in writes if w["namespace"] == ns and w["name"] == name]

    def last_write(self):
        return self.standin.admin("POST", "/writes", {"since": 0, "resource": "none"})["last"]

    def original_secret(self, name, config, labels=None, owner=None):
        """A pull Secret as the original left it: our contract's shape plus its last-applied copy."""
        metadata = {"name": name, "labels": labels or {}, "annotations": {LAST_APPLIED: STALE_COPY, "keep": "me"}}
        if owner:
            metadata["ownerReferences"] = [owner]
        return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": metadata,
                "data": {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()}}

    def test_controller_adopts_the_originals_secret_and_drops_last_applied_in_one_write(self):
        self.create_namespace("adopt-sources")
        self.create_namespace("adopt-a")
        self.create_source("adopt-sources", "docker", dockerconfig("fresh.example.com"))
        resource = self.create_imps("adopt", {"secret": {"name": "pull-adopt"}, "namespaces": {"names": ["adopt-a"]}},
                                    credentials=[("adopt-sources", "docker")])
        uid = resource["metadata"]["uid"]
        owner = {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret", "name": "adopt",
                 "uid": uid, "controller": True, "blockOwnerDeletion": True}
        old = self.check(self.api.create("/api/v1/namespaces/adopt-a/secrets", self.original_secret(
            "pull-adopt", dockerconfig("stale.example.com"), labels={OWNER_LABEL: uid}, owner=owner)))
        since = self.last_write()
        self.start_imps()
        secret = self.wait_secret("adopt-a", "pull-adopt", lambda s: LAST_APPLIED not in s["metadata"]["annotations"])
        self.wait_managed("adopt", ["adopt-a"])
        self.assertEqual(secret["metadata"]["uid"], old["metadata"]["uid"], "adopted in place, not recreated")
        self.assertEqual(set(decode_secret(secret)["auths"]), {"fresh.example.com"})
        self.assertEqual(secret["metadata"]["annotations"]["keep"], "me")
        writes = self.writes_to_secret(since, "adopt-a", "pull-adopt")
        self.assertEqual([w["type"] for w in writes], ["MODIFIED"], writes)

    def test_controller_drops_last_applied_from_an_otherwise_current_secret(self):
        self.create_namespace("current-sources")
        self.create_namespace("current-a")
        self.create_source("current-sources", "docker", dockerconfig("same.example.com"))
        resource = self.create_imps("current", {"secret": {"name": "pull-current"},
                                                "namespaces": {"names": ["current-a"]}},
                                    credentials=[("current-sources", "docker")])
        self.start_imps()
        written = self.wait_secret("current-a", "pull-current")
        self.assertEqual(self.imps.stop(), 0)
        # The original wrote the very same Secret, plus its copy: only the copy is worth a write.
        self.check(self.api.patch("/api/v1/namespaces/current-a/secrets/pull-current",
                                  {"metadata": {"annotations": {LAST_APPLIED: STALE_COPY}}}))
        since = self.last_write()
        self.start_imps()
        secret = self.wait_secret("current-a", "pull-current",
                                  lambda s: LAST_APPLIED not in (s["metadata"].get("annotations") or {}))
        self.assertEqual(secret["data"], written["data"])
        self.assertEqual(secret["metadata"]["labels"][OWNER_LABEL], resource["metadata"]["uid"])
        self.assertEqual(len(self.writes_to_secret(since, "current-a", "pull-current")), 1)

    def test_refresher_drops_last_applied_from_its_target(self):
        self.create_namespace("refresh-adopt")
        self.create_source("refresh-adopt", "docker", dockerconfig("refresh.example.com"))
        old = self.check(self.api.create("/api/v1/namespaces/refresh-adopt/secrets", self.original_secret(
            "pull", dockerconfig("refresh.example.com"))))
        since = self.last_write()
        self.start_imps("--mode=refresher", "--target-secret=refresh-adopt.pull",
                        "--source-secret=refresh-adopt.docker", wait_ready=False)
        secret = self.wait_secret("refresh-adopt", "pull", lambda s: LAST_APPLIED not in s["metadata"]["annotations"])
        self.assertEqual(secret["metadata"]["uid"], old["metadata"]["uid"])
        self.assertEqual(secret["metadata"]["annotations"]["keep"], "me")
        self.assertEqual(set(decode_secret(secret)["auths"]), {"refresh.example.com"})
        self.assertEqual(len(self.writes_to_secret(since, "refresh-adopt", "pull")), 1)


if __name__ == "__main__":
    unittest.main()
