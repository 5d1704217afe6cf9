"""Controller mode with ECR sources, end to end against the Kubernetes and AWS stand-ins."""

import base64
import json
import time
import unittest

from harness import wait_for
from controller_fixture import dockerconfig
from ecr_fixture import EcrCase, ecr_password, registry_host

ROLE = "arn:aws:iam::123456789012:role/imps-ecr"


class EcrControllerTest(EcrCase):
    def setUp(self):
        super().setUp()
        self.aws.config(token_validity_seconds=43200, role_arns=None)
        self.ensure_namespace("sources")

    def target(self, ns, name="ecr-pull"):
        return {"secret": {"name": name}, "namespaces": {"names": [ns]}}

    def test_two_ecr_sources_and_a_dockerconfig_source_are_merged(self):
        self.aws.add_key("AKIDMERGE1", "secret-one")
        self.aws.add_key("AKIDMERGE2", "secret-two")
        self.create_ecr_source("sources", "merge-ecr-1", akid="AKIDMERGE1", secret="secret-one", region="us-west-2")
        self.create_ecr_source("sources", "merge-ecr-2", akid="AKIDMERGE2", secret="secret-two", region="eu-west-1",
                               account="210987654321")
        self.create_source("sources", "merge-docker", dockerconfig("registry.example.com"))
        self.create_namespace("merge-app")
        self.start_imps()
        self.create_imps("merge", self.target("merge-app"),
                         credentials=(("sources", "merge-ecr-1"), ("sources", "merge-ecr-2"),
                                      ("sources", "merge-docker")))
        status = self.wait_status("merge", lambda s: s.get("status") == "Ready", timeout=20, message="Ready")
        self.assertEqual(status["sourceSecretStatus"], {"sources.merge-ecr-1": "Ok", "sources.merge-ecr-2": "Ok",
                                                        "sources.merge-docker": "Ok"})
        self.assertGreater(status["validitySeconds"], 43000)
        secret = self.wait_secret("merge-app", "ecr-pull")
        auths = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]
        self.assertEqual(set(auths), {registry_host("us-west-2"), registry_host("eu-west-1", "210987654321"),
                                      "registry.example.com"})
        self.assertTrue(ecr_password(secret, registry_host("us-west-2")))
        counts = self.aws.counts()
        self.assertEqual(counts["by_key"].get("AKIDMERGE1"), 1)
        self.assertEqual(counts["by_key"].get("AKIDMERGE2"), 1)
        self.assertGreaterEqual(counts["regions"].get("eu-west-1", 0), 1)
        # Earlier tests' resources live on in this class's stand-in, so only lower bounds hold.
        samples = dict(line.rsplit(" ", 1) for line in self.metrics().splitlines() if not line.startswith("#"))
        self.assertGreaterEqual(float(samples['imps_ecr_token_refreshes_total{result="success"}']), 2)
        self.assertGreater(float(samples["imps_ecr_token_expiry_timestamp_seconds"]), time.time())

    def test_wrong_keys_fail_the_source_with_the_aws_error_and_no_key_material(self):
        self.create_ecr_source("sources", "wrong-ecr", akid="AKIDWRONGKEY", secret="wrong-secret-material")
        self.create_source("sources", "wrong-docker", dockerconfig("registry.example.com"))
        self.create_namespace("wrong-app")
        self.start_imps()
        self.create_imps("wrong", self.target("wrong-app"),
                         credentials=(("sources", "wrong-ecr"), ("sources", "wrong-docker")))
        status = self.wait_status("wrong", lambda s: "UnrecognizedClientException" in json.dumps(s), timeout=20,
                                  message="Failed with the AWS error")
        self.assertEqual(status["status"], "Failed")
        error = status["sourceSecretStatus"]["sources.wrong-ecr"]
        self.assertIn("UnrecognizedClientException", error)
        self.assertEqual(status["sourceSecretStatus"]["sources.wrong-docker"], "Ok")
        secret = self.wait_secret("wrong-app", "ecr-pull")  # the working source is still written
        self.assertIn("registry.example.com", json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"])
        everything = json.dumps(status) + json.dumps(self.events_for("wrong")) + "\n".join(self.imps.raw)
        self.assertNotIn("wrong-secret-material", everything)

    def test_role_arn_is_assumed_through_sts(self):
        self.aws.add_key("AKIDROLEBASE", "role-base-secret")
        self.aws.config(role_arns=[ROLE])
        self.create_ecr_source("sources", "role-ecr", akid="AKIDROLEBASE", secret="role-base-secret", role_arn=ROLE)
        self.create_namespace("role-app")
        self.aws.reset_counts()
        self.start_imps()
        self.create_imps("role", self.target("role-app"), credentials=(("sources", "role-ecr"),))
        self.wait_password("role-app", "ecr-pull", registry_host())
        counts = self.aws.counts()
        self.assertEqual(counts.get("AssumeRole"), 1)
        self.assertEqual(counts["by_key"].get("AKIDROLEBASE"), 1)  # the AssumeRole call only
        self.assertTrue(any(k.startswith("ASIASTANDIN") for k in counts["by_key"]), counts)

    def test_china_region_uses_the_endpoint_override_and_the_cn_registry_host(self):
        self.aws.add_key("AKIDCHINA", "china-secret")
        self.create_ecr_source("sources", "cn-ecr", akid="AKIDCHINA", secret="china-secret", region="cn-north-1")
        self.create_namespace("cn-app")
        self.start_imps(env={"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_ECR": self.aws.url})
        self.create_imps("cn", self.target("cn-app"), credentials=(("sources", "cn-ecr"),))
        self.wait_password("cn-app", "ecr-pull", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")
        self.assertGreaterEqual(self.aws.counts()["regions"].get("cn-north-1", 0), 1)

    def test_token_is_refreshed_before_half_its_validity(self):
        self.aws.add_key("AKIDSHORT", "short-secret")
        self.aws.config(token_validity_seconds=4)
        self.create_ecr_source("sources", "short-ecr", akid="AKIDSHORT", secret="short-secret")
        self.create_namespace("short-app")
        self.start_imps()
        self.create_imps("short", self.target("short-app"), credentials=(("sources", "short-ecr"),))
        first = self.wait_password("short-app", "ecr-pull", registry_host())
        started = time.monotonic()
        second = self.wait_password("short-app", "ecr-pull", registry_host(), differs_from=first, timeout=10)
        # Written again before the first token expired (4 s), i.e. around its half-life.
        self.assertLess(time.monotonic() - started, 4.0)
        self.wait_password("short-app", "ecr-pull", registry_host(), differs_from=second, timeout=10)

    def test_a_refresh_costs_one_status_write_and_resyncs_between_cost_none(self):
        # validitySeconds counts down; a status that differs from the last one only by the time
        # that passed tells a reader nothing new, so it must not be written (issue 12).
        self.aws.add_key("AKIDCOUNT", "count-secret")
        self.aws.config(token_validity_seconds=6)
        self.create_ecr_source("sources", "count-ecr", akid="AKIDCOUNT", secret="count-secret")
        names = [f"count-{i}" for i in range(3)]
        for name in names:
            self.create_namespace(name)
        self.start_imps("--periodic-reconcile-interval=1")
        self.create_imps("count", {"secret": {"name": "ecr-pull"}, "namespaces": {"names": names}},
                         credentials=(("sources", "count-ecr"),))
        generations = []

        def tokens_seen(count):
            def seen():
                token = ecr_password(self.secret(names[0], "ecr-pull"), registry_host())
                if token and token not in generations:
                    generations.append(token)
                return len(generations) >= count
            return seen
        self.wait_password(names[0], "ecr-pull", registry_host())
        wait_for(tokens_seen(4), timeout=30, message="three refreshes of the token")
        status_writes = [r for r in self.standin.counts()["requests"]
                         if r["verb"] in ("update", "patch") and r["path"].endswith("/imagepullsecrets/count/status")]
        # The first token and each of the refreshes seen: one write each (a status write of the
        # refresh in flight may have gone out before its Secret write was seen).
        self.assertLessEqual(len(status_writes), len(generations) + 1)
        status = self.get_imps("count")["status"]
        self.assertGreater(status["validitySeconds"], 0)
        self.assertLessEqual(status["validitySeconds"], 6)

    def test_resources_sharing_credentials_cost_one_ecr_call_per_refresh(self):
        self.aws.add_key("AKIDSHARED", "shared-secret")
        self.aws.config(token_validity_seconds=6)
        self.create_ecr_source("sources", "shared-ecr", akid="AKIDSHARED", secret="shared-secret")
        names = [f"shared-{i}" for i in range(5)]
        for name in names:
            self.create_namespace(name)
        self.start_imps()
        for name in names:
            self.create_imps(name, self.target(name), credentials=(("sources", "shared-ecr"),))
        for name in names:
            self.wait_password(name, "ecr-pull", registry_host())
        seen = set()

        def three_tokens():
            for name in names:
                secret = self.secret(name, "ecr-pull")
                seen.add(ecr_password(secret, registry_host()))
            return len(seen) >= 3
        wait_for(three_tokens, timeout=30, message="three generations of the shared token")
        calls = self.aws.counts()["by_key"]["AKIDSHARED"]
        # One call per generation seen, plus possibly one in flight: never one per resource.
        self.assertLessEqual(calls, len(seen) + 1)


class EcrThrottlingTest(EcrCase):
    """Alone in its stand-in, so the injected throttling hits this resource's refreshes."""

    def test_throttling_keeps_the_last_good_secret_and_then_recovers(self):
        self.aws.add_key("AKIDTHROTTLE", "throttle-secret")
        # Refresh at 18 s; two throttled attempts back off at most 5 s + 10 s: done before expiry.
        self.aws.config(token_validity_seconds=36)
        self.create_namespace("sources")
        self.create_ecr_source("sources", "throttle-ecr", akid="AKIDTHROTTLE", secret="throttle-secret")
        self.create_namespace("throttle-app")
        self.start_imps()
        self.create_imps("throttle", {"secret": {"name": "ecr-pull"}, "namespaces": {"names": ["throttle-app"]}},
                         credentials=(("sources", "throttle-ecr"),))
        first = self.wait_password("throttle-app", "ecr-pull", registry_host())
        self.aws.fail(2, "throttle", "GetAuthorizationToken")
        self.aws.reset_counts()
        seen = []

        def recovered():
            secret = self.secret("throttle-app", "ecr-pull")
            password = ecr_password(secret, registry_host())
            seen.append(password)
            return password != first
        wait_for(recovered, timeout=50, message="a new token after throttling")
        self.assertNotIn(None, seen)  # the last good token stayed in the Secret throughout
        self.assertGreaterEqual(self.aws.counts().get("GetAuthorizationToken", 0), 3)
        self.assertEqual(self.get_imps("throttle")["status"]["status"], "Ready")


class EcrExpiredCredentialsTest(EcrCase):
    """Alone in its stand-in: an injected failure hits whichever ECR call comes next."""

    def test_expired_role_credentials_are_assumed_again(self):
        self.aws.add_key("AKIDREASSUME", "reassume-secret")
        self.aws.config(role_arns=[ROLE], token_validity_seconds=4)
        self.create_namespace("sources")
        self.create_ecr_source("sources", "reassume-ecr", akid="AKIDREASSUME", secret="reassume-secret",
                               role_arn=ROLE)
        self.create_namespace("reassume-app")
        self.start_imps()
        self.create_imps("reassume", {"secret": {"name": "ecr-pull"}, "namespaces": {"names": ["reassume-app"]}},
                         credentials=(("sources", "reassume-ecr"),))
        first = self.wait_password("reassume-app", "ecr-pull", registry_host())
        self.aws.reset_counts()
        self.aws.fail(1, "expired", "GetAuthorizationToken")
        self.wait_password("reassume-app", "ecr-pull", registry_host(), differs_from=first, timeout=15)
        # ExpiredTokenException dropped the cached role credentials: the retry assumed the role again.
        self.assertGreaterEqual(self.aws.counts().get("AssumeRole", 0), 1)


class EcrAmbientIdentityTest(EcrCase):
    def test_web_identity_from_the_environment(self):
        token_file = f"{self.aws.tmp.name}/web-identity-token"
        with open(token_file, "w") as f:
            f.write("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJpbXBzIn0.c2lnbmF0dXJl\n")
        self.aws.config(web_identity_token="eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJpbXBzIn0.c2lnbmF0dXJl",
                        role_arns=["arn:aws:iam::123456789012:role/irsa"])
        self.ensure_namespace("sources")
        self.create_ecr_source("sources", "ambient-ecr")
        self.create_namespace("ambient-app")
        self.aws.reset_counts()
        self.start_imps(env={"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa",
                             "AWS_WEB_IDENTITY_TOKEN_FILE": token_file})
        self.create_imps("ambient", {"secret": {"name": "ecr-pull"}, "namespaces": {"names": ["ambient-app"]}},
                         credentials=(("sources", "ambient-ecr"),))
        self.wait_password("ambient-app", "ecr-pull", registry_host(), timeout=20)
        counts = self.aws.counts()
        # One call per region: earlier tests' keyless sources (eu-west-1) resolve through IRSA too.
        self.assertEqual(counts.get("AssumeRoleWithWebIdentity"), len(counts["regions"]))
        self.assertTrue(all(k.startswith("ASIASTANDIN") for k in counts["by_key"]), counts)

    def test_eks_pod_identity_agent_from_the_environment(self):
        token_file = f"{self.aws.tmp.name}/pod-identity-token"
        with open(token_file, "w") as f:
            f.write("pod-identity-token-value\n")  # the trailing newline is not part of the token
        self.aws.config(container_token="pod-identity-token-value")
        self.ensure_namespace("sources")
        self.create_ecr_source("sources", "pod-identity-ecr", region="eu-west-1")
        self.create_namespace("pod-identity-app")
        self.aws.reset_counts()
        self.start_imps(env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.aws.container_url,
                             "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file})
        self.create_imps("pod-identity", {"secret": {"name": "ecr-pull"},
                                          "namespaces": {"names": ["pod-identity-app"]}},
                         credentials=(("sources", "pod-identity-ecr"),))
        self.wait_password("pod-identity-app", "ecr-pull", registry_host("eu-west-1"), timeout=20)
        counts = self.aws.counts()
        self.assertEqual(counts.get("ContainerCredentials"), 1)
        self.assertEqual(counts.get("GetAuthorizationToken"), 1)

    def test_no_keys_and_no_ambient_identity_is_reported(self):
        self.ensure_namespace("sources")
        self.create_ecr_source("sources", "nothing-ecr")
        self.create_namespace("nothing-app")
        self.start_imps()
        self.create_imps("nothing", {"secret": {"name": "ecr-pull"}, "namespaces": {"names": ["nothing-app"]}},
                         credentials=(("sources", "nothing-ecr"),))
        status = self.wait_status("nothing", lambda s: "no AWS credentials" in json.dumps(s), timeout=20,
                                  message="Failed for want of credentials")
        self.assertEqual(status["status"], "Failed")
        self.assertIn("no AWS credentials", status["sourceSecretStatus"]["sources.nothing-ecr"])


if __name__ == "__main__":
    unittest.main()
