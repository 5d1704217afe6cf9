"""Label and field selectors, parsed as kube-apiserver parses them from a query string.

Label grammar (comma = AND): `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
`k>N`, `k<N`. `!=` and `notin` also match objects without the key. Field selectors accept only
`=`, `==`, `!=` on the fields each resource supports. Syntax errors raise SelectorError, which
the handler turns into HTTP 400. The query decoding (`+` as space) happens before this module.
"""

import re

_KEY = re.compile(r"^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?/)?[a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?$")
_VALUE = re.compile(r"^([a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?)?$")
_TERM = re.compile(r"^\s*(?P<key>[^\s!=<>(),]+)\s*(?P<op>==|=|!=|<|>)\s*(?P<value>[^\s,()]*)\s*$")
_SET_TERM = re.compile(r"^\s*(?P<key>[^\s!=<>(),]+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)\s*$")
_EXISTS = re.compile(r"^\s*(?P<neg>!?)\s*(?P<key>[^\s!=<>(),]+)\s*$")


class SelectorError(ValueError):
    pass


def _split_terms(text):
    """Splits on commas that are not inside parentheses."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise SelectorError(f"unexpected ')' in selector {text!r}")
        elif ch == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    if depth != 0:
        raise SelectorError(f"unbalanced '(' in selector {text!r}")
    terms.append(text[start:])
    return terms


def _check_key(key):
    if not _KEY.match(key) or len(key.split("/")[-1]) > 63:
        raise SelectorError(f"invalid label key {key!r}")


def _check_value(value):
    if not _VALUE.match(value) or len(value) > 63:
        raise SelectorError(f"invalid label value: {value!r}")


def _integer(value):
    try:
        return int(value)
    except ValueError:
        raise SelectorError(f"for 'Gt', 'Lt' operators, the value must be an integer: {value!r}")


class LabelSelector:
    """A parsed label selector; `matches(labels)` takes a dict (None = no labels)."""

    def __init__(self, text):
        self.requirements = []
        if text is None or text.strip() == "":
            return
        for term in _split_terms(text):
            self.requirements.append(self._parse_term(term))

    @staticmethod
    def _parse_term(term):
        if m := _SET_TERM.match(term):
            key = m["key"]
            _check_key(key)
            values = [v.strip() for v in m["values"].split(",")]
            if values == [""]:
                raise SelectorError(f"for 'in', 'notin' operators, values set can't be empty: {term!r}")
            for v in values:
                _check_value(v)
            return (m["op"], key, frozenset(values))
        if m := _TERM.match(term):
            key, op, value = m["key"], m["op"], m["value"]
            _check_key(key)
            if op in ("<", ">"):
                return (op, key, _integer(value))
            _check_value(value)
            return ("!=" if op == "!=" else "=", key, value)
        if m := _EXISTS.match(term):
            _check_key(m["key"])
            return ("!" if m["neg"] else "exists", m["key"], None)
        raise SelectorError(f"unable to parse requirement: {term.strip()!r}")

    def matches(self, labels):
        labels = labels or {}
        for op, key, value in self.requirements:
            present = key in labels
            actual = labels.get(key)
            if op == "=" and actual != value:
                return False
            if op == "!=" and present and actual == value:
                return False
            if op == "in" and actual not in value:
                return False
            if op == "notin" and present and actual in value:
                return False
            if op == "exists" and not present:
                return False
            if op == "!" and present:
                return False
            if op in ("<", ">"):
                try:
                    number = int(actual)
                except (TypeError, ValueError):
                    return False
                if (op == "<" and not number < value) or (op == ">" and not number > value):
                    return False
        return True

    def empty(self):
        return not self.requirements


def _lookup(obj, dotted):
    value = obj
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FieldSelector:
    """A parsed field selector restricted to `supported` dotted field paths."""

    def __init__(self, text, supported, resource):
        self.requirements = []
        if text is None or text.strip() == "":
            return
        for term in text.split(","):
            m = re.match(r"^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$", term)
            if not m:
                raise SelectorError(f"invalid selector: {term!r}; can't understand {term!r}")
            field, op, value = m.groups()
            if field not in supported:
                raise SelectorError(f'field label not supported: {field}'
                                    if resource is None else
                                    f'"{field}" is not a known field selector: only '
                                    f'"{", ".join(sorted(supported))}"')
            self.requirements.append((field, op != "!=", value))

    def matches(self, obj):
        return all((_lookup(obj, field) == value) == equal
                   for field, equal, value in self.requirements)

    def empty(self):
        return not self.requirements
