"""The API client behind a proxy, as client-go does it: kubeconfig `proxy-url` wins, else
HTTPS_PROXY unless NO_PROXY matches the API server. Watches go through the proxy too: a namespace
created after the initial sync (seen only by a watch) still gets its Secret."""

import json
import os
import subprocess
import sys
import unittest

from harness import wait_for
from controller_fixture import ControllerCase, dockerconfig

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "standin"))
from connect_proxy import ConnectProxy  # noqa: E402

# Nothing listens on port 1: a proxy there fails every connection through it.
DEAD_PROXY = "http://127.0.0.1:1"


class ProxyTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_proxy_url")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("registry.example.com"))
        cls.api_authority = cls.standin.url.split("://", 1)[1]

    def setUp(self):
        super().setUp()
        self.proxy = ConnectProxy()
        # Watches left by an earlier test's imps would count as open watches of this one.
        self.standin.drop_watches()
        wait_for(lambda: not self.standin.state()["watches"], message="no open watches")

    def tearDown(self):
        super().tearDown()
        self.proxy.stop()

    def kubeconfig_with_proxy(self, proxy_url):
        with open(self.standin.kubeconfig) as f:
            doc = json.load(f)
        doc["clusters"][0]["cluster"]["proxy-url"] = proxy_url
        path = os.path.join(self.standin.directory, "kubeconfig-proxy")
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def serves_new_namespace(self, name):
        """A namespace made after the initial sync gets its Secret: the watches deliver events."""
        self.create_namespace(name, labels={"proxy-test": name})
        self.create_imps(name, {"secret": {"name": "pull"},
                                "namespaces": {"labels": [{"matchLabels": {"proxy-test": name}}]}})
        self.wait_secret(name, "pull")

    def assert_everything_through_proxy(self):
        connects = self.proxy.connects()
        self.assertTrue(connects, "no CONNECT reached the proxy")
        self.assertEqual(set(connects), {self.api_authority})
        # Each open watch is one connection, each through its own tunnel.
        watches = len(self.standin.state()["watches"])
        self.assertGreater(watches, 0)
        wait_for(lambda: self.proxy.open_tunnels() >= watches, message=f"{watches} watches tunnelled")

    def test_proxy_url(self):
        # proxy-url wins over HTTPS_PROXY, which would fail every connection here.
        self.start_imps(kubeconfig=self.kubeconfig_with_proxy(self.proxy.url), env={"HTTPS_PROXY": DEAD_PROXY})
        self.serves_new_namespace("via-proxy-url")
        self.assert_everything_through_proxy()

    def test_https_proxy(self):
        self.start_imps(env={"HTTPS_PROXY": self.proxy.url, "NO_PROXY": "example.com"})
        self.serves_new_namespace("via-https-proxy")
        self.assert_everything_through_proxy()

    def test_no_proxy_bypass(self):
        self.start_imps(env={"HTTPS_PROXY": DEAD_PROXY, "NO_PROXY": "10.0.0.0/8, 127.0.0.1"})
        self.serves_new_namespace("no-proxy")

    def test_kubectl_uses_the_proxy_stand_in(self):
        # The stand-in behaves like a real CONNECT proxy for client-go as well.
        path = self.kubeconfig_with_proxy(self.proxy.url)
        out = subprocess.run(["kubectl", "--kubeconfig", path, "get", "namespace", "sources", "-o", "name"],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        self.assertEqual(out.strip(), "namespace/sources")
        self.assertIn(self.api_authority, self.proxy.connects())


if __name__ == "__main__":
    unittest.main()
