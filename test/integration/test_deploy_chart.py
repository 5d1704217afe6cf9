"""deploy/charts/imagepullsecrets, rendered by scripts/render_chart.py (Helm is not installable
here): its default rendering is the same set of objects as deploy/manifests/install.yaml (parsed
YAML compared, Helm-only labels ignored), its optional parts render valid objects, and the renderer
handles its template subset and rejects anything outside it.
"""

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


def keyed(objects):
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): without_helm_labels(o)
            for o in objects}


def render(**options):
    return documents(render_chart.render_chart(CHART, **options))


class ChartMatchesManifestsTest(unittest.TestCase):
    def test_default_rendering_equals_install_yaml(self):
        with open(INSTALL) as f:
            manifests = [d for d in documents(f.read()) if d["kind"] != "Namespace"]
        rendered = render(release="imps", namespace="imps-system", include_crds=True)
        expected, got = keyed(manifests), keyed(rendered)
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


class ChartOptionsTest(unittest.TestCase):
    def test_everything_enabled(self):
        overrides = [{"replicas": 2, "serviceMonitor": {"enabled": True, "additionalLabels": {"release": "prom"}},
                      "podDisruptionBudget": {"enabled": True},
                      "defaultSecret": {"enabled": True, "stringData": {".dockerconfigjson": '{"auths":{}}'}},
                      "defaultConfig": {"enabled": True, "credentials": [{"name": "more", "namespace": "ops"}],
                                        "namespaces": {"names": ["a", "b"]}},
                      "env": [{"name": "AWS_REGION", "value": "eu-west-1"}],
                      "log": {"level": "debug", "format": "text"},
                      "nodeSelector": {"kubernetes.io/arch": "arm64"},
                      "tolerations": [{"key": "edge", "operator": "Exists"}]}]
        objects = {o["kind"]: o for o in render(namespace="ops", overrides=overrides)}
        self.assertEqual(objects["ServiceMonitor"]["metadata"]["labels"]["release"], "prom")
        self.assertEqual(objects["ServiceMonitor"]["spec"]["endpoints"][0]["port"], "metrics")
        self.assertEqual(objects["PodDisruptionBudget"]["spec"]["minAvailable"], 1)
        self.assertEqual(objects["Secret"]["stringData"], {".dockerconfigjson": '{"auths":{}}'})
        spec = objects["ImagePullSecret"]["spec"]
        self.assertEqual(spec["registry"]["credentials"], [{"name": "imps-default-credentials", "namespace": "ops"},
                                                           {"name": "more", "namespace": "ops"}])
        self.assertEqual(spec["target"], {"secret": {"name": "imps-pull-secret"}, "namespaces": {"names": ["a", "b"]}})
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

    def test_outside_the_subset_is_an_error(self):
        for text in ("{{ range .Values.x }}{{ end }}", "{{ $x := 1 }}", "{{ upper .Values.x }}",
                     "{{ if .Values.x }}never closed", "{{ end }}", "{{ .Values.x ", '{{ include "nope" . }}',
                     "{{ nindent 2 }}", "{{ . | }}"):
            with self.assertRaises(render_chart.TemplateError, msg=text):
                self.render_text(text)


if __name__ == "__main__":
    unittest.main()
