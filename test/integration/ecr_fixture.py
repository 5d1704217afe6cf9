"""Shared fixture for the ECR integration tests (no tests of its own).

AwsStandin runs test/standin/aws_api.py in this process (ECR, STS and the container-credentials
agent, SigV4 checked by botocore) with a throw-away certificate that imps trusts through
AWS_CA_BUNDLE. EcrCase adds it to the controller fixture: every imps started by a test points
AWS_ENDPOINT_URL (ECR and STS alike) at it.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.request

from harness import Imps, wait_for
from controller_fixture import ControllerCase

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "standin"))
import aws_api  # noqa: E402

ECR_TYPE = "banzaicloud.io/aws-ecr-login-config"
ACCOUNT = "123456789012"


class AwsStandin:
    def __init__(self, dns_names=()):
        """dns_names: extra names in the certificate, for tests that reach it through DNS."""
        self.tmp = tempfile.TemporaryDirectory(prefix="imps-aws-")
        self.cert = os.path.join(self.tmp.name, "cert.pem")
        key = os.path.join(self.tmp.name, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", key, "-out", self.cert, "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=" + ",".join([f"DNS:{n}" for n in ("localhost", *dns_names)] + ["IP:127.0.0.1"])],
                       check=True, capture_output=True)
        self.state, *self.servers = aws_api.make_servers(self.cert, key)
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = "https://127.0.0.1:%d" % self.servers[0].server_address[1]
        self.admin_url = "http://127.0.0.1:%d" % self.servers[1].server_address[1]
        self.container_url = "http://127.0.0.1:%d/v1/credentials" % self.servers[2].server_address[1]

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()
        self.tmp.cleanup()

    def post(self, path, body):
        request = urllib.request.Request(self.admin_url + path, data=json.dumps(body).encode(), method="POST")
        urllib.request.urlopen(request, timeout=10).read()

    def add_key(self, akid, secret):
        self.post("/admin/keys", {"access_key_id": akid, "secret": secret})

    def config(self, **values):
        self.post("/admin/config", values)

    def fail(self, count, kind, action=None):
        self.post("/admin/fail", {"count": count, "kind": kind, **({"action": action} if action else {})})

    def counts(self):
        return json.loads(urllib.request.urlopen(self.admin_url + "/admin/counts", timeout=10).read())

    def reset_counts(self):
        self.post("/admin/reset_counts", {})

    def env(self, **extra):
        return {"AWS_ENDPOINT_URL": self.url, "AWS_CA_BUNDLE": self.cert, "HTTPS_PROXY": "", "https_proxy": "",
                **extra}


def ecr_data(akid="", secret="", region="us-west-2", account=ACCOUNT, role_arn=None):
    fields = {"accessKeyID": akid, "secretKey": secret, "region": region, "accountID": account}
    if role_arn:
        fields["roleArn"] = role_arn
    return {k: base64.b64encode(v.encode()).decode() for k, v in fields.items()}


def registry_host(region="us-west-2", account=ACCOUNT):
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    return f"{account}.dkr.ecr.{region}{suffix}"


def ecr_password(secret, registry):
    """The ECR password in a written pull Secret, checking the entry's shape on the way."""
    auths = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]
    entry = auths.get(registry)
    if entry is None:
        return None
    user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
    assert user == "AWS" and entry["username"] == "AWS" and entry["password"] == password, entry
    return password


class EcrCase(ControllerCase):
    AWS_DNS_NAMES = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aws = AwsStandin(cls.AWS_DNS_NAMES)

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()
        super().tearDownClass()

    def start_imps(self, *args, env=None, **kwargs):
        kubeconfig = kwargs.pop("kubeconfig", None) or self.standin.kubeconfig
        wait_ready = kwargs.pop("wait_ready", True)
        self.imps = Imps("--kubeconfig", kubeconfig, "--metrics-addr=127.0.0.1:0", "--health-probe-addr=127.0.0.1:0",
                         *args, env=self.aws.env(**(env or {})))
        if wait_ready:
            self.imps.wait_for_log(lambda l: l.get("msg") == "initial sync complete", timeout=20,
                                   message="initial sync")
        return self.imps

    def metrics(self):
        line = self.imps.wait_for_log(lambda l: l.get("msg") == "listening" and l.get("server") == "metrics")
        url = "http://127.0.0.1:%s/metrics" % line["port"]
        return urllib.request.urlopen(url, timeout=10).read().decode()

    def create_ecr_source(self, ns, name, **fields):
        secret = {"apiVersion": "v1", "kind": "Secret", "type": ECR_TYPE, "metadata": {"name": name},
                  "data": ecr_data(**fields)}
        return self.check(self.api.create(f"/api/v1/namespaces/{ns}/secrets", secret))

    def ensure_namespace(self, name, labels=None):
        response = self.api.get(f"/api/v1/namespaces/{name}")
        if response.status != 200:
            self.create_namespace(name, labels)

    def wait_password(self, ns, name, registry, differs_from=None, timeout=10):
        def probe():
            secret = self.secret(ns, name)
            password = ecr_password(secret, registry) if secret else None
            return password if password and password != differs_from else None
        return wait_for(probe, timeout, f"ECR password for {registry} in {ns}/{name}")
