"""Protocol-level checks of the Kubernetes API stand-in with raw HTTPS requests.

These pin down the wire behaviours imps' client is tested against (test/standin/README.md),
so a regression in the stand-in cannot silently weaken the controller's tests.
"""

import base64
import gzip
import json
import http.client
import socket
import ssl
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import StandIn, wait_for  # noqa: E402

NS = "/api/v1/namespaces"
IMPS = "/apis/images.banzaicloud.io/v1alpha1/imagepullsecrets"
METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
METADATA_OBJECT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"


def secret(name, labels=None, **fields):
    return {"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "labels": labels or {}}, **fields}


def imps(name, secret_name="pull"):
    return {"apiVersion": "images.banzaicloud.io/v1alpha1", "kind": "ImagePullSecret",
            "metadata": {"name": name},
            "spec": {"registry": {"credentials": []}, "target": {"secret": {"name": secret_name}}},
            "status": {"status": "Ready"}}


class StandInTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.standin = StandIn()
        cls.api = cls.standin.client()

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.standin.stop()

    def create_namespace(self, name, labels=None):
        r = self.api.create(NS, {"metadata": {"name": name, "labels": labels or {}}})
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def events(self, stream, count):
        return [stream.next_event() for _ in range(count)]


class ListTest(StandInTestCase):
    def test_pagination_shares_one_snapshot_rv_and_list_rv_is_no_item_rv(self):
        self.create_namespace("paging")
        for i in range(5):
            self.assertEqual(self.api.create(f"{NS}/paging/secrets", secret(f"s{i}")).status, 201)
        first = self.api.get(f"{NS}/paging/secrets?limit=2").json()
        self.assertEqual(len(first["items"]), 2)
        self.assertEqual(first["metadata"]["remainingItemCount"], 3)
        self.assertNotIn("kind", first["items"][0])
        rv = first["metadata"]["resourceVersion"]
        self.assertNotIn(rv, [i["metadata"]["resourceVersion"] for i in first["items"]])
        self.api.create(f"{NS}/paging/secrets", secret("s9"))
        token, names = first["metadata"]["continue"], [i["metadata"]["name"] for i in first["items"]]
        while token:
            page = self.api.get(f"{NS}/paging/secrets?limit=2&continue={token}").json()
            self.assertEqual(page["metadata"]["resourceVersion"], rv)
            names += [i["metadata"]["name"] for i in page["items"]]
            token = page["metadata"].get("continue")
        self.assertEqual(names, ["s0", "s1", "s2", "s3", "s4"])

    def test_expired_continue_is_http_410(self):
        self.create_namespace("expiry")
        for i in range(3):
            self.api.create(f"{NS}/expiry/secrets", secret(f"s{i}"))
        token = self.api.get(f"{NS}/expiry/secrets?limit=1").json()["metadata"]["continue"]
        self.standin.compact()
        r = self.api.get(f"{NS}/expiry/secrets?limit=1&continue={token}")
        self.assertEqual(r.status, 410)
        self.assertEqual(r.json()["reason"], "Expired")

    def test_ignore_limit_returns_everything_without_continue(self):
        self.standin.settings(ignore_limit=True)
        try:
            page = self.api.get(f"{NS}?limit=1").json()
            self.assertGreater(len(page["items"]), 1)
            self.assertNotIn("continue", page["metadata"])
        finally:
            self.standin.settings(ignore_limit=False)

    def test_label_selector_set_operators_and_absence(self):
        self.create_namespace("sel")
        self.api.create(f"{NS}/sel/secrets", secret("web", {"app": "web", "tier": "front"}))
        self.api.create(f"{NS}/sel/secrets", secret("api", {"app": "api", "legacy": "yes"}))
        self.api.create(f"{NS}/sel/secrets", secret("bare"))

        def names(selector):
            r = self.api.get(f"{NS}/sel/secrets?labelSelector={selector}")
            self.assertEqual(r.status, 200, r.body)
            return sorted(i["metadata"]["name"] for i in r.json()["items"])

        self.assertEqual(names("app+in+(web,api)"), ["api", "web"])
        self.assertEqual(names("app%20notin%20(web)"), ["api", "bare"])
        self.assertEqual(names("!legacy"), ["bare", "web"])
        self.assertEqual(names("app,tier!=front"), ["api"])
        self.assertEqual(self.api.get(f"{NS}/sel/secrets?labelSelector=app+in+(web").status, 400)

    def test_malformed_label_selectors_are_400(self):
        for selector in ["a+in+(b", "a+notin+()", "%3Db", "a%3Db%3Dc", "!", "a+in+b", "a>x",
                         "a,,b", "a+in+(b))", "a%3D" + "x" * 64]:
            with self.subTest(selector=selector):
                r = self.api.get(f"{NS}?labelSelector={selector}")
                self.assertEqual((r.status, r.json()["reason"]), (400, "BadRequest"))

    def test_field_selectors_supported_and_rejected(self):
        self.create_namespace("fields")
        self.api.create(f"{NS}/fields/secrets", secret("tls", type="kubernetes.io/tls",
                                                       data={"tls.crt": "", "tls.key": ""}))
        self.api.create(f"{NS}/fields/secrets", secret("plain"))
        items = self.api.get(f"{NS}/fields/secrets?fieldSelector=type%3Dkubernetes.io/tls").json()["items"]
        self.assertEqual([i["metadata"]["name"] for i in items], ["tls"])
        self.assertEqual(self.api.get(f"{NS}/fields/secrets?fieldSelector=data.x%3Dy").status, 400)

    def test_metadata_only_list_and_wrong_form_is_406(self):
        self.create_namespace("meta")
        r = self.api.get(NS, headers={"Accept": METADATA_LIST})
        doc = r.json()
        self.assertEqual(doc["kind"], "PartialObjectMetadataList")
        self.assertEqual(doc["items"][0]["kind"], "PartialObjectMetadata")
        self.assertNotIn("spec", doc["items"][0])
        self.assertEqual(self.api.get(f"{NS}/meta", headers={"Accept": METADATA_LIST}).status, 406)
        self.assertEqual(self.api.get(NS, headers={"Accept": METADATA_OBJECT}).status, 406)
        single = self.api.get(f"{NS}/meta", headers={"Accept": METADATA_OBJECT}).json()
        self.assertEqual(single["apiVersion"], "meta.k8s.io/v1")


class WatchTest(StandInTestCase):
    def test_watch_without_rv_replays_then_streams(self):
        self.create_namespace("replay")
        stream = self.api.watch(f"{NS}?watch=1&fieldSelector=metadata.name%3Dreplay")
        first = stream.next_event()
        self.assertEqual((first["type"], first["object"]["kind"]), ("ADDED", "Namespace"))
        self.api.patch(f"{NS}/replay", {"metadata": {"labels": {"x": "y"}}})
        self.assertEqual(stream.next_event()["type"], "MODIFIED")
        stream.close()

    def test_watch_from_rv_sends_only_later_events_and_ends_at_timeout(self):
        self.create_namespace("later")
        rv = self.api.get(f"{NS}/later/secrets").json()["metadata"]["resourceVersion"]
        self.api.create(f"{NS}/later/secrets", secret("after"))
        stream = self.api.watch(f"{NS}/later/secrets?watch=true&resourceVersion={rv}&timeoutSeconds=1")
        event = stream.next_event()
        self.assertEqual((event["type"], event["object"]["metadata"]["name"]), ("ADDED", "after"))
        self.assertEqual(event["object"]["apiVersion"], "v1")
        self.assertIsNone(stream.next_event())
        stream.close()

    def test_too_old_rv_is_error_event_inside_http_200(self):
        self.create_namespace("old")
        rv = self.api.get(NS).json()["metadata"]["resourceVersion"]
        self.standin.compact()
        stream = self.api.watch(f"{NS}?watch=1&resourceVersion={rv}")
        self.assertEqual(stream.status, 200)
        event = stream.next_event()
        self.assertEqual(event["type"], "ERROR")
        self.assertEqual((event["object"]["code"], event["object"]["reason"]), (410, "Expired"))
        self.assertIn("too old resource version", event["object"]["message"])
        self.assertIsNone(stream.next_event())
        stream.close()

    def test_history_window_is_bounded(self):
        self.create_namespace("window")
        rv = self.api.get(NS).json()["metadata"]["resourceVersion"]
        self.standin.settings(history_size=3)
        try:
            for i in range(5):
                self.api.create(f"{NS}/window/secrets", secret(f"s{i}"))
            stream = self.api.watch(f"{NS}/window/secrets?watch=1&resourceVersion={rv}")
            self.assertEqual(stream.next_event()["object"]["code"], 410)
            stream.close()
        finally:
            self.standin.settings(history_size=10_000)

    def test_bookmarks_only_when_asked(self):
        self.standin.settings(bookmark_interval=0.2)
        try:
            rv = self.api.get(NS).json()["metadata"]["resourceVersion"]
            stream = self.api.watch(f"{NS}?watch=1&resourceVersion={rv}&allowWatchBookmarks=true")
            event = stream.next_event()
            self.assertEqual(event["type"], "BOOKMARK")
            self.assertEqual(set(event["object"]["metadata"]), {"resourceVersion", "creationTimestamp"})
            stream.close()
            plain = self.api.watch(f"{NS}?watch=1&resourceVersion={rv}&timeoutSeconds=1")
            self.assertIsNone(plain.next_event())
            plain.close()
        finally:
            self.standin.settings(bookmark_interval=60.0)

    def test_leaving_and_entering_a_selector(self):
        self.create_namespace("moves")
        path = f"{NS}/moves/secrets"
        self.api.create(path, secret("s", {"app": "web"}))
        rv = self.api.get(path).json()["metadata"]["resourceVersion"]
        stream = self.api.watch(f"{path}?watch=1&resourceVersion={rv}&labelSelector=app%3Dweb")
        self.api.patch(f"{path}/s", {"metadata": {"labels": {"app": "db"}}})
        left = stream.next_event()
        self.assertEqual(left["type"], "DELETED")
        self.assertEqual(left["object"]["metadata"]["labels"], {"app": "web"})
        self.api.patch(f"{path}/s", {"metadata": {"labels": {"app": "web"}}})
        self.assertEqual(stream.next_event()["type"], "ADDED")
        stream.close()

    def test_one_event_per_write_and_none_for_a_no_op(self):
        self.create_namespace("once")
        rv = self.api.get(f"{NS}/once").json()["metadata"]["resourceVersion"]
        stream = self.api.watch(f"{NS}?watch=1&resourceVersion={rv}&timeoutSeconds=2"
                                "&fieldSelector=metadata.name%3Donce")
        changed = self.api.patch(f"{NS}/once", {"metadata": {"labels": {"a": "b"}}}).json()
        unchanged = self.api.patch(f"{NS}/once", {"metadata": {"labels": {"a": "b"}}}).json()
        self.assertEqual(unchanged["metadata"]["resourceVersion"], changed["metadata"]["resourceVersion"])
        event = stream.next_event()
        self.assertEqual((event["type"], event["object"]["metadata"]["resourceVersion"]),
                         ("MODIFIED", changed["metadata"]["resourceVersion"]))
        self.assertIsNone(stream.next_event())
        stream.close()

    def test_core_event_namespace_must_match_involved_object(self):
        event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"},
                 "involvedObject": {"kind": "ImagePullSecret", "name": "x"}, "reason": "Synced",
                 "type": "Normal", "count": 1}
        self.assertEqual(self.api.create(f"{NS}/default/events", event).status, 201)
        self.assertEqual(self.api.create(f"{NS}/kube-system/events", event).status, 422)
        bumped = self.api.patch(f"{NS}/default/events/e1", {"count": 2},
                                "application/strategic-merge-patch+json").json()
        self.assertEqual(bumped["count"], 2)

    def test_metadata_only_watch(self):
        self.create_namespace("metawatch")
        stream = self.api.watch(f"{NS}?watch=1&labelSelector=kubernetes.io/metadata.name%3Dmetawatch",
                                headers={"Accept": METADATA_OBJECT})
        event = stream.next_event()
        self.assertEqual(event["object"]["kind"], "PartialObjectMetadata")
        stream.close()

    def test_dropped_watch_ends_the_stream(self):
        stream = self.api.watch(f"{NS}?watch=1")
        self.events(stream, 3)
        self.standin.wait_for_watches("namespaces")
        self.standin.drop_watches()
        try:
            while stream.next_event():
                pass
        except (OSError, ValueError, http.client.HTTPException):
            pass  # a cut mid-stream surfaces as an error or as end of data, depending on timing
        wait_for(lambda: not self.standin.state()["watches"], message="watch unregistered")
        stream.close()


    def test_events_straddle_chunks_and_chunks_hold_several_events(self):
        self.standin.seed(template={"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": "chunky-{i}"}}, count=20)
        chunks = raw_chunks(self.standin, f"{NS}?watch=1&timeoutSeconds=1")
        self.assertGreaterEqual(b"".join(chunks).count(b"\n"), 23)
        self.assertTrue(any(not c.endswith(b"\n") for c in chunks), "no event split across chunks")
        self.assertTrue(any(c.count(b"\n") > 1 for c in chunks), "no chunk with several events")

    def test_drop_mid_event_leaves_a_partial_line(self):
        result = {}

        def read():
            try:
                result["chunks"] = raw_chunks(self.standin, f"{NS}?watch=1")
            except (OSError, ValueError) as e:
                result["error"] = e
        reader = threading.Thread(target=read)
        reader.start()
        self.standin.wait_for_watches("namespaces")
        self.standin.drop_watches(mid_event=True)
        reader.join()
        self.assertIn("error", result)  # the body ends without its terminating chunk


def raw_chunks(standin, path):
    """The chunk payloads of one chunked response, read straight off the TLS socket."""
    context = ssl.create_default_context(cafile=standin.ca)
    with socket.create_connection(("127.0.0.1", standin.info["port"]), timeout=10) as plain:
        with context.wrap_socket(plain, server_hostname="127.0.0.1") as tls:
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                        f"{standin.token()}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"chunked" in head.lower(), head
    chunks = []
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return chunks
        chunks.append(body[:size])
        body = body[size + 2:]


class WriteTest(StandInTestCase):
    def test_stale_rv_conflicts_and_each_write_emits_one_event(self):
        ns = self.create_namespace("writes")
        stale = dict(ns, metadata=dict(ns["metadata"], labels={"a": "1"}))
        current = self.api.put(f"{NS}/writes", stale).json()
        self.assertNotEqual(current["metadata"]["resourceVersion"], ns["metadata"]["resourceVersion"])
        r = self.api.put(f"{NS}/writes", stale)
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["reason"], "Conflict")
        self.assertEqual(r.json()["details"]["kind"], "namespaces")

    def test_generate_name_name_mismatch_and_delete_preconditions(self):
        self.create_namespace("names")
        path = f"{NS}/names/secrets"
        generated = self.api.create(path, {"metadata": {"generateName": "gen-"}}).json()
        name = generated["metadata"]["name"]
        self.assertRegex(name, r"^gen-[a-z0-9]{5}$")
        mismatch = dict(generated, metadata=dict(generated["metadata"], name="other"))
        self.assertEqual(self.api.put(f"{path}/{name}", mismatch).status, 400)
        r = self.api.delete(f"{path}/{name}", {"preconditions": {"uid": "not-the-uid"}})
        self.assertEqual(r.status, 409)
        self.assertIn("Precondition failed", r.json()["message"])
        self.assertEqual(self.api.delete(f"{path}/{name}").status, 200)
        self.assertEqual(self.api.delete(f"{path}/{name}").status, 404)

    def test_finalizers_keep_a_deleted_object_until_removed(self):
        self.create_namespace("final")
        path = f"{NS}/final/secrets"
        self.api.create(path, {"metadata": {"name": "kept", "finalizers": ["example.com/hold"]}})
        marked = self.api.delete(f"{path}/kept").json()
        self.assertIn("deletionTimestamp", marked["metadata"])
        self.assertEqual(self.api.get(f"{path}/kept").status, 200)
        self.api.patch(f"{path}/kept", {"metadata": {"finalizers": None}})
        self.assertEqual(self.api.get(f"{path}/kept").status, 404)

    def test_duplicate_create_is_already_exists(self):
        self.create_namespace("dup")
        r = self.api.create(f"{NS}/dup/secrets", secret("x"))
        self.assertEqual(r.status, 201)
        again = self.api.create(f"{NS}/dup/secrets", secret("x"))
        self.assertEqual((again.status, again.json()["reason"]), (409, "AlreadyExists"))
        self.assertEqual(self.api.create(f"{NS}/nope/secrets", secret("x")).status, 404)

    def test_secret_rules(self):
        self.create_namespace("sec")
        path = f"{NS}/sec/secrets"
        created = self.api.create(path, secret("s", stringData={"k": "v"})).json()
        self.assertEqual(base64.b64decode(created["data"]["k"]), b"v")
        self.assertNotIn("stringData", created)
        empty = self.api.create(path, secret("empty")).json()
        self.assertNotIn("data", empty)
        self.assertEqual(self.api.create(path, secret("bad", data={"k": "not base64!"})).status, 400)
        r = self.api.patch(f"{path}/s", {"type": "kubernetes.io/tls"})
        self.assertEqual(r.status, 422)
        self.api.patch(f"{path}/s", {"immutable": True})
        self.assertEqual(self.api.patch(f"{path}/s", {"data": {"k": "eA=="}}).status, 422)
        unconditional = dict(created, metadata={"name": "s", "labels": {"x": "y"}}, immutable=True)
        self.assertEqual(self.api.put(f"{path}/s", unconditional).status, 200)
        deleted = self.api.delete(f"{path}/s").json()
        self.assertEqual((deleted["kind"], deleted["status"]), ("Status", "Success"))

    def test_patch_content_types(self):
        self.create_namespace("patches")
        self.assertEqual(self.api.create(IMPS, imps("p")).status, 201)
        self.assertEqual(self.api.patch(f"{IMPS}/p", {"spec": {}}, "application/json").status, 415)
        self.assertEqual(self.api.patch(f"{IMPS}/p", {"spec": {}},
                                        "application/strategic-merge-patch+json").status, 415)
        r = self.api.patch(f"{NS}/patches", {"metadata": {"labels": {"a": "b"}}},
                           "application/strategic-merge-patch+json")
        self.assertEqual(r.status, 200)
        self.api.delete(f"{IMPS}/p")

    def test_tables_for_custom_resources_only(self):
        self.api.create(IMPS, imps("tabled"))
        accept = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}
        doc = self.api.get(IMPS, headers=accept).json()
        self.assertEqual(doc["kind"], "Table")
        self.assertEqual(doc["columnDefinitions"][0]["name"], "Name")
        self.assertEqual(doc["rows"][0]["cells"][0], "tabled")
        self.assertEqual(doc["rows"][0]["object"]["kind"], "PartialObjectMetadata")
        self.assertEqual(self.api.get(NS, headers=accept).json()["kind"], "NamespaceList")
        self.api.delete(f"{IMPS}/tabled")

    def test_custom_resource_put_without_rv_is_422_and_status_is_split(self):
        created = self.api.create(IMPS, imps("split")).json()
        self.assertNotIn("status", created)
        self.assertEqual(created["metadata"]["generation"], 1)
        body = dict(created, metadata={"name": "split"})
        r = self.api.put(f"{IMPS}/split", body)
        self.assertEqual((r.status, r.json()["reason"]), (422, "Invalid"))
        status_update = dict(created, status={"status": "Failed"}, spec={"changed": True})
        after = self.api.put(f"{IMPS}/split/status", status_update).json()
        self.assertEqual(after["status"], {"status": "Failed"})
        self.assertEqual(after["spec"], created["spec"])
        self.assertEqual(after["metadata"]["generation"], 1)
        relabelled = self.api.patch(f"{IMPS}/split", {"metadata": {"labels": {"a": "b"}}}).json()
        self.assertEqual(relabelled["metadata"]["generation"], 1)
        respecced = self.api.patch(f"{IMPS}/split", {"spec": {"target": {"secret": {"name": "n"}}},
                                                     "status": None}).json()
        self.assertEqual(respecced["metadata"]["generation"], 2)
        self.assertEqual(respecced["status"], {"status": "Failed"})
        self.api.delete(f"{IMPS}/split")


class LifecycleTest(StandInTestCase):
    def test_namespace_termination(self):
        self.create_namespace("doomed")
        self.api.create(f"{NS}/doomed/secrets", secret("s"))
        rv = self.api.get(NS).json()["metadata"]["resourceVersion"]
        stream = self.api.watch(f"{NS}/doomed/secrets?watch=1&resourceVersion={rv}")
        self.standin.settings(namespace_delay=0.5)
        deleted = self.api.delete(f"{NS}/doomed").json()
        self.assertEqual(deleted["status"]["phase"], "Terminating")
        r = self.api.create(f"{NS}/doomed/secrets", secret("late"))
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["details"]["causes"][0]["reason"], "NamespaceTerminating")
        self.assertEqual(stream.next_event()["type"], "DELETED")
        wait_for(lambda: self.api.get(f"{NS}/doomed").status == 404, message="namespace gone")
        stream.close()

    def test_owner_garbage_collection(self):
        self.create_namespace("gc")
        owner = self.api.create(IMPS, imps("owner")).json()
        ref = {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": "owner",
               "uid": owner["metadata"]["uid"]}
        dependent = secret("owned")
        dependent["metadata"]["ownerReferences"] = [ref]
        self.api.create(f"{NS}/gc/secrets", dependent)
        self.api.create(f"{NS}/gc/secrets", secret("free"))
        self.api.delete(f"{IMPS}/owner")
        wait_for(lambda: self.api.get(f"{NS}/gc/secrets/owned").status == 404, message="GC")
        self.assertEqual(self.api.get(f"{NS}/gc/secrets/free").status, 200)


class EvictionTest(StandInTestCase):
    """EvictionREST's two 429s (pkg/registry/core/pod/storage/eviction.go): a budget whose status
    lags its generation says when to come back (Retry-After: 10, as ErrorNegotiated sets it from
    details.retryAfterSeconds); a spent budget does not (retryAfterSeconds 0, no header)."""

    PODS = f"{NS}/evict/pods"
    PDBS = "/apis/policy/v1/namespaces/evict/poddisruptionbudgets"

    def evict(self, pod):
        return self.api.create(f"{self.PODS}/{pod}/eviction", {
            "apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod}})

    def set_budget_status(self, **status):
        pdb = self.api.get(f"{self.PDBS}/web").json()
        r = self.api.put(f"{self.PDBS}/web/status", dict(pdb, status=status))
        self.assertEqual(r.status, 200, r.body)

    def test_budget_refusals_and_their_retry_after(self):
        self.create_namespace("evict")
        pod = self.api.create(self.PODS, {"metadata": {"name": "serving", "labels": {"app": "web"}},
                                          "spec": {"containers": [{"name": "c", "image": "registry.example/web"}]}})
        self.assertEqual(pod.status, 201, pod.body)
        self.api.put(f"{self.PODS}/serving/status", dict(pod.json(), status={
            "phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}))
        created = self.api.create(self.PDBS, {"metadata": {"name": "web"}, "status": {"disruptionsAllowed": 5},
                                              "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}})
        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(created.json()["metadata"]["generation"], 1)  # PrepareForCreate
        self.assertNotIn("disruptionsAllowed", created.json().get("status") or {})  # create cannot set status

        # No disruption controller has observed the budget yet.
        self.set_budget_status(disruptionsAllowed=0, currentHealthy=1, desiredHealthy=1)
        lagging = self.evict("serving")
        self.assertEqual((lagging.status, lagging.headers["Retry-After"]), (429, "10"), lagging.body)
        body = lagging.json()
        self.assertEqual((body["reason"], body["details"]["retryAfterSeconds"]), ("TooManyRequests", 10))
        self.assertEqual(body["details"]["causes"], [{"reason": "DisruptionBudget", "message":
                         "The disruption budget web is still being processed by the server."}])

        self.set_budget_status(observedGeneration=1, disruptionsAllowed=0, currentHealthy=1, desiredHealthy=1)
        spent = self.evict("serving")
        self.assertEqual(spent.status, 429, spent.body)
        self.assertIsNone(spent.headers.get("Retry-After"))
        self.assertNotIn("retryAfterSeconds", spent.json()["details"])
        self.assertEqual(spent.json()["details"]["causes"][0]["message"],
                         "The disruption budget web needs 1 healthy pods and has 1 currently")

        # A spec change is a new generation for the controller to observe; a status write is not.
        self.set_budget_status(observedGeneration=1, disruptionsAllowed=1, currentHealthy=2, desiredHealthy=1)
        self.assertEqual(self.api.get(f"{self.PDBS}/web").json()["metadata"]["generation"], 1)
        patched = self.api.patch(f"{self.PDBS}/web", {"spec": {"minAvailable": 2}})
        self.assertEqual(patched.json()["metadata"]["generation"], 2)
        self.assertEqual(self.evict("serving").headers["Retry-After"], "10")
        self.set_budget_status(observedGeneration=2, disruptionsAllowed=1, currentHealthy=3, desiredHealthy=2)
        self.assertEqual(self.evict("serving").status, 201)
        self.assertEqual(self.api.get(f"{self.PODS}/serving").status, 404)


class AuthAndFaultTest(StandInTestCase):
    def test_token_rotation_makes_old_token_401(self):
        old = self.standin.client()
        self.assertEqual(old.get(NS).status, 200)
        new_token = self.standin.rotate_token()
        r = old.get(NS)
        self.assertEqual((r.status, r.json()["reason"]), (401, "Unauthorized"))
        self.assertEqual(self.standin.client(token=new_token).get(NS).status, 200)
        self.assertEqual(self.standin.client(cert=True).get(NS).status, 200)
        type(self).api = self.standin.client()

    def test_apf_429_is_text_plain_with_retry_after(self):
        self.standin.fail_next(1, mode="apf429", verb="list")
        r = self.api.get(NS)
        self.assertEqual(r.status, 429)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"))
        self.assertEqual(r.headers["Retry-After"], "1")
        self.assertEqual(self.api.get(NS).status, 200)

    def test_status_500_and_counters(self):
        self.standin.reset_counts()
        self.standin.fail_next(2, code=500, path="/api/v1/namespaces")
        self.assertEqual(self.api.get(NS).status, 500)
        self.assertEqual(self.api.get(f"{NS}/default").json()["reason"], "InternalError")
        self.assertEqual(self.api.get(NS).status, 200)
        counts = self.standin.counts()
        self.assertEqual(counts["byVerb"], {"list": 2, "get": 1})
        self.assertEqual(counts["byResource"]["list namespaces"], 2)

    def test_malformed_responses(self):
        self.standin.fail_next(1, mode="nonjson", verb="list")
        r = self.api.get(NS)
        self.assertEqual(r.status, 200)
        self.assertRaises(ValueError, r.json)
        self.standin.fail_next(1, mode="malformed", verb="list")
        self.assertRaises(ValueError, self.api.get(NS).json)
        self.standin.fail_next(1, mode="html", code=503, verb="get")
        r = self.api.get(f"{NS}/default")
        self.assertEqual((r.status, r.headers["Content-Type"]), (503, "text/html"))
        self.standin.fail_next(1, mode="oversized", size=3 * 1024 * 1024, verb="list")
        self.assertGreater(len(self.api.get(NS).body), 3 * 1024 * 1024)
        for mode in ("truncated", "drop"):
            self.standin.fail_next(1, mode=mode, verb="list")
            connection = self.standin.client()._connect()
            connection.request("GET", NS, headers={"Authorization": f"Bearer {self.standin.token()}"})
            with self.assertRaises((http.client.HTTPException, OSError)):
                connection.getresponse().read()
            connection.close()

    def test_gzip_above_threshold_when_accepted(self):
        self.standin.settings(gzip_min_bytes=1)
        try:
            r = self.api.get(NS, headers={"Accept-Encoding": "gzip"})
            self.assertEqual(r.headers["Content-Encoding"], "gzip")
            self.assertEqual(json.loads(gzip.decompress(r.body))["kind"], "NamespaceList")
            self.assertIsNone(self.api.get(NS).headers["Content-Encoding"])
        finally:
            self.standin.settings(gzip_min_bytes=128 * 1024)

    def test_racing_lease_creates_one_wins(self):
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "leader"},
                 "spec": {"holderIdentity": "a", "renewTime": "2024-05-01T12:03:10.654321Z"}}
        path = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
        results = []
        threads = [threading.Thread(target=lambda: results.append(self.standin.client().create(path, lease)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(r.status for r in results), [201, 409, 409, 409])
        stored = self.api.get(f"{path}/leader").json()
        self.assertEqual(stored["spec"]["renewTime"], "2024-05-01T12:03:10.654321Z")

    def test_restart_refuses_then_serves_the_same_state(self):
        before = self.api.get(f"{NS}/default").json()
        self.standin.restart(down_seconds=0.5)

        def refused():
            try:
                self.standin.client().get(NS)
                return False
            except OSError:
                return True
        wait_for(refused, message="connections refused during restart")
        wait_for(lambda: not refused(), message="server back after restart")
        self.assertEqual(self.standin.client().get(f"{NS}/default").json(), before)

    def test_seed_creates_objects_without_http(self):
        self.standin.seed(template={"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": "bulk-{i}"}}, count=50)
        names = [i["metadata"]["name"] for i in self.api.get(NS).json()["items"]]
        self.assertEqual(sum(n.startswith("bulk-") for n in names), 50)


if __name__ == "__main__":
    unittest.main()
