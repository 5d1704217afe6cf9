"""Refresher mode end to end: named sources in, one target pull Secret out, kept fresh."""

import base64
import json
import unittest

from harness import wait_for
from controller_fixture import dockerconfig
from ecr_fixture import EcrCase, ecr_password, registry_host


class RefresherTest(EcrCase):
    def setUp(self):
        super().setUp()
        self.aws.config(token_validity_seconds=43200)

    def start_refresher(self, ns, target, *sources):
        return self.start_imps("--mode=refresher", f"--target-secret={ns}.{target}",
                               *[f"--source-secret={ns}.{s}" for s in sources])

    def auths(self, secret):
        return json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]

    def test_merges_two_ecr_sources_and_a_dockerconfig_source_and_refreshes(self):
        self.aws.add_key("AKIDREFRESH1", "refresh-secret-1")
        self.aws.add_key("AKIDREFRESH2", "refresh-secret-2")
        self.aws.config(token_validity_seconds=4)
        self.create_namespace("refresh")
        self.create_ecr_source("refresh", "ecr-1", akid="AKIDREFRESH1", secret="refresh-secret-1")
        self.create_ecr_source("refresh", "ecr-2", akid="AKIDREFRESH2", secret="refresh-secret-2",
                               region="eu-central-1", account="210987654321")
        self.create_source("refresh", "docker", dockerconfig("registry.example.com"))
        self.start_refresher("refresh", "pull", "ecr-1", "ecr-2", "docker")
        first = self.wait_password("refresh", "pull", registry_host())
        secret = self.secret("refresh", "pull")
        self.assertEqual(secret["type"], "kubernetes.io/dockerconfigjson")
        self.assertEqual(set(self.auths(secret)), {registry_host(), registry_host("eu-central-1", "210987654321"),
                                                   "registry.example.com"})
        # No ImagePullSecret exists: no owner label, no ownerReference (as the original refresher).
        self.assertNotIn("images.banzaicloud.io/owner-uid", secret["metadata"].get("labels") or {})
        self.assertFalse(secret["metadata"].get("ownerReferences"))
        self.wait_password("refresh", "pull", registry_host(), differs_from=first, timeout=10)

    def test_source_edits_are_followed_and_unchanged_sources_cost_no_writes(self):
        self.create_namespace("follow")
        self.create_source("follow", "docker", dockerconfig("one.example.com"))
        self.start_refresher("follow", "pull", "docker")
        self.wait_secret("follow", "pull", lambda s: "one.example.com" in self.auths(s))
        self.replace_source("follow", "docker", dockerconfig("two.example.com"))
        self.wait_secret("follow", "pull", lambda s: set(self.auths(s)) == {"two.example.com"})
        writes = self.writes_to("secrets")
        gets = self.standin.counts()["byResource"].get("get secrets", 0)
        self.check(self.api.patch("/api/v1/namespaces/follow/secrets/docker", {"metadata": {"labels": {"x": "y"}}}))
        # The refresher re-reads its target after the source event, then finds nothing to write.
        wait_for(lambda: self.standin.counts()["byResource"].get("get secrets", 0) > gets,
                 message="the refresher's reconcile after the source event")
        self.assertEqual(self.writes_to("secrets"), writes + 1)  # only the test's own label patch

    def test_wrong_keys_are_reported_on_the_target_while_other_sources_are_written(self):
        self.create_namespace("badkeys")
        self.create_ecr_source("badkeys", "ecr", akid="AKIDNOSUCHKEY", secret="do-not-leak-this-secret")
        self.create_source("badkeys", "docker", dockerconfig("registry.example.com"))
        self.start_refresher("badkeys", "pull", "ecr", "docker")
        secret = self.wait_secret("badkeys", "pull", timeout=20)
        self.assertEqual(set(self.auths(secret)), {"registry.example.com"})

        def warning():
            items = self.check(self.api.get("/api/v1/namespaces/badkeys/events"))["items"]
            return [e for e in items if e["reason"] == "SourceCredentialsError"
                    and e["involvedObject"]["name"] == "pull"]
        events = wait_for(warning, timeout=20, message="SourceCredentialsError event")
        self.assertEqual(events[0]["type"], "Warning")
        self.assertEqual(events[0]["involvedObject"]["kind"], "Secret")
        self.assertIn("UnrecognizedClientException", events[0]["message"])
        self.assertNotIn("do-not-leak-this-secret", json.dumps(events) + "\n".join(self.imps.raw))

    def test_a_legacy_dockercfg_target_is_recreated(self):
        # A pull Secret of the other type; a Secret of any other type is left alone (test_write_safety).
        self.create_namespace("retype")
        self.check(self.api.create("/api/v1/namespaces/retype/secrets",
                                   {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockercfg",
                                    "metadata": {"name": "pull"}, "data": {".dockercfg": "e30="}}))
        self.create_source("retype", "docker", dockerconfig("registry.example.com"))
        self.start_refresher("retype", "pull", "docker")
        secret = self.wait_secret("retype", "pull", lambda s: s["type"] == "kubernetes.io/dockerconfigjson")
        self.assertEqual(set(secret["data"]), {".dockerconfigjson"})

    def test_the_original_command_line_without_mode_runs_the_refresher(self):
        # The Go original's refresher Deployment passes no --mode; its chart sets LOG_LEVEL to one
        # of logrus's level names and its own default format is logfmt.
        self.create_namespace("original")
        self.create_source("original", "docker", dockerconfig("registry.example.com"))
        self.start_imps("--target-secret=original.pull", "--source-secret=original.docker", wait_ready=False,
                        env={"LOG_FORMAT": "logfmt", "LOG_LEVEL": "trace"})
        self.wait_secret("original", "pull", lambda s: set(self.auths(s)) == {"registry.example.com"})
        wait_for(lambda: any(l.startswith("ts=") and " level=debug " in l for l in self.imps.raw),
                 message="a logfmt debug line")
        self.assertFalse(self.imps.logs, "no JSON lines expected with LOG_FORMAT=logfmt")


if __name__ == "__main__":
    unittest.main()
