"""The admin API: plain HTTP on a loopback port of its own, for tests to steer the stand-in.

  GET  /healthz                     "ok"
  GET  /state                       current RV, compacted RV, open watches
  GET  /counts    POST /counts/reset request counters (see faults.Faults)
  POST /faults    {mode, count, code, verb, path, size, retry_after}   DELETE /faults
  POST /drop-watches {mid_event?}    cut every open watch connection (optionally mid-event)
  POST /restart   {down_seconds}     connections cut, port refuses for a while, state kept
  POST /compact                      forget history: older RVs get 410 / ERROR 410
  POST /token     {token?}           rotate the valid bearer token (written to the token file)
  GET  /settings  POST /settings {...}  see settings.Settings
  POST /seed      {objects: [...]} or {template: {...}, count: N}  bulk create, "{i}" in names
  POST /writes    {since, resource?}  server-side timestamps of store writes (write_log.py)
Kept apart from the API port so that nothing a client does can reach it by accident.
"""

import gc
import json
import os
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from status import ApiError
from write_log import WriteLog


class AdminHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _reply(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else {}

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        route = getattr(self.server.admin, f"{method.lower()}_{self.path.strip('/').replace('-', '_').replace('/', '_')}", None)
        try:
            body = self._body()
            if route is None:
                return self._reply(404, {"error": f"no admin route {method} {self.path}"})
            self._reply(200, route(body))
        except ApiError as e:
            self._reply(e.code, e.status())
        except (ValueError, TypeError, KeyError) as e:
            self._reply(400, {"error": str(e)})


class Admin:
    def __init__(self, frontend, token_file):
        self.frontend = frontend
        self.api = frontend.api
        self.token_file = token_file
        self.write_log = WriteLog(self.api.store)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), AdminHandler)
        self.server.daemon_threads = True
        self.server.admin = self
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, name="admin", daemon=True).start()

    def get_healthz(self, _):
        return "ok"

    def get_state(self, _):
        store = self.api.store
        with store.lock:
            watches = [{"resource": w.resource.plural, "namespace": w.namespace}
                       for w in store.watchers()]
            return {"resourceVersion": str(store.current_rv), "compactedResourceVersion":
                    str(store.compacted_rv), "watches": watches}

    def get_counts(self, _):
        return self.frontend.faults.snapshot()

    def post_counts_reset(self, _):
        self.frontend.faults.reset()
        return {}

    def post_faults(self, spec):
        self.frontend.faults.arm(spec)
        return {}

    def delete_faults(self, _):
        self.frontend.faults.clear()
        return {}

    def post_drop_watches(self, body):
        self.frontend.drop_watches(bool(body.get("mid_event")))
        return {}

    def post_restart(self, body):
        down = float(body.get("down_seconds", 1.0))
        threading.Thread(target=self.frontend.restart, args=(down,), daemon=True).start()
        return {}

    def post_compact(self, _):
        self.api.store.compact()
        return {"compactedResourceVersion": str(self.api.store.compacted_rv)}

    def post_token(self, body):
        token = body.get("token") or secrets.token_urlsafe(32)
        write_token(self.token_file, token)
        return {"token": token}

    def get_settings(self, _):
        return self.frontend.settings.as_dict()

    def post_settings(self, values):
        if "history_size" in values:
            self.api.store.set_history_size(int(values.pop("history_size")))
        unknown = self.frontend.settings.update(values)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        return self.frontend.settings.as_dict()

    def post_seed(self, body):
        objects = body.get("objects") or []
        template = body.get("template")
        if template:
            text = json.dumps(template)
            objects = objects + [json.loads(text.replace("{i}", str(i))) for i in range(int(body["count"]))]
        created = 0
        for obj in objects:
            t, namespace = self._type_of(obj)
            self.api.create(t, namespace, obj, private=True)  # freshly decoded, nobody else holds it
            created += 1
        # Seeded objects live as long as the run: moving them out of the cyclic GC's reach keeps
        # every later collection from re-walking a benchmark's millions of small dicts.
        gc.freeze()
        return {"created": created, "resourceVersion": str(self.api.store.current_rv)}

    def post_writes(self, body):
        records, last = self.write_log.since(int(body.get("since", 0)), body.get("resource"))
        return {"writes": records, "last": last}

    def _type_of(self, obj):
        with self.api.store.lock:
            t = self.api.registry.by_kind(obj["apiVersion"], obj["kind"])
        if t is not None:
            return t, obj["metadata"].get("namespace", "") if t.namespaced else ""
        raise ValueError(f"unknown kind {obj['apiVersion']}/{obj['kind']}")

    def stop(self):
        self.server.shutdown()


def write_token(path, token):
    """Replaces the token file atomically, as the kubelet swaps projected token files."""
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        f.write(token)
    os.replace(temporary, path)
