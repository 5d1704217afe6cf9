"""Controller: which namespaces get the Secret — each selector kind alone and ORed, namespaces
created after start, relabels that add then remove, pods that come and go, terminating namespaces."""

import unittest

from controller_fixture import ControllerCase, OWNER_LABEL, decode_secret, dockerconfig

LABELS_ISTIO = {"matchExpressions": [{"key": "istio.io/rev", "operator": "Exists"}]}
ANNOTATIONS_INJECT = {"matchAnnotations": {"sidecar.istio.io/inject": "true"}}


class SelectionTest(ControllerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fixture = cls("test_names")
        fixture.create_namespace("sources")
        fixture.create_source("sources", "docker", dockerconfig("registry.example.com"))

    def test_names(self):
        self.create_namespace("names-a")
        self.create_namespace("names-b")
        imps = self.create_imps("names", {"secret": {"name": "pull-names"}, "namespaces": {"names": ["names-a"]}})
        self.start_imps()
        secret = self.wait_secret("names-a", "pull-names")
        self.assertEqual(secret["type"], "kubernetes.io/dockerconfigjson")
        self.assertEqual(secret["metadata"]["labels"][OWNER_LABEL], imps["metadata"]["uid"])
        owner = secret["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["kind"], owner["name"], owner["uid"]),
                         ("ImagePullSecret", "names", imps["metadata"]["uid"]))
        self.assertIn("registry.example.com", decode_secret(secret)["auths"])
        status = self.wait_managed("names", ["names-a"])
        self.assertEqual(status["status"], "Ready")
        self.assertEqual(status["validitySeconds"], 0)
        self.assertEqual(status["sourceSecretStatus"], {"sources.docker": "Ok"})
        self.assertIsNone(self.secret("names-b", "pull-names"))

    def test_namespace_labels(self):
        self.create_namespace("labels-a", labels={"istio.io/rev": "1-20"})
        self.create_namespace("labels-b")
        self.create_imps("labels", {"secret": {"name": "pull-labels"}, "namespaces": {"labels": [LABELS_ISTIO]}})
        self.start_imps()
        self.wait_managed("labels", ["labels-a"])
        self.assertIsNotNone(self.secret("labels-a", "pull-labels"))
        self.assertIsNone(self.secret("labels-b", "pull-labels"))

    def test_namespace_annotations(self):
        self.create_namespace("annotations-a", annotations={"sidecar.istio.io/inject": "true"})
        self.create_namespace("annotations-b", annotations={"sidecar.istio.io/inject": "false"})
        self.create_imps("annotations", {"secret": {"name": "pull-annotations"},
                                         "namespaces": {"annotations": [ANNOTATIONS_INJECT]}})
        self.start_imps()
        self.wait_managed("annotations", ["annotations-a"])
        self.assertIsNone(self.secret("annotations-b", "pull-annotations"))

    def test_pod_labels_and_last_pod_deleted(self):
        self.create_namespace("podlabels-a")
        self.create_namespace("podlabels-b")
        self.create_pod("podlabels-a", "p1", labels={"app": "mesh"})
        self.create_pod("podlabels-b", "p1", labels={"app": "other"})
        self.create_imps("podlabels", {"secret": {"name": "pull-podlabels"},
                                       "namespacesWithPods": {"labels": [{"matchLabels": {"app": "mesh"}}]}})
        self.start_imps()
        self.wait_managed("podlabels", ["podlabels-a"])
        self.create_pod("podlabels-a", "p2", labels={"app": "mesh"})
        self.delete_pod("podlabels-a", "p1")
        self.create_pod("podlabels-b", "p2", labels={"app": "mesh"})
        self.wait_managed("podlabels", ["podlabels-a", "podlabels-b"])
        self.delete_pod("podlabels-a", "p2")
        self.wait_no_secret("podlabels-a", "pull-podlabels")
        self.wait_managed("podlabels", ["podlabels-b"])

    def test_pod_annotations(self):
        self.create_namespace("podannotations-a")
        self.create_imps("podannotations", {"secret": {"name": "pull-podannotations"},
                                            "namespacesWithPods": {"annotations": [ANNOTATIONS_INJECT]}})
        self.start_imps()
        self.wait_managed("podannotations", [])
        self.create_pod("podannotations-a", "p", annotations={"sidecar.istio.io/inject": "true"})
        self.wait_secret("podannotations-a", "pull-podannotations")
        self.wait_managed("podannotations", ["podannotations-a"])

    def test_selectors_are_ored(self):
        self.create_namespace("or-name")
        self.create_namespace("or-label", labels={"istio.io/rev": "x"})
        self.create_namespace("or-annotation", annotations={"sidecar.istio.io/inject": "true"})
        self.create_namespace("or-pod")
        self.create_namespace("or-none")
        self.create_pod("or-pod", "p", labels={"app": "or"})
        self.create_imps("ored", {"secret": {"name": "pull-or"},
                                  "namespaces": {"names": ["or-name"], "labels": [LABELS_ISTIO],
                                                 "annotations": [ANNOTATIONS_INJECT]},
                                  "namespacesWithPods": {"labels": [{"matchLabels": {"app": "or"}}]}})
        self.start_imps()
        status = self.wait_status("ored", lambda s: {"or-name", "or-label", "or-annotation", "or-pod"}
                                  <= set(s.get("managedNamespaces", [])))
        self.assertNotIn("or-none", status["managedNamespaces"])
        self.assertIsNone(self.secret("or-none", "pull-or"))

    def test_namespace_created_after_start_and_relabel(self):
        self.create_imps("later", {"secret": {"name": "pull-later"},
                                   "namespaces": {"labels": [{"matchLabels": {"team": "later"}}]}})
        self.start_imps()
        self.wait_managed("later", [])
        self.create_namespace("later-a", labels={"team": "later"})
        self.wait_secret("later-a", "pull-later")
        self.create_namespace("later-b")
        self.patch_namespace("later-b", {"metadata": {"labels": {"team": "later"}}})
        self.wait_secret("later-b", "pull-later")
        self.wait_managed("later", ["later-a", "later-b"])
        self.patch_namespace("later-b", {"metadata": {"labels": {"team": None}}})
        self.wait_no_secret("later-b", "pull-later")
        self.wait_managed("later", ["later-a"])

    def test_terminating_namespace_gets_nothing(self):
        self.standin.settings(namespace_delay=60.0)
        try:
            self.create_namespace("terminating-a")
            self.create_namespace("terminating-b")
            self.check(self.api.delete("/api/v1/namespaces/terminating-a"), 200, 202)
            self.create_imps("terminating", {"secret": {"name": "pull-terminating"},
                                             "namespaces": {"names": ["terminating-a", "terminating-b"]}})
            self.start_imps()
            self.wait_managed("terminating", ["terminating-b"])
            self.assertIsNone(self.secret("terminating-a", "pull-terminating"))
        finally:
            self.standin.settings(namespace_delay=0.2)


if __name__ == "__main__":
    unittest.main()
