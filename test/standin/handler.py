"""The HTTP side of the stand-in: routing, authentication, content negotiation, faults, encoding.

One handler instance serves one keep-alive connection (HTTP/1.1). Every API request is counted,
may be answered by an armed fault, and otherwise goes to operations.Api or watch.stream. Errors
are Status objects; 429 from the flow-control layer and the fault modes are the exceptions the
real server (or a proxy in front of it) also makes. Discovery needs authentication; /healthz,
/livez, /readyz and /version do not (as for system:public-info-viewer).
"""

import gzip
import json
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

import eviction
import tables
import watch
from operations import CRDS
from resources import SERVER_VERSION
from kube_selectors import FieldSelector, LabelSelector, SelectorError
from status import ApiError, bad_request, status_object, unknown_resource

# The apiserver rejects request bodies above 3 MiB (etcd's 1.5 MiB object limit plus slack).
MAX_BODY_BYTES = 3 * 1024 * 1024
OVERSIZE_PIECE = 1024 * 1024
PUBLIC_PATHS = {"/healthz": b"ok", "/livez": b"ok", "/readyz": b"ok"}
APF_BODY = b"Too many requests, please try again later.\n"
HTML_BODY = b"<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n"


def negotiate(accept, form, tables=False):
    """'full', 'metadata' or 'table' (only if `tables`) for `form` in (object, list, watch).

    Raises ApiError 406 when no offered media type fits.
    """
    if not accept:
        return "full"
    for media_range in accept.split(","):
        kind, *raw = [p.strip() for p in media_range.split(";")]
        params = dict(p.split("=", 1) for p in raw if "=" in p)
        if kind not in ("application/json", "application/*", "*/*"):
            continue
        transform = params.get("as")
        if transform is None:
            return "full"
        if transform == "Table" and params.get("g") == "meta.k8s.io" and tables:
            return "table"
        if params.get("g") != "meta.k8s.io" or params.get("v") != "v1":
            continue
        if (transform == "PartialObjectMetadataList" and form == "list") or \
                (transform == "PartialObjectMetadata" and form in ("object", "watch")):
            return "metadata"
    raise ApiError(406, "only the following media types are accepted: application/json, "
                        "application/yaml, application/vnd.kubernetes.protobuf")


def parse_resource_path(registry, path):
    """(type, namespace, name, subresource) for a resource URL; ApiError 404 otherwise."""
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif parts[0] == "apis" and len(parts) >= 4:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise unknown_resource()
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] in registry.namespaced_plurals(group, version):
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        raise unknown_resource()
    t = registry.lookup(group, version, rest[0])
    if t is None or (namespace is None and t.namespaced and len(rest) > 1):
        raise unknown_resource()
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None
    if subresource is not None and not ((subresource == "status" and t.status_subresource)
                                        or (subresource == "eviction" and t.eviction)):
        raise unknown_resource()
    return t, namespace, name, subresource


def _strip_list_item(t, obj):
    return obj if t.custom else {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-apiserver"
    sys_version = ""

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # --- responses -------------------------------------------------------------------------

    def _send(self, code, body, content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        if (len(body) >= self.server.settings.gzip_min_bytes
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_error(self, error):
        headers = []
        if error.details and "retryAfterSeconds" in error.details:
            headers.append(("Retry-After", str(error.details["retryAfterSeconds"])))
        self._send(error.code, error.status(), headers=headers)

    def _start_chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def _write_chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def _end_chunked(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _abort_connection(self):
        self.close_connection = True
        self.server.abort(self.request)

    # --- request plumbing ------------------------------------------------------------------

    def _read_body(self):
        self._body_consumed = True
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > MAX_BODY_BYTES:
                    raise ApiError(413, "request entity too large", "RequestEntityTooLarge")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ApiError(413, "request entity too large", "RequestEntityTooLarge")
        return self.rfile.read(length) if length else b""

    def _json_body(self, required=True):
        raw = self._read_body()
        if not raw.strip():
            if required:
                raise bad_request("the body of the request was empty")
            return {}
        try:
            return json.loads(raw)
        except ValueError as e:
            raise bad_request(f"the body of the request could not be decoded as JSON: {e}")

    def _dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if path in PUBLIC_PATHS and method == "GET":
            return self._send(200, PUBLIC_PATHS[path], "text/plain; charset=utf-8")
        if path == "/version" and method == "GET":
            return self._send(200, SERVER_VERSION)
        try:
            if not self.server.authenticate(self):
                raise ApiError(401, "Unauthorized")
            resource = self._route(method, path, query)
        except ApiError as e:
            self._read_body_quietly()
            return self._send_error(e)
        verb, t = resource
        self.server.faults.count(verb, path, t.plural if t else None, url.query,
                                 self.headers.get("User-Agent", ""))
        fault = self.server.faults.take(verb, path)
        if fault is not None:
            self._read_body_quietly()
            return self._apply_fault(fault, t)
        started = time.monotonic()
        try:
            if t is None:
                return self._discovery(path)
            return self._serve(method, verb, path, query)
        except ApiError as e:
            self._read_body_quietly()
            self._send_error(e)
        except SelectorError as e:
            self._send_error(bad_request(str(e)))
        except OSError:
            self.close_connection = True
        except Exception:  # a stand-in bug: answer like the apiserver's panic handler, keep serving
            traceback.print_exc()
            self.close_connection = True
            self._send_error(ApiError(500, "Internal error occurred: stand-in failure, see its stderr"))
        finally:
            if verb != "watch":
                self.server.faults.served(verb, t.plural if t else None, time.monotonic() - started)

    def _read_body_quietly(self):
        """Consumes an unread request body so the keep-alive connection stays in sync."""
        if not getattr(self, "_body_consumed", False):
            try:
                self._read_body()
            except (ApiError, ValueError, OSError):
                self.close_connection = True

    def _route(self, method, path, query):
        """(verb, type or None for discovery) — raises 404/405 for unknown paths."""
        self._body_consumed = False
        if path in ("/api", "/apis") or path.startswith(("/api/v1", "/apis/")):
            segments = path.strip("/").split("/")
            if path in ("/api", "/apis", "/api/v1") or (segments[0] == "apis" and len(segments) <= 3):
                if method != "GET":
                    raise ApiError(405, f"the server does not allow this method on the requested resource")
                return "discovery", None
            t, namespace, name, subresource = parse_resource_path(self.server.api.registry, path)
            if subresource == "eviction":
                if method != "POST":
                    raise ApiError(405, "the server does not allow this method on the requested resource")
                return "create", t
            if method == "GET":
                verb = "get" if name else ("watch" if query.get("watch") in ("1", "true") else "list")
            else:
                verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]
                if (verb == "create") == (name is not None) or (t.namespaced and namespace is None):
                    raise ApiError(405, "the server does not allow this method on the requested resource")
            return verb, t
        raise unknown_resource()

    # --- discovery -------------------------------------------------------------------------

    def _discovery(self, path):
        registry = self.server.api.registry
        segments = path.strip("/").split("/")
        with self.server.api.store.lock:
            if path == "/api":
                port = self.server.server_address[1]
                doc = {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs":
                       [{"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{port}"}]}
            elif path == "/api/v1":
                doc = registry.resource_list("", "v1")
            elif path == "/apis":
                doc = registry.group_list()
            elif len(segments) == 2:
                doc = registry.api_group(segments[1])
            else:
                doc = registry.resource_list(segments[1], segments[2])
        if doc is None:
            raise unknown_resource()
        self._send(200, doc)

    # --- resources -------------------------------------------------------------------------

    def _serve(self, method, verb, path, query):
        api = self.server.api
        t, namespace, name, subresource = parse_resource_path(api.registry, path)
        if verb in ("list", "watch"):
            return self._list_or_watch(verb, t, namespace, query)
        if verb == "get":
            form = negotiate(self.headers.get("Accept"), "object", t.custom)
            obj = api.get(t, namespace, name)
            if form == "table":
                return self._send(200, tables.table(self._columns(t), [obj], query.get("includeObject"),
                                                    {"resourceVersion": obj["metadata"]["resourceVersion"]}))
            return self._send(200, watch.metadata_only(obj) if form == "metadata" else obj)
        if subresource == "eviction":
            return self._send(201, eviction.evict(api, t, namespace, name, self._json_body()))
        if verb == "create":
            body = self._json_body()
            return self._send(201, api.create(t, namespace, body, query.get("dryRun") == "All"))
        if verb == "update":
            return self._send(200, api.replace(t, namespace, name, self._json_body(), subresource))
        if verb == "patch":
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
            obj, created = api.patch(t, namespace, name, content_type, self._json_body(),
                                     subresource, query.get("fieldManager"))
            return self._send(201 if created else 200, obj)
        options = self._json_body(required=False)
        if "propagationPolicy" in query:
            options["propagationPolicy"] = query["propagationPolicy"]
        return self._send(200, api.delete(t, namespace, name, options))

    def _columns(self, t):
        crd = self.server.api.store.get(CRDS, "", f"{t.plural}.{t.group}")
        return tables.printer_columns(crd, t.version)

    def _selectors(self, t, query):
        labels = LabelSelector(query.get("labelSelector"))
        fields = FieldSelector(query.get("fieldSelector"), t.field_selectors, t.plural)
        return labels, fields

    def _list_or_watch(self, verb, t, namespace, query):
        labels, fields = self._selectors(t, query)
        rv, match = query.get("resourceVersion", ""), query.get("resourceVersionMatch")
        if verb == "watch":
            return self._watch(t, namespace, labels, fields, query)
        form = negotiate(self.headers.get("Accept"), "list", t.custom)
        if match and not rv:
            raise ApiError(422, "resourceVersionMatch is forbidden unless resourceVersion is provided")
        if match and query.get("continue"):
            raise ApiError(422, "resourceVersionMatch is forbidden when continue is provided")
        if query.get("continue") and rv not in ("", "0"):
            raise bad_request("specifying resource version is not allowed when using continue")
        try:
            limit = int(query.get("limit") or 0)
        except ValueError:
            raise bad_request(f"invalid limit {query.get('limit')!r}")
        if self.server.settings.ignore_limit:
            limit = 0
        identity = "&".join(f"{k}={query.get(k, '')}" for k in ("labelSelector", "fieldSelector"))
        items, list_rv, token, remaining = self.server.api.list(
            t, namespace, labels, fields, limit, query.get("continue"), f"{t.key}|{namespace}|{identity}")
        meta = {"resourceVersion": str(list_rv)}
        if token:
            meta["continue"] = token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
        if form == "table":
            doc = tables.table(self._columns(t), items, query.get("includeObject"), meta)
        elif form == "metadata":
            doc = {"kind": "PartialObjectMetadataList", "apiVersion": watch.METADATA_API_VERSION,
                   "metadata": meta, "items": [watch.metadata_only(o) for o in items]}
        else:
            doc = {"kind": t.list_kind, "apiVersion": t.api_version, "metadata": meta,
                   "items": [_strip_list_item(t, o) for o in items]}
        self._send(200, doc)

    def _watch(self, t, namespace, labels, fields, query):
        settings = self.server.settings
        form = negotiate(self.headers.get("Accept"), "watch", t.custom)
        if query.get("sendInitialEvents") or query.get("resourceVersionMatch"):
            # Like a server without the WatchList feature: clients fall back to LIST + WATCH.
            raise ApiError(422, "sendInitialEvents and resourceVersionMatch are forbidden for watch "
                                "unless the WatchList feature gate is enabled")
        rv = query.get("resourceVersion", "")
        try:
            since = None if rv in ("", "0") else int(rv)
            timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else \
                self.server.rng.uniform(settings.watch_min_timeout, 2 * settings.watch_min_timeout)
        except ValueError:
            raise bad_request(f"invalid resource version or timeout: {rv!r}")
        table = (self._columns(t), query.get("includeObject")) if form == "table" else None
        watcher = watch.Watcher(t, namespace, labels, fields, form == "metadata", table)
        self._start_chunked()
        try:
            outcome = watch.stream(self.server.api.store, watcher, since, time.monotonic() + timeout,
                                   query.get("allowWatchBookmarks") in ("1", "true"), settings,
                                   self.server.rng, self._write_chunk)
        except OSError:
            self.close_connection = True
            return
        if outcome == "drop":
            self._abort_connection()
        else:
            self._end_chunked()

    # --- faults ----------------------------------------------------------------------------

    def _apply_fault(self, fault, t):
        mode = fault.mode
        if mode == "status":
            error = ApiError(fault.code, f"injected failure (HTTP {fault.code})")
            headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
            return self._send(fault.code, error.status(), headers=headers)
        if mode == "apf429":
            return self._send(429, APF_BODY, "text/plain; charset=utf-8",
                              [("Retry-After", "1"), ("X-Content-Type-Options", "nosniff")])
        if mode == "html":
            return self._send(fault.code if fault.code != 500 else 503, HTML_BODY, "text/html")
        if mode == "nonjson":
            return self._send(200, b"this is not JSON at all\n")
        if mode == "malformed":
            kind = t.list_kind if t else "APIResourceList"
            return self._send(200, b'{"kind":"%s","apiVersion":"v1","metadata":{},"items":[{"metadata":'
                              % kind.encode())
        if mode == "drop":
            return self._abort_connection()
        if mode == "truncated":
            body = json.dumps(status_object(500, "InternalError", "x" * 200)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) * 2))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            return self._abort_connection()
        self._start_chunked()
        try:
            self._write_chunk(b'{"kind":"List","apiVersion":"v1","metadata":{},"items":[],"padding":"')
            sent = 0
            piece = b"x" * OVERSIZE_PIECE
            while sent < fault.size:
                self._write_chunk(piece[:fault.size - sent])
                sent += OVERSIZE_PIECE
            self._write_chunk(b'"}')
            self._end_chunked()
        except OSError:
            self.close_connection = True
