"""Which CAs AWS calls trust on hosts with different (or no) system bundles: AWS_CA_BUNDLE works
without any system bundle, SSL_CERT_FILE and SSL_CERT_DIR replace the distributions' places."""

import os
import shutil
import tempfile
import unittest

from ecr_fixture import EcrCase, registry_host

NOWHERE = {"SSL_CERT_FILE": "/nonexistent/ca-bundle.crt", "SSL_CERT_DIR": "/nonexistent/certs"}


class CaBundleTest(EcrCase):
    def setUp(self):
        super().setUp()
        self.ensure_namespace("sources")
        self.aws.add_key("AKIDCABUNDLE", "ca-bundle-secret")
        self.tmp = tempfile.mkdtemp(prefix="imps-cas-")

    def tearDown(self):
        super().tearDown()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serves_ecr(self, name, env):
        self.create_ecr_source("sources", name, akid="AKIDCABUNDLE", secret="ca-bundle-secret")
        self.ensure_namespace(f"{name}-app")
        self.start_imps(env=env)
        self.create_imps(name, {"secret": {"name": "ecr-pull"}, "namespaces": {"names": [f"{name}-app"]}},
                         credentials=(("sources", name),))
        self.wait_password(f"{name}-app", "ecr-pull", registry_host(), timeout=20)

    def test_aws_ca_bundle_without_any_system_bundle(self):
        self.serves_ecr("no-system", NOWHERE)
        warning = self.imps.wait_for_log(lambda l: l.get("msg") == "AWS calls trust only AWS_CA_BUNDLE")
        self.assertIn("/nonexistent/ca-bundle.crt", warning["reason"])

    def test_ssl_cert_file_replaces_the_system_bundle(self):
        self.serves_ecr("cert-file", {"AWS_CA_BUNDLE": "", "SSL_CERT_FILE": self.aws.cert,
                                      "SSL_CERT_DIR": "/nonexistent/certs"})

    def test_ssl_cert_dir_is_read(self):
        certs = os.path.join(self.tmp, "certs")
        os.mkdir(certs)
        shutil.copy(self.aws.cert, os.path.join(certs, "aws-standin.pem"))
        self.serves_ecr("cert-dir", {**NOWHERE, "AWS_CA_BUNDLE": "", "SSL_CERT_DIR": certs})


if __name__ == "__main__":
    unittest.main()
