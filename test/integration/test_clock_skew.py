"""AWS clock-skew correction: with the AWS stand-in's clock 30 minutes ahead of or behind ours,
the first signed request is rejected ("Signature expired" / "not yet current"), imps takes the
offset from the response's Date, re-signs at once and the Secret is written; the skew is logged
once and exported as imps_aws_clock_skew_seconds. STS (AssumeRole) and ECR alike."""

import time
import unittest

from ecr_fixture import EcrCase, registry_host

ROLE = "arn:aws:iam::123456789012:role/imps-skew"
SKEW = 1800
# The bound for a skewed node: the Secret within 15 s of the resource.
WRITTEN_WITHIN = 15


class ClockSkewTest(EcrCase):
    def setUp(self):
        super().setUp()
        self.ensure_namespace("sources")
        self.aws.add_key("AKIDSKEW", "skew-secret")
        self.aws.config(role_arns=None)
        self.aws.reset_counts()
        self.resource = None

    def tearDown(self):
        self.aws.config(clock_offset_seconds=0)
        super().tearDown()
        if self.resource:  # or the next test's imps would fetch its token first
            self.delete_imps(self.resource)

    def skewed_secret(self, name, offset, role_arn=None):
        self.aws.config(clock_offset_seconds=offset)
        fields = {"role_arn": role_arn} if role_arn else {}
        self.create_ecr_source("sources", name, akid="AKIDSKEW", secret="skew-secret", **fields)
        self.ensure_namespace(f"{name}-app")
        self.start_imps()
        started = time.monotonic()
        self.resource = name
        self.create_imps(name, {"secret": {"name": "ecr-pull"}, "namespaces": {"names": [f"{name}-app"]}},
                         credentials=(("sources", name),))
        self.wait_password(f"{name}-app", "ecr-pull", registry_host(), timeout=WRITTEN_WITHIN)
        print(f"\n{name}: Secret written {time.monotonic() - started:.2f} s after the resource", flush=True)

    def assert_skew_reported(self, offset):
        port = self.aws.url.rsplit(":", 1)[1]
        samples = dict(line.rsplit(" ", 1) for line in self.metrics().splitlines() if not line.startswith("#"))
        self.assertAlmostEqual(float(samples[f'imps_aws_clock_skew_seconds{{endpoint="127.0.0.1:{port}"}}']),
                               offset, delta=5)
        warnings = [l for l in self.imps.log_lines() if l.get("msg", "").startswith("clock skew against AWS detected")]
        self.assertEqual(len(warnings), 1, warnings)
        self.assertAlmostEqual(float(warnings[0]["skew_seconds"]), offset, delta=5)

    def test_aws_clock_ahead(self):
        self.skewed_secret("skew-ahead", SKEW)
        self.assertEqual(self.aws.counts().get("GetAuthorizationToken.rejected"), 1)
        self.assert_skew_reported(SKEW)

    def test_aws_clock_behind(self):
        self.skewed_secret("skew-behind", -SKEW)
        self.assertEqual(self.aws.counts().get("GetAuthorizationToken.rejected"), 1)
        self.assert_skew_reported(-SKEW)

    def test_sts_then_ecr_with_the_clock_behind(self):
        self.skewed_secret("skew-sts", -SKEW, role_arn=ROLE)
        counts = self.aws.counts()
        self.assertEqual(counts.get("AssumeRole.rejected"), 1)
        # Same endpoint (AWS_ENDPOINT_URL): the offset learnt from STS already signs ECR right.
        self.assertIsNone(counts.get("GetAuthorizationToken.rejected"))
        self.assert_skew_reported(-SKEW)


if __name__ == "__main__":
    unittest.main()
