#!/usr/bin/python3
"""Renders deploy/charts/imagepullsecrets like `helm template --include-crds` would, for machines
without Helm (Debian ships no helm package) and for tests that keep the chart and
deploy/manifests/install.yaml in step.

    scripts/render_chart.py CHART [--release NAME] [--namespace NS] [-f VALUES.yaml]...
                            [--set a.b=value]... [--include-crds]

It understands exactly the Go-template subset the chart uses, and rejects anything else with an
error naming the file and the action (so a template that would need more is noticed at once):
  - actions `{{ ... }}`, whitespace trimming `{{-` / `-}}`, comments `{{/* ... */}}`;
  - values: `.Values.a.b`, `.Release.Name|Namespace|Service`, `.Chart.Name|Version|AppVersion`,
    `.` and `.x.y` (relative to the current `with` scope), "strings" and integers;
  - pipelines `x | f a b` (the piped value is the last argument, as in Go templates);
  - functions: toYaml, nindent N, indent N, quote, b64enc, default D X, include "name" CTX,
    printf "FMT" A... (%s only), contains SUBSTR S, trunc N S, trimSuffix SUFFIX S, or A B;
  - blocks: `if X` / `else if Y` / `else` / `end`, `with X` / `end` (rebinds `.`; skipped when X is empty),
    `define "name"` / `end` (in templates/_*.tpl, never rendered by themselves).
Truthiness is Go's: false, 0, nil and empty strings, maps and lists are false.
Does not: range, variables, parentheses, comparisons, lookup or any other Sprig function.
"""

import argparse
import base64
import os
import re
import sys

import yaml

ACTION = re.compile(r"{{(-?)\s*(.*?)\s*(-?)}}", re.S)
WORD = re.compile(r'"(?:[^"\\]|\\.)*"|\||[^\s|]+')


class TemplateError(Exception):
    pass


def tokenize(text, source):
    """Splits a template into ("text", s) and ("action", s) tokens, applying trim markers."""
    tokens, position = [], 0
    for match in ACTION.finditer(text):
        before = text[position:match.start()]
        if match.group(1):
            before = before.rstrip()
        tokens.append(("text", before))
        action = match.group(2)
        if not action.startswith("/*"):
            tokens.append(("action", action))
        position = match.end()
        if match.group(3):
            while position < len(text) and text[position].isspace():
                position += 1
    rest = text[position:]
    if "{{" in rest:
        raise TemplateError(f"{source}: unterminated action near {rest[rest.index('{{'):][:40]!r}")
    tokens.append(("text", rest))
    return tokens


def parse(tokens, source, defines, stop=()):
    """Builds a node list up to one of `stop` (none at the top level); returns (nodes, the keyword
    met, the rest of that action: "if X" after an `else if X`)."""
    nodes = []
    while tokens:
        kind, value = tokens.pop(0)
        if kind == "text":
            nodes.append(("text", value))
            continue
        keyword = value.split(None, 1)[0] if value else ""
        argument = value[len(keyword):].strip()
        if keyword and keyword in stop:
            return nodes, keyword, argument
        if keyword in ("end", "else"):
            raise TemplateError(f"{source}: unexpected {{{{ {value} }}}}")
        if keyword == "if":
            nodes.append(parse_if(argument, tokens, source, defines))
        elif keyword == "with":
            nodes.append(("with", argument, parse(tokens, source, defines, ("end",))[0]))
        elif keyword == "define":
            defines[literal(argument, source)] = parse(tokens, source, defines, ("end",))[0]
        elif keyword in ("range", "template", "block") or keyword.startswith("$"):
            raise TemplateError(f"{source}: unsupported action {{{{ {value} }}}}")
        else:
            nodes.append(("output", value))
    if stop:
        raise TemplateError(f"{source}: missing {{{{ end }}}}")
    return nodes, None, ""


def parse_if(condition, tokens, source, defines):
    """An `if` node; `else if Y` chains nest as an if in the else branch, closed by the one `end`."""
    then, met, rest = parse(tokens, source, defines, ("else", "end"))
    if met != "else":
        return ("if", condition, then, [])
    if rest.startswith("if "):
        return ("if", condition, then, [parse_if(rest[3:].strip(), tokens, source, defines)])
    if rest:
        raise TemplateError(f"{source}: unsupported action {{{{ else {rest} }}}}")
    return ("if", condition, then, parse(tokens, source, defines, ("end",))[0])


def literal(word, source):
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return word[1:-1].encode().decode("unicode_escape")
    raise TemplateError(f"{source}: expected a quoted string, got {word!r}")


def truthy(value):
    return value not in (None, False, 0, "") and value != {} and value != []


def to_yaml(value):
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True).rstrip("\n").removesuffix("\n...")


class Renderer:
    def __init__(self, root, defines, source):
        self.root = root        # {"Values":..., "Release":..., "Chart":...}
        self.defines = defines
        self.source = source

    def render(self, nodes, dot):
        out = []
        for node in nodes:
            if node[0] == "text":
                out.append(node[1])
            elif node[0] == "output":
                value = self.pipeline(node[1], dot)
                out.append("" if value is None else str(value))
            elif node[0] == "if":
                branch = node[2] if truthy(self.pipeline(node[1], dot)) else node[3]
                out.append(self.render(branch, dot))
            elif node[0] == "with":
                scope = self.pipeline(node[1], dot)
                if truthy(scope):
                    out.append(self.render(node[2], scope))
        return "".join(out)

    def pipeline(self, text, dot):
        commands, current = [], []
        for word in WORD.findall(text):
            if word == "|":
                commands.append(current)
                current = []
            else:
                current.append(word)
        commands.append(current)
        value, piped = None, False
        for command in commands:
            if not command:
                raise TemplateError(f"{self.source}: empty command in {{{{ {text} }}}}")
            args = [self.operand(w, dot) for w in command[1:]] + ([value] if piped else [])
            value = self.call(command[0], args, dot, text)
            piped = True
        return value

    def operand(self, word, dot):
        if word.startswith('"'):
            return literal(word, self.source)
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        if word == ".":
            return dot
        if word.startswith("."):
            names = word[1:].split(".")
            base = self.root if names[0] in ("Values", "Release", "Chart") else dot
            for name in names:
                base = base.get(name) if isinstance(base, dict) else None
            return base
        raise TemplateError(f"{self.source}: unsupported operand {word!r}")

    def call(self, name, args, dot, text):
        functions = {
            "toYaml": (1, lambda v: to_yaml(v)),
            "nindent": (2, lambda n, s: "\n" + indent(n, s)),
            "indent": (2, indent),
            "quote": (1, lambda v: '"' + ("" if v is None else str(v)).replace("\\", "\\\\").replace('"', '\\"') + '"'),
            "b64enc": (1, lambda v: base64.b64encode(str(v).encode()).decode()),
            "default": (2, lambda fallback, v: v if truthy(v) else fallback),
            "include": (2, self.include),
            "or": (2, lambda a, b: a if truthy(a) else b),
            "contains": (2, lambda part, whole: str(part) in str(whole)),
            "trunc": (2, lambda n, v: str(v)[:n] if n >= 0 else str(v)[n:]),
            "trimSuffix": (2, lambda suffix, v: str(v).removesuffix(suffix)),
        }
        if name == "printf":
            return self.printf(args, text)
        if name in functions:
            arity, function = functions[name]
            if len(args) != arity:
                raise TemplateError(f"{self.source}: {name} takes {arity} arguments in {{{{ {text} }}}}")
            return function(*args)
        if args:
            raise TemplateError(f"{self.source}: unknown function {name!r} in {{{{ {text} }}}}")
        return self.operand(name, dot)

    def printf(self, args, text):
        if not args or not isinstance(args[0], str) or args[0].replace("%s", "").count("%"):
            raise TemplateError(f"{self.source}: printf takes a format with %s only in {{{{ {text} }}}}")
        if args[0].count("%s") != len(args) - 1:
            raise TemplateError(f"{self.source}: printf arguments do not match the format in {{{{ {text} }}}}")
        return args[0] % tuple("" if a is None else str(a) for a in args[1:])

    def include(self, name, scope):
        if name not in self.defines:
            raise TemplateError(f"{self.source}: include of undefined template {name!r}")
        return self.render(self.defines[name], scope)


def indent(count, text):
    pad = " " * count
    return "\n".join(pad + line if line else line for line in str(text).split("\n"))


def merge(base, override):
    """Deep merge of values (maps merge, everything else is replaced), like Helm's -f/--set."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def set_value(path, raw):
    value = yaml.safe_load(raw) if raw else ""
    for name in reversed(path.split(".")):
        value = {name: value}
    return value


def render_chart(chart, release="imps", namespace="default", overrides=(), include_crds=False):
    """Returns the rendered manifest (multi-document YAML) as a string."""
    with open(os.path.join(chart, "Chart.yaml")) as f:
        meta = yaml.safe_load(f)
    with open(os.path.join(chart, "values.yaml")) as f:
        values = yaml.safe_load(f) or {}
    for override in overrides:
        values = merge(values, override)
    root = {"Values": values, "Release": {"Name": release, "Namespace": namespace, "Service": "Helm"},
            "Chart": {"Name": meta["name"], "Version": meta["version"], "AppVersion": meta.get("appVersion", "")}}
    documents = []
    if include_crds and os.path.isdir(os.path.join(chart, "crds")):
        for name in sorted(os.listdir(os.path.join(chart, "crds"))):
            with open(os.path.join(chart, "crds", name)) as f:
                documents.append(f"# Source: {meta['name']}/crds/{name}\n" + f.read().strip("\n"))
    templates = os.path.join(chart, "templates")
    defines, parsed = {}, []
    for name in sorted(os.listdir(templates)):
        source = f"{meta['name']}/templates/{name}"
        with open(os.path.join(templates, name)) as f:
            nodes = parse(tokenize(f.read(), source), source, defines)[0]
        if not name.startswith("_"):
            parsed.append((source, nodes))
    for source, nodes in parsed:
        text = Renderer(root, defines, source).render(nodes, root).strip("\n")
        for part in re.split(r"^---\s*$", text, flags=re.M):
            if part.strip() and yaml.safe_load(part) is not None:
                documents.append(f"# Source: {source}\n" + part.strip("\n"))
    return "---\n" + "\n---\n".join(documents) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chart")
    parser.add_argument("--release", default="imps")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("-f", "--values", action="append", default=[])
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--include-crds", action="store_true")
    options = parser.parse_args()
    overrides = []
    for path in options.values:
        with open(path) as f:
            overrides.append(yaml.safe_load(f) or {})
    for assignment in options.set:
        path, _, raw = assignment.partition("=")
        overrides.append(set_value(path, raw))
    try:
        sys.stdout.write(render_chart(options.chart, options.release, options.namespace, overrides,
                                      options.include_crds))
    except (TemplateError, yaml.YAMLError) as error:
        print(f"render_chart: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
