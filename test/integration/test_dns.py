"""Name resolution never blocks the loop, in the scratch image: imps runs in a chroot of the image
tree plus only /etc/resolv.conf and /etc/hosts, the resolv.conf naming a DNS stand-in on its own
loopback address (port 53: resolv.conf cannot name another; hence root, like the image tests).
- The API server is reached by a name from /etc/hosts (no DNS query for it).
- The ECR endpoint's name is held unanswered by the DNS stand-in: meanwhile /healthz answers
  within 0.5 s and a namespace created then gets its (non-ECR) Secret; released, the ECR Secret
  follows.
- NXDOMAIN (the STS endpoint) and SERVFAIL (the container-credentials endpoint) give errors that
  name the host in the resource's status.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unittest
import urllib.request

from harness import DEFAULT_WAIT, wait_for
from controller_fixture import dockerconfig
from ecr_fixture import EcrCase, ecr_data, registry_host, ecr_password
from image_fixture import ImageCase, SERVICE_ACCOUNT, skip_unless_runnable

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "standin"))
from dns_server import DnsServer  # noqa: E402

ECR_NAME, STS_NAME, AGENT_NAME = "ecr.dns.test", "missing.dns.test", "broken.dns.test"
API_NAME = "kubernetes.default.svc"  # in the API stand-in's certificate; resolved from /etc/hosts
ROLE = "arn:aws:iam::123456789012:role/imps-dns"
HEALTH_BOUND = 0.5  # the bound for /healthz while a lookup hangs


@skip_unless_runnable
class DnsTest(ImageCase, EcrCase):
    AWS_DNS_NAMES = (ECR_NAME,)

    def setUp(self):
        super().setUp()
        # A loopback address of its own, so parallel runs and a local resolver do not collide.
        self.dns_host = "127.53.%d.%d" % (random.randrange(1, 255), random.randrange(1, 255))
        self.dns = DnsServer(self.dns_host, zone={ECR_NAME: "127.0.0.1"}, servfail={AGENT_NAME}, held={ECR_NAME})

    def tearDown(self):
        self.dns.stop()
        super().tearDown()

    def make_root(self):
        root = os.path.join(self.directory, "rootfs")
        self.build_tree(root)
        with open(os.path.join(root, "etc", "resolv.conf"), "w") as f:
            # timeout:30: the held query must not be given up by glibc while the test looks.
            f.write(f"nameserver {self.dns_host}\noptions timeout:30 attempts:1\n")
        with open(os.path.join(root, "etc", "hosts"), "w") as f:
            f.write(f"127.0.0.1 localhost {API_NAME}\n")
        account = os.path.join(root, SERVICE_ACCOUNT)
        os.makedirs(account)
        shutil.copy(self.standin.ca, os.path.join(account, "ca.crt"))
        shutil.copy(self.standin.token_file, os.path.join(account, "token"))
        with open(os.path.join(account, "namespace"), "w") as f:
            f.write("default")
        shutil.copy(self.aws.cert, os.path.join(root, "aws-ca.pem"))
        for directory, _, files in os.walk(os.path.join(root, "var")):
            os.chmod(directory, 0o755)
            for name in files:
                os.chmod(os.path.join(directory, name), 0o644)
        for path in ("etc/resolv.conf", "etc/hosts", "aws-ca.pem"):
            os.chmod(os.path.join(root, path), 0o644)
        return root

    def start_in_chroot(self, root):
        aws_port = self.aws.url.rsplit(":", 1)[1]
        agent_port = self.aws.container_url.split(":")[2].split("/")[0]
        self.log_path = os.path.join(self.directory, "stderr")
        env = {"KUBERNETES_SERVICE_HOST": API_NAME, "KUBERNETES_SERVICE_PORT": str(self.standin.info["port"]),
               "AWS_ENDPOINT_URL_ECR": f"https://{ECR_NAME}:{aws_port}",
               "AWS_ENDPOINT_URL_STS": f"https://{STS_NAME}:{aws_port}",
               "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"https://{AGENT_NAME}:{agent_port}/v1/credentials",
               "AWS_CA_BUNDLE": "/aws-ca.pem"}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.chroot(root, ["/imps", "--metrics-addr=127.0.0.1:0", "--health-probe-addr=127.0.0.1:0"]),
                env=env, stdout=subprocess.DEVNULL, stderr=log)

    def logs(self):
        with open(self.log_path, errors="replace") as f:
            return [json.loads(l) if l.startswith("{") else l for l in f]

    def health_port(self):
        return wait_for(lambda: next((l["port"] for l in self.logs()
                                      if isinstance(l, dict) and l.get("msg") == "listening" and l.get("server") == "health"), None),
                        message="the health server")

    def target(self, ns, secret="pull"):
        return {"secret": {"name": secret}, "namespaces": {"names": [ns]}}

    def test_lookups_never_block_the_loop(self):
        self.aws.add_key("AKIDDNS", "dns-secret")
        self.aws.config(role_arns=None, container_token=None)
        self.create_namespace("dns-sources")
        self.create_ecr_source("dns-sources", "ecr", akid="AKIDDNS", secret="dns-secret")
        self.create_source("dns-sources", "docker", dockerconfig("registry.example.com"))
        self.create_namespace("dns-ecr")
        self.create_imps("dns-ecr", self.target("dns-ecr"), credentials=(("dns-sources", "ecr"),))
        self.create_imps("dns-docker", {"secret": {"name": "pull"},
                                        "namespaces": {"labels": [{"matchLabels": {"dns-test": "docker"}}]}},
                         credentials=(("dns-sources", "docker"),))
        self.start_in_chroot(self.make_root())
        try:
            self.dns.wait_for_query(ECR_NAME, timeout=20)
            health = "http://127.0.0.1:%s/healthz" % self.health_port()
            latencies = []
            for _ in range(5):
                started = time.monotonic()
                with urllib.request.urlopen(health, timeout=HEALTH_BOUND) as response:
                    self.assertEqual(response.status, 200)
                latencies.append(time.monotonic() - started)
            self.create_namespace("dns-new", labels={"dns-test": "docker"})
            self.wait_secret("dns-new", "pull", timeout=20)
            self.assertIsNone(self.secret("dns-ecr", "pull"))  # its lookup is still held
            print(f"\n/healthz while the lookup is held: max {max(latencies) * 1000:.1f} ms of "
                  f"{len(latencies)}", flush=True)
            self.assertEqual(self.dns.queried(API_NAME), 0)  # /etc/hosts answered it

            self.dns.release(ECR_NAME)
            self.wait_password("dns-ecr", "pull", registry_host(), timeout=20)

            self.create_ecr_source("dns-sources", "sts", akid="AKIDDNS", secret="dns-secret", role_arn=ROLE)
            self.create_ecr_source("dns-sources", "agent")  # no keys: the container-credentials agent
            self.create_imps("dns-sts", self.target("dns-new", "pull-sts"), credentials=(("dns-sources", "sts"),))
            self.create_imps("dns-agent", self.target("dns-new", "pull-agent"),
                             credentials=(("dns-sources", "agent"),))
            sts = self.wait_status("dns-sts", lambda s: s.get("status") == "Failed", timeout=20, message="Failed")
            self.assertIn(f"cannot resolve {STS_NAME}", sts["sourceSecretStatus"]["dns-sources.sts"])
            agent = self.wait_status("dns-agent", lambda s: s.get("status") == "Failed", timeout=20, message="Failed")
            self.assertIn(f"cannot resolve {AGENT_NAME}", agent["sourceSecretStatus"]["dns-sources.agent"])
        except AssertionError as error:
            raise AssertionError(f"{error}\nimps stderr:\n{json.dumps(self.logs()[-30:], indent=1)}") from None
        self.process.send_signal(signal.SIGTERM)
        self.assertEqual(self.process.wait(timeout=DEFAULT_WAIT), 0)


if __name__ == "__main__":
    unittest.main()
