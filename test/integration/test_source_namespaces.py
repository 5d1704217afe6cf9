"""Source namespaces full of other Secrets: imps watches only its named sources.

Two sources sit beside 200 unrelated 100 KB Secrets (Helm keeps release Secrets like these).
Each source gets its own metadata.name field selector, so no request lists or watches that
namespace's Secrets unfiltered and the other Secrets never reach imps. Before, two sources in
one namespace dropped the selector and listed all 20 MB.
"""

import base64

from harness import wait_for
from controller_fixture import ControllerCase, dockerconfig

OTHERS = 200
OTHER_BYTES = 100 * 1024
# The bound for the peak resident set with the 200 Secrets beside the sources.
MAX_PEAK_KIB = 24 * 1024


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


class SourceNamespaceTest(ControllerCase):
    def test_two_sources_beside_200_large_secrets(self):
        self.create_namespace("helmish")
        blob = base64.b64encode(b"x" * OTHER_BYTES).decode()
        self.standin.seed(template={"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                                    "metadata": {"name": "sh.helm.release.v1.app{i}.v1", "namespace": "helmish"},
                                    "data": {"release": blob}}, count=OTHERS)
        self.create_source("helmish", "one", dockerconfig("one.example.com"))
        self.create_source("helmish", "two", dockerconfig("two.example.com"))
        self.create_namespace("sn-app")
        self.standin.reset_counts()
        self.start_imps()
        self.create_imps("sn", {"secret": {"name": "pull-sn"}, "namespaces": {"names": ["sn-app"]}},
                         credentials=(("helmish", "one"), ("helmish", "two")))
        self.wait_secret("sn-app", "pull-sn")
        self.replace_source("helmish", "two", dockerconfig("three.example.com"))
        self.wait_secret("sn-app", "pull-sn", lambda s: "three.example.com" in str(base64.b64decode(
            s["data"][".dockerconfigjson"])))
        requests = [r for r in self.standin.counts()["requests"]
                    if r["userAgent"].startswith("imps/") and r["path"] == "/api/v1/namespaces/helmish/secrets"]
        self.assertTrue(requests)
        for r in requests:
            self.assertIn("fieldSelector=metadata.name", r["query"], r)
        peak = peak_rss_kib(self.imps.process.pid)
        print(f"\npeak RSS with {OTHERS} × 100 KB Secrets beside two sources: {peak / 1024:.1f} MiB", flush=True)
        self.assertLess(peak, MAX_PEAK_KIB)
