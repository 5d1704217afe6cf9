"""What imps asked the API server for, kept across a test run for the RBAC check (test_rbac.py).

With `--request-log FILE` every request whose User-Agent starts with "imps/" adds one JSON line
{component, group, resource, verb} to FILE (appended, each distinct line once per stand-in):
`component` is what the User-Agent names after its "(linux/<arch>)" part ("controller",
"refresher"), `resource` is the plural, with "/<subresource>" when the path has one — the terms an
RBAC rule uses. Requests that fail authentication are not seen (they never reach routing).
"""

import json
import threading

AGENT_PREFIX = "imps/"


def rbac_resource(path):
    """(group, "plural[/subresource]") of an API path, or None for discovery and other paths."""
    segments = path.strip("/").split("/")
    if segments[:2] == ["api", "v1"]:
        group, rest = "", segments[2:]
    elif segments[0] == "apis" and len(segments) > 3:
        group, rest = segments[1], segments[3:]
    else:
        return None
    if len(rest) >= 3 and rest[0] == "namespaces":
        rest = rest[2:]  # namespaces/<ns>/<plural>/...: a namespaced resource
    if not rest or not rest[0]:
        return None
    return group, rest[0] + ("/" + rest[2] if len(rest) >= 3 else "")


class RequestLog:
    def __init__(self, path=None):
        self.path = path
        self._lock = threading.Lock()
        self._seen = set()

    def record(self, verb, path, user_agent):
        if not self.path or not user_agent.startswith(AGENT_PREFIX):
            return
        resource = rbac_resource(path)
        if resource is None:
            return
        component = user_agent.rpartition(")")[2].strip()
        entry = (component, resource[0], resource[1], verb)
        with self._lock:
            if entry in self._seen:
                return
            self._seen.add(entry)
            line = json.dumps(dict(zip(("component", "group", "resource", "verb"), entry)), sort_keys=True)
            with open(self.path, "a") as f:
                f.write(line + "\n")
