"""deploy/charts/imagepullsecrets, rendered by scripts/render_chart.py (Helm is not installable
here): its default rendering is the same set of objects as deploy/manifests/install.yaml (parsed
YAML compared; names and labels aside, which follow the original chart's), an upgrade of a release
of the original banzaicloud/imps chart with its values keeps every object name, the Deployment's
selector and the default resource, its optional parts render valid objects, and the renderer
handles its template subset and rejects anything outside it.
"""

import copy
import os
import subprocess
import sys
import tempfile
import unittest

import yaml

from harness import PYTHON, ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import render_chart  # noqa: E402

CHART = os.path.join(ROOT, "deploy", "charts", "imagepullsecrets")
INSTALL = os.path.join(ROOT, "deploy", "manifests", "install.yaml")
CRD = os.path.join(ROOT, "deploy", "crds", "images.banzaicloud.io_imagepullsecrets.yaml")
# Labels only a Helm release carries; install.yaml is not a release.
HELM_LABELS = {"helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/version"}


def documents(text):
    return [d for d in yaml.safe_load_all(text) if d]


def without_helm_labels(obj):
    labels = obj.get("metadata", {}).get("labels")
    if labels is not None:
        for key in HELM_LABELS:
            labels.pop(key, None)
    return obj


def by_kind(objects):
    """{kind: object} with what naming decides taken out: names, labels, selectors and the
    references between the objects (install.yaml names objects its own way, the chart the
    original chart's way; both are checked elsewhere)."""
    out = {}
    for original in objects:
        o = copy.deepcopy(original)
        o["metadata"].pop("name")
        o["metadata"].pop("labels", None)
        if o["kind"] == "Deployment":
            o["spec"].pop("selector")
            o["spec"]["template"]["metadata"].pop("labels")
            o["spec"]["template"]["spec"].pop("serviceAccountName")
        elif o["kind"] in ("ClusterRoleBinding", "RoleBinding"):
            o["roleRef"].pop("name")
            for subject in o["subjects"]:
                subject.pop("name")
        elif o["kind"] == "Service":
            o["spec"].pop("selector")
            o["spec"].pop("type", None)
            for port in o["spec"]["ports"]:
                port.pop("name")
        assert o["kind"] not in out, o["kind"]
        out[o["kind"]] = o
    return out


def render(**options):
    return documents(render_chart.render_chart(CHART, **options))


class ChartMatchesManifestsTest(unittest.TestCase):
    def test_default_rendering_equals_install_yaml(self):
        with open(INSTALL) as f:
            manifests = [d for d in documents(f.read()) if d["kind"] != "Namespace"]
        rendered = render(release="imps", namespace="imps-system", include_crds=True)
        expected, got = by_kind(manifests), by_kind(rendered)
        self.assertEqual(sorted(got), sorted(expected))
        for key in expected:
            self.assertEqual(got[key], expected[key], key)

    def test_chart_crd_is_the_crd(self):
        with open(os.path.join(CHART, "crds", os.path.basename(CRD))) as chart_crd, open(CRD) as crd:
            self.assertEqual(chart_crd.read(), crd.read())

    def test_values_keys_of_the_original_chart(self):
        with open(os.path.join(CHART, "values.yaml")) as f:
            values = yaml.safe_load(f)
        for key in ("replicas", "image", "resources", "podSecurityContext", "securityContext", "nodeSelector",
                    "affinity", "tolerations", "serviceMonitor", "podDisruptionBudget", "defaultConfig",
                    "defaultSecret", "env", "log"):
            self.assertIn(key, values)
        self.assertEqual(set(values["image"]), {"repository", "tag", "pullPolicy"})
        self.assertEqual(set(values["log"]), {"level", "format"})


# The original chart's values.yaml (banzaicloud/imps, deploy/charts/imagepullsecrets), as a user's
# existing release holds them.
ORIGINAL_VALUES = {
    "clusterName": "master", "replicas": 1, "istio": {"revision": ""}, "podAnnotations": {},
    "podSecurityContext": {"runAsUser": 65534, "runAsGroup": 65534},
    "securityContext": {"allowPrivilegeEscalation": False},
    "image": {"repository": "ghcr.io/banzaicloud/imagepullsecrets", "tag": "v0.2.6", "pullPolicy": "IfNotPresent"},
    "imagePullSecrets": [], "nodeSelector": {}, "affinity": {}, "tolerations": [],
    "resources": {"requests": {"memory": "100Mi", "cpu": "100m"}, "limits": {"memory": "200Mi", "cpu": "300m"}},
    "service": {"type": "ClusterIP", "port": 8080}, "serviceAccount": {"annotations": {}},
    "serviceMonitor": {"scrapeInterval": "5s", "tlsConfig": {}}, "developmentMode": {"enabled": False},
    "podDisruptionBudget": {"enabled": False}, "log": {}, "env": {},
    "defaultConfig": {"enabled": False, "targetSecretName": "default-secret-name", "namespaces": {},
                      "namespacesWithPods": [], "credentials": []},
    "defaultSecret": {"enabled": False, "stringData": {}, "type": ""},
}

# A typical values file of an EKS install of the original: IRSA, a private image, Istio, Prometheus.
IRSA_VALUES = {
    "fullnameOverride": "imps",
    "image": {"repository": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/imps", "tag": "1.0.0"},
    "imagePullSecrets": [{"name": "ecr-pull"}],
    "podAnnotations": {"sidecar.istio.io/inject": "false"},
    "istio": {"revision": "cp-v115x"},
    "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/imps"}},
    "service": {"type": "NodePort", "port": 9090},
    "serviceMonitor": {"enabled": True, "scrapeInterval": "15s", "tlsConfig": {"insecureSkipVerify": True}},
    "log": {"level": "debug"},
    "defaultConfig": {"enabled": True, "targetSecretName": "ecr-pull-secret",
                      "namespaces": {"labels": [{"matchLabels": {"ecr": "yes"}}]},
                      "credentials": [{"name": "ecr-login", "namespace": "imps-system"}]},
}


class UpgradeFromOriginalChartTest(unittest.TestCase):
    def objects(self, release, values):
        return {(o["kind"], o["metadata"]["name"]): o
                for o in render(release=release, namespace="imps-system", overrides=[values])}

    def test_the_originals_default_values_keep_every_name_and_the_selector(self):
        objects = self.objects("imps", ORIGINAL_VALUES)
        name = "imps-imagepullsecrets-controller"
        self.assertEqual(sorted(objects), sorted((kind, name) for kind in (
            "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment")))
        deployment = objects[("Deployment", name)]
        # Immutable: a different selector would make `helm upgrade` fail.
        self.assertEqual(deployment["spec"]["selector"]["matchLabels"],
                         {"app.kubernetes.io/name": "imagepullsecrets-controller", "app.kubernetes.io/instance": "imps"})
        labels = deployment["metadata"]["labels"]
        self.assertEqual(labels["app"], name)
        self.assertEqual(labels["app.kubernetes.io/component"], "imagepullsecret-controller")
        self.assertEqual(labels["app.kubernetes.io/part-of"], "imagepullsecrets")
        pod = deployment["spec"]["template"]["spec"]
        self.assertEqual(pod["serviceAccountName"], name)
        # The user's values win where they say something; Helm merges our hardening in beside them.
        self.assertEqual(pod["securityContext"]["runAsUser"], 65534)
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        container = pod["containers"][0]
        self.assertIn("--enable-leader-election", container["args"])
        self.assertEqual(container["readinessProbe"]["httpGet"]["path"], "/readyz")  # ours: probes stay
        service = objects[("Service", name)]
        self.assertEqual(service["spec"]["type"], "ClusterIP")
        self.assertEqual(service["spec"]["ports"], [{"name": "http-metrics", "port": 8080, "targetPort": "metrics",
                                                     "protocol": "TCP"}])
        for kind in ("ClusterRoleBinding", "RoleBinding"):
            binding = objects[(kind, name)]
            self.assertEqual(binding["roleRef"]["name"], name)
            self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": name, "namespace": "imps-system"}])

    def test_default_resource_and_secret_keep_the_originals_names(self):
        # Renaming the default ImagePullSecret would delete it, and garbage collection its Secrets.
        objects = self.objects("imps", {**ORIGINAL_VALUES,
                                        "defaultConfig": {**ORIGINAL_VALUES["defaultConfig"], "enabled": True},
                                        "defaultSecret": {"enabled": True, "type": "kubernetes.io/dockerconfigjson",
                                                          "stringData": {".dockerconfigjson": "{}"}}})
        default = objects[("ImagePullSecret", "imps-imagepullsecrets-controller-default")]
        self.assertEqual(default["spec"]["target"]["secret"]["name"], "default-secret-name")
        self.assertEqual(default["spec"]["registry"]["credentials"],
                         [{"name": "imps-imagepullsecrets-controller-default", "namespace": "imps-system"}])
        self.assertIn(("Secret", "imps-imagepullsecrets-controller-default"), objects)

    def test_fullname_rules_of_the_original(self):
        self.assertIn(("Deployment", "imagepullsecrets-controller"), self.objects("imagepullsecrets", {}))
        self.assertIn(("Deployment", "my-imagepullsecrets-1-controller"), self.objects("my-imagepullsecrets-1", {}))
        self.assertIn(("Deployment", "rel-imps2-controller"), self.objects("rel", {"nameOverride": "imps2"}))
        long_release = "r" * 70
        self.assertIn(("Deployment", "r" * 63 + "-controller"), self.objects(long_release, {}))

    def test_irsa_values(self):
        objects = self.objects("whatever", IRSA_VALUES)
        account = objects[("ServiceAccount", "imps-controller")]
        self.assertEqual(account["metadata"]["annotations"],
                         {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/imps"})
        template = objects[("Deployment", "imps-controller")]["spec"]["template"]
        self.assertEqual(template["metadata"]["annotations"],
                         {"sidecar.istio.io/inject": "false", "istio.banzaicloud.io/rev": "cp-v115x"})
        self.assertEqual(template["spec"]["imagePullSecrets"], [{"name": "ecr-pull"}])
        container = template["spec"]["containers"][0]
        self.assertEqual(container["image"], "123456789012.dkr.ecr.eu-west-1.amazonaws.com/imps:1.0.0")
        self.assertIn({"name": "LOG_LEVEL", "value": "debug"}, container["env"])
        service = objects[("Service", "imps-controller")]
        self.assertEqual((service["spec"]["type"], service["spec"]["ports"][0]["port"]), ("NodePort", 9090))
        endpoint = objects[("ServiceMonitor", "imps-controller")]["spec"]["endpoints"][0]
        self.assertEqual(endpoint, {"port": "http-metrics", "path": "/metrics", "interval": "15s",
                                    "tlsConfig": {"insecureSkipVerify": True}})
        default = objects[("ImagePullSecret", "imps-controller-default")]["spec"]
        self.assertEqual(default["target"]["secret"]["name"], "ecr-pull-secret")
        self.assertEqual(default["registry"]["credentials"], [{"name": "ecr-login", "namespace": "imps-system"}])


class ChartOptionsTest(unittest.TestCase):
    def test_everything_enabled(self):
        overrides = [{"replicas": 2, "serviceMonitor": {"enabled": True, "additionalLabels": {"release": "prom"}},
                      "podDisruptionBudget": {"enabled": True},
                      "defaultSecret": {"enabled": True, "stringData": {".dockerconfigjson": '{"auths":{}}'}},
                      "defaultConfig": {"enabled": True, "credentials": [{"name": "more", "namespace": "ops"}],
                                        "namespaces": {"names": ["a", "b"]},
                                        "serviceAccounts": {"names": ["default"], "restartStuckPods": True}},
                      "restartStuckPods": {"enabled": True},
                      "env": [{"name": "AWS_REGION", "value": "eu-west-1"}],
                      "log": {"level": "debug", "format": "text"},
                      "nodeSelector": {"kubernetes.io/arch": "arm64"},
                      "tolerations": [{"key": "edge", "operator": "Exists"}]}]
        objects = {o["kind"]: o for o in render(namespace="ops", overrides=overrides)}
        self.assertEqual(objects["ServiceMonitor"]["metadata"]["labels"]["release"], "prom")
        self.assertEqual(objects["ServiceMonitor"]["spec"]["endpoints"][0]["port"], "http-metrics")
        self.assertEqual(objects["ServiceMonitor"]["spec"]["endpoints"][0]["interval"], "30s")
        self.assertEqual(objects["PodDisruptionBudget"]["spec"]["minAvailable"], 1)
        self.assertEqual(objects["Secret"]["stringData"], {".dockerconfigjson": '{"auths":{}}'})
        spec = objects["ImagePullSecret"]["spec"]
        self.assertEqual(spec["registry"]["credentials"],
                         [{"name": "imps-imagepullsecrets-controller-default", "namespace": "ops"},
                          {"name": "more", "namespace": "ops"}])
        self.assertEqual(spec["target"], {"secret": {"name": "default-secret-name"},
                                          "namespaces": {"names": ["a", "b"]},
                                          "serviceAccounts": {"names": ["default"], "restartStuckPods": True}})
        eviction = [r for r in objects["ClusterRole"]["rules"] if r["resources"] == ["pods/eviction"]]
        self.assertEqual(eviction, [{"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]}])
        deployment = objects["Deployment"]
        self.assertEqual(deployment["spec"]["replicas"], 2)
        pod = deployment["spec"]["template"]["spec"]
        self.assertEqual(pod["nodeSelector"], {"kubernetes.io/arch": "arm64"})
        self.assertEqual(pod["tolerations"], [{"key": "edge", "operator": "Exists"}])
        self.assertEqual(pod["containers"][0]["env"], [{"name": "LOG_LEVEL", "value": "debug"},
                                                       {"name": "LOG_FORMAT", "value": "text"},
                                                       {"name": "AWS_REGION", "value": "eu-west-1"}])

    def test_command_line_set_and_values_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as values:
            values.write("image:\n  tag: '9.9'\n")
            values.flush()
            result = subprocess.run([PYTHON, os.path.join(ROOT, "scripts", "render_chart.py"), CHART,
                                     "--namespace", "x", "-f", values.name, "--set", "image.pullPolicy=Always"],
                                    capture_output=True, text=True, check=True)
        (deployment,) = [d for d in documents(result.stdout) if d["kind"] == "Deployment"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["image"], "ghcr.io/imps-project/imps:9.9")
        self.assertEqual(container["imagePullPolicy"], "Always")


class RendererSubsetTest(unittest.TestCase):
    def render_text(self, text, values=None, defines=None):
        defines = {} if defines is None else defines
        nodes = render_chart.parse(render_chart.tokenize(text, "t"), "t", defines)[0]
        root = {"Values": values or {}, "Release": {"Name": "r", "Namespace": "n", "Service": "Helm"},
                "Chart": {"Name": "c", "Version": "1", "AppVersion": "1"}}
        return render_chart.Renderer(root, defines, "t").render(nodes, root)

    def test_trim_markers_and_comments(self):
        self.assertEqual(self.render_text("a  {{- .Release.Name -}}  b {{/* gone */}}c"), "arb c")

    def test_if_else_with_go_truthiness(self):
        template = "{{ if .Values.x }}yes{{ else }}no{{ end }}"
        for value, expected in ((True, "yes"), ("s", "yes"), ([0], "yes"), (0, "no"), ("", "no"), ({}, "no"),
                                ([], "no"), (None, "no"), (False, "no")):
            self.assertEqual(self.render_text(template, {"x": value}), expected, value)

    def test_with_rebinds_dot_and_skips_empty(self):
        template = "{{ with .Values.m }}{{ .k }}{{ end }}|{{ with .Values.none }}x{{ end }}"
        self.assertEqual(self.render_text(template, {"m": {"k": "v"}}), "v|")

    def test_functions(self):
        values = {"m": {"b": 1, "a": [1, 2]}, "s": 'q"'}
        self.assertEqual(self.render_text("{{ toYaml .Values.m | nindent 2 }}", values), "\n  a:\n  - 1\n  - 2\n  b: 1")
        self.assertEqual(self.render_text("{{ .Values.s | quote }}", values), '"q\\""')
        self.assertEqual(self.render_text('{{ "ab" | b64enc }}'), "YWI=")
        self.assertEqual(self.render_text('{{ .Values.none | default "d" }}'), "d")
        self.assertEqual(self.render_text('{{ define "x" }}[{{ .Chart.Name }}]{{ end }}{{ include "x" . }}'), "[c]")
        self.assertEqual(self.render_text('{{ printf "%s-%s" .Release.Name .Chart.Name }}'), "r-c")
        self.assertEqual(self.render_text('{{ "abcdef-" | trunc 4 }}|{{ "ab-" | trimSuffix "-" }}'), "abcd|ab")
        self.assertEqual(self.render_text('{{ if contains "c" "abc" }}y{{ end }}{{ if contains "x" "abc" }}n{{ end }}'),
                         "y")
        self.assertEqual(self.render_text('{{ if or .Values.none "b" }}y{{ end }}'), "y")

    def test_else_if_chains(self):
        template = "{{ if .Values.a }}A{{ else if .Values.b }}B{{ else if .Values.c }}C{{ else }}D{{ end }}!"
        for values, expected in (({"a": 1}, "A!"), ({"b": 1}, "B!"), ({"c": 1}, "C!"), ({}, "D!")):
            self.assertEqual(self.render_text(template, values), expected, values)

    def test_outside_the_subset_is_an_error(self):
        for text in ("{{ range .Values.x }}{{ end }}", "{{ $x := 1 }}", "{{ upper .Values.x }}",
                     '{{ printf "%d" 1 }}', '{{ printf "%s %s" "a" }}', "{{ if 1 }}{{ else with 2 }}{{ end }}",
                     "{{ if .Values.x }}never closed", "{{ end }}", "{{ .Values.x ", '{{ include "nope" . }}',
                     "{{ nindent 2 }}", "{{ . | }}"):
            with self.assertRaises(render_chart.TemplateError, msg=text):
                self.render_text(text)


if __name__ == "__main__":
    unittest.main()
