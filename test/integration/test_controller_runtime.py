"""The foundation's runtime behaviour, observed through the controller: list+watch sees later
changes, a dropped watch resumes without a relist, an expired resourceVersion relists, a server
restart reconnects, a rotated token is used, 500s and 429s are retried (writes throttled in some
namespaces never block the others), malformed and oversized
answers are rejected without a crash, and probes/metrics answer."""

import unittest
import urllib.request

from harness import wait_for
from controller_fixture import ControllerCase, dockerconfig


class RuntimeTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_dropped_watch_resumes_without_relist")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("a.io"))

    def imps_count(self, verb):
        return sum(1 for r in self.standin.counts()["requests"]
                   if r["userAgent"].startswith("imps/") and r["verb"] == verb)

    def labelled_target(self, name):
        self.create_imps(name, {"secret": {"name": f"pull-{name}"},
                                "namespaces": {"labels": [{"matchLabels": {"runtime": name}}]}})

    def expect_served(self, name, ns, timeout=15):
        self.create_namespace(ns, labels={"runtime": name})
        self.wait_secret(ns, f"pull-{name}", timeout=timeout)

    def watches_open(self):
        return len(self.standin.state()["watches"])

    def bookmarks_seen(self):
        seen = {}
        for line in self.imps.log_lines():
            if line.get("msg") == "watch event" and line.get("type") == "BOOKMARK":
                seen[line["resource"]] = seen.get(line["resource"], 0) + 1
        return seen

    def test_dropped_watch_resumes_without_relist(self):
        # A watch that ends within a second and without events is treated as failed and relisted
        # (client-go's short-watch rule): let every watch receive bookmarks before dropping them.
        self.standin.settings(bookmark_interval=0.1)
        self.addCleanup(self.standin.settings, bookmark_interval=60.0)
        self.labelled_target("drop")
        self.start_imps("--log-level=debug")
        self.standin.wait_for_watches("pods")
        open_before = self.watches_open()
        wait_for(lambda: all(self.bookmarks_seen().get(r, 0) >= 3 for r in
                             ("imagepullsecrets", "namespaces", "pods")) and
                 self.bookmarks_seen().get("secrets", 0) >= 6, message="bookmarks on every watch")
        self.standin.reset_counts()
        self.standin.drop_watches()
        wait_for(lambda: self.imps_count("watch") >= open_before, message="watches re-opened")
        self.expect_served("drop", "drop-a")
        self.assertEqual(self.imps_count("list"), 0)

    def test_expired_resource_version_relists(self):
        self.labelled_target("expired")
        self.start_imps()
        self.standin.wait_for_watches("pods")
        self.create_namespace("expired-noise")  # moves the revision on, so compaction expires imps' RVs
        self.standin.reset_counts()
        self.standin.compact()
        self.standin.drop_watches()
        wait_for(lambda: self.imps_count("list") >= 1, timeout=15, message="a relist")
        self.expect_served("expired", "expired-a")

    def test_server_restart_reconnects(self):
        self.labelled_target("restart")
        self.start_imps()
        self.standin.restart(down_seconds=1.0)
        self.imps.wait_for_log(lambda l: l.get("msg") in ("watch failed", "watch error event"), timeout=15,
                               message="imps to notice the restart")

        def create_when_back():
            # A create whose response the restart cut off may have been stored, and the client's
            # retry then finds it: 409 here can only be our own namespace (the name is unique).
            try:
                response = self.api.create("/api/v1/namespaces", {
                    "apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": "restart-a", "labels": {"runtime": "restart"}}})
            except ConnectionError:
                return False
            self.check(response, 200, 201, 409)
            return True
        wait_for(create_when_back, timeout=20, message="the stand-in back")
        self.wait_secret("restart-a", "pull-restart", timeout=30)

    def test_rotated_token_is_used(self):
        self.labelled_target("token")
        self.start_imps()
        self.standin.rotate_token()
        self.api.token = self.standin.token()
        self.standin.drop_watches()  # the next requests must carry the new token
        self.expect_served("token", "token-a", timeout=20)

    def test_server_errors_and_throttling_are_retried(self):
        self.labelled_target("retry")
        self.start_imps()
        self.standin.fail_next(2, code=500, verb="create", path="/secrets")
        self.expect_served("retry", "retry-a", timeout=20)
        self.standin.fail_next(2, mode="apf429", verb="create", path="/secrets")
        self.expect_served("retry", "retry-b", timeout=20)

    def test_writes_throttled_in_some_namespaces_leave_the_others_unblocked(self):
        # APF (or a webhook) throttling one set of namespaces' writes with 429 + Retry-After: the
        # throttled writes wait out the delay without holding the client's 4 write places.
        self.labelled_target("apf")
        self.standin.fail_next(1000, code=429, retry_after=30, verb="create", path="/namespaces/apf-a")
        self.addCleanup(self.standin.admin, "DELETE", "/faults")
        throttled = [f"apf-a{i}" for i in range(4)]
        others = [f"apf-b{i}" for i in range(4)]
        for ns in throttled + others:
            self.create_namespace(ns, labels={"runtime": "apf"})
        self.standin.reset_counts()
        self.start_imps()
        for ns in others:
            self.wait_secret(ns, "pull-apf", timeout=15)
        creates = [r["path"] for r in self.standin.counts()["requests"]
                   if r["userAgent"].startswith("imps/") and r["verb"] == "create" and "/secrets" in r["path"]]
        # Each throttled write was sent once and now waits out its 30 s; none got through.
        self.assertEqual(sorted(p for p in creates if "/apf-a" in p),
                         sorted(f"/api/v1/namespaces/{ns}/secrets" for ns in throttled))
        for ns in throttled:
            self.assertIsNone(self.secret(ns, "pull-apf"))

    def test_malformed_and_oversized_answers_are_survived(self):
        self.labelled_target("bad")
        self.standin.fail_next(1, mode="malformed", verb="list", path="/namespaces")
        self.standin.fail_next(1, mode="oversized", verb="list", path="/secrets")
        self.standin.fail_next(1, mode="nonjson", verb="list", path="/pods")
        self.start_imps(wait_ready=False)
        self.imps.wait_for_log(lambda l: l.get("msg") == "initial sync complete", timeout=40, message="sync")
        self.assertIsNone(self.imps.process.poll())
        self.expect_served("bad", "bad-a")

    def test_probes_and_metrics(self):
        self.labelled_target("probes")
        self.start_imps()
        ports = {l["server"]: int(l["port"]) for l in self.imps.log_lines() if l.get("msg") == "listening"}

        def get(port, path):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status, response.read().decode()

        self.assertEqual(get(ports["health"], "/healthz")[0], 200)
        wait_for(lambda: get(ports["health"], "/readyz")[0] == 200, message="readyz")
        self.expect_served("probes", "probes-a")
        status, body = get(ports["metrics"], "/metrics")
        self.assertEqual(status, 200)
        for series in ('imps_reconciles_total{result="success"}', "imps_reconcile_duration_seconds_bucket",
                       "imps_managed_secrets", 'imps_api_requests_total{verb="list",code="200"}',
                       'imps_watch_restarts_total{resource="pods"}', 'imps_relists_total{resource="namespaces"}',
                       "imps_build_info{version="):
            self.assertIn(series, body)


if __name__ == "__main__":
    unittest.main()
