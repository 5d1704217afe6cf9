"""Last good credentials: a failing source never removes or changes what it contributed before.

The target Secret keeps a failing source's entries (status Failed naming the source, a Warning
event, but no write because of the failure) until the source recovers or, for an ECR entry, its
token expires. After a restart the entries are read back from the target Secret itself. Before,
a deleted or unparseable source, or an ECR call failing right after a restart, rewrote every
target without that source's registries (or to {"auths":{}}).
"""

import base64
import json
import re

from harness import wait_for
from controller_fixture import dockerconfig
from ecr_fixture import EcrCase, ecr_password, registry_host

# Resyncs every second, so "the whole outage" spans several reconciles.
RESYNC = "--periodic-reconcile-interval=1"
RECONCILES = re.compile(r'^imps_reconciles_total\{result="success"\} (\S+)$', re.M)
REFRESHES = re.compile(r'^imps_refresher_reconciles_total\{result="(?:success|failure)"\} (\S+)$', re.M)


def auths(secret):
    return json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]


class LastGoodTest(EcrCase):
    def setUp(self):
        super().setUp()
        self.aws.config(token_validity_seconds=43200)

    def reconciles(self, pattern=RECONCILES):
        return sum(float(v) for v in pattern.findall(self.metrics()))

    def wait_reconciles(self, count, pattern=RECONCILES):
        """Waits until `count` more reconciles than now have finished."""
        start = self.reconciles(pattern)
        wait_for(lambda: self.reconciles(pattern) >= start + count, timeout=20, message=f"{count} more reconciles")

    def wait_source_failed(self, name, key):
        return self.wait_status(name, lambda s: s.get("status") == "Failed" and key in s.get("reason", "")
                                and s.get("sourceSecretStatus", {}).get(key, "Ok") != "Ok",
                                message=f"Failed naming {key}")

    def test_deleted_static_source_costs_no_target_writes_until_it_is_back(self):
        self.create_namespace("lg-src")
        self.create_source("lg-src", "one", dockerconfig("one.example.com"))
        self.create_source("lg-src", "two", dockerconfig("two.example.com"))
        for ns in ("lg-a", "lg-b", "lg-c"):
            self.create_namespace(ns)
        self.start_imps(RESYNC)
        self.create_imps("lg", {"secret": {"name": "pull-lg"}, "namespaces": {"names": ["lg-a", "lg-b", "lg-c"]}},
                         credentials=(("lg-src", "one"), ("lg-src", "two")))
        for ns in ("lg-a", "lg-b", "lg-c"):
            self.wait_secret(ns, "pull-lg", lambda s: set(auths(s)) == {"one.example.com", "two.example.com"})
        before = {ns: self.secret(ns, "pull-lg")["data"] for ns in ("lg-a", "lg-b", "lg-c")}
        self.standin.reset_counts()

        self.check(self.api.delete("/api/v1/namespaces/lg-src/secrets/two"), 200, 202)
        self.wait_source_failed("lg", "lg-src.two")
        wait_for(lambda: [e for e in self.events_for("lg") if e["reason"] == "SourceCredentialsError"],
                 message="a SourceCredentialsError event")
        self.wait_reconciles(3)
        # The one Secret write is the test's own delete.
        self.assertEqual(self.writes_to("secrets"), 1, "a target Secret was written because a source failed")
        self.assertEqual({ns: self.secret(ns, "pull-lg")["data"] for ns in before}, before)

        self.create_source("lg-src", "two", dockerconfig("two.example.com", password="rotated"))
        for ns in ("lg-a", "lg-b", "lg-c"):
            self.wait_secret(ns, "pull-lg", lambda s: auths(s)["two.example.com"]["password"] == "rotated")
        self.wait_status("lg", lambda s: s.get("status") == "Ready", message="Ready again")

    def test_ecr_failing_from_the_first_call_after_a_restart_keeps_the_token_until_it_expires(self):
        self.aws.add_key("AKIDLASTGOOD", "last-good-secret")
        # Long enough for the restarted imps to sync and reconcile a few times before expiry.
        self.aws.config(token_validity_seconds=12)
        self.create_namespace("lg-ecr-src")
        self.create_ecr_source("lg-ecr-src", "ecr", akid="AKIDLASTGOOD", secret="last-good-secret")
        self.create_source("lg-ecr-src", "docker", dockerconfig("static.example.com"))
        self.create_namespace("lg-ecr")
        self.start_imps(RESYNC)
        self.create_imps("lg-ecr", {"secret": {"name": "pull-ecr"}, "namespaces": {"names": ["lg-ecr"]}},
                         credentials=(("lg-ecr-src", "ecr"), ("lg-ecr-src", "docker")))
        ecr_password(self.wait_secret("lg-ecr", "pull-ecr", lambda s: registry_host() in auths(s)), registry_host())
        self.assertEqual(self.imps.stop(), 0)
        before = self.secret("lg-ecr", "pull-ecr")["data"]

        self.aws.fail(1000, "server", "GetAuthorizationToken")
        self.addCleanup(self.aws.state.failures.clear)
        self.standin.reset_counts()
        self.start_imps(RESYNC)
        self.wait_source_failed("lg-ecr", "lg-ecr-src.ecr")
        self.wait_reconciles(2)
        self.assertEqual(self.secret("lg-ecr", "pull-ecr")["data"], before)
        self.assertEqual(self.writes_to("secrets"), 0, "a target Secret was written because ECR failed")

        # Once the kept token expires its entry goes; the working source's entry stays.
        self.wait_secret("lg-ecr", "pull-ecr", lambda s: set(auths(s)) == {"static.example.com"}, timeout=30)
        self.assertEqual(self.writes_to("secrets"), 1)

    def test_refresher_keeps_a_deleted_sources_entries(self):
        self.create_namespace("lg-ref")
        self.create_source("lg-ref", "one", dockerconfig("one.example.com"))
        self.create_source("lg-ref", "two", dockerconfig("two.example.com"))
        self.start_imps("--mode=refresher", "--target-secret=lg-ref.pull", "--source-secret=lg-ref.one",
                        "--source-secret=lg-ref.two", RESYNC)
        self.wait_secret("lg-ref", "pull", lambda s: set(auths(s)) == {"one.example.com", "two.example.com"})
        before = self.secret("lg-ref", "pull")["data"]
        self.standin.reset_counts()
        self.check(self.api.delete("/api/v1/namespaces/lg-ref/secrets/two"), 200, 202)
        self.wait_reconciles(3, REFRESHES)
        self.assertEqual(self.writes_to("secrets"), 1)  # the test's own delete
        self.assertEqual(self.secret("lg-ref", "pull")["data"], before)
        self.create_source("lg-ref", "two", dockerconfig("three.example.com"))
        self.wait_secret("lg-ref", "pull", lambda s: set(auths(s)) == {"one.example.com", "three.example.com"})
