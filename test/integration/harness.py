"""Shared helpers for integration tests: the Kubernetes API stand-in, an API client, imps.

- StandIn: starts test/standin/kube_api.py in a temporary directory, waits for its ready line,
  and wraps the admin API (fail_next, counts, drop_watches, restart, compact, rotate_token, ...).
- ApiClient: a small HTTPS client (http.client + ssl, keep-alive) with the run's CA and token.
- wait_for: polls a predicate until it holds or a deadline passes (never a fixed sleep).
- Imps: runs build/imps (path from $IMPS_BINARY), collects its JSON-lines stderr, stops it with
  SIGTERM and returns the exit code.
Each test class should own its StandIn so tests never see each other's state.
"""

import http.client
import json
import os
import resource
import select
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STANDIN = os.path.join(ROOT, "test", "standin", "kube_api.py")
PYTHON = "/usr/bin/python3"
# Generating keys and pre-installing the CRD through kubectl takes a few seconds on a busy box.
STARTUP_TIMEOUT = 60.0
DEFAULT_WAIT = 10.0
POLL_INTERVAL = 0.02
# Socket timeout for API calls; watches pass their own.
REQUEST_TIMEOUT = 30.0
PROXY_VARIABLES = ("https_proxy", "http_proxy", "no_proxy", "all_proxy")


# Set by CTest: imps' requests over the whole suite, one file per test file, for test_rbac. The
# file exists as soon as a test file using this harness runs, even if imps asked nothing.
REQUEST_LOG = os.environ.get("IMPS_REQUEST_LOG")
if REQUEST_LOG:
    os.makedirs(os.path.dirname(REQUEST_LOG), exist_ok=True)
    open(REQUEST_LOG, "a").close()


def wait_for(predicate, timeout=DEFAULT_WAIT, message="condition"):
    """Returns the first truthy value of predicate(); raises AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(POLL_INTERVAL)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


class WatchStream:
    """An open watch: iterate events with next_event(timeout); None once the stream ended."""

    def __init__(self, connection, response):
        self.connection = connection
        self.response = response
        self.status = response.status

    def next_event(self, timeout=DEFAULT_WAIT):
        self.connection.sock.settimeout(timeout)
        line = self.response.readline()
        if not line:
            return None
        return json.loads(line)

    def close(self):
        self.connection.close()


class ApiClient:
    def __init__(self, url, ca, token=None, cert=None):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.context = ssl.create_default_context(cafile=ca)
        if cert:
            self.context.load_cert_chain(*cert)
        self.token = token
        self._connection = None
        self._opened = []

    def _connect(self, timeout=REQUEST_TIMEOUT):
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=timeout)
        self._opened.append(connection)
        return connection

    def _headers(self, extra):
        headers = {"Accept": "application/json", "User-Agent": "imps-integration-test"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def request(self, method, path, body=None, headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        all_headers = self._headers(headers)
        if body is not None:
            all_headers["Content-Type"] = content_type
        for attempt in range(2):
            if self._connection is None:
                self._connection = self._connect()
            try:
                self._connection.request(method, path, body=body, headers=all_headers)
                response = self._connection.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._connection.close()
                    self._connection = None
                return Response(response.status, response.headers, data)
            except (http.client.HTTPException, ConnectionError, ssl.SSLError):
                self._connection.close()
                self._connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def create(self, path, obj):
        return self.request("POST", path, obj)

    def put(self, path, obj):
        return self.request("PUT", path, obj)

    def patch(self, path, patch, content_type="application/merge-patch+json"):
        return self.request("PATCH", path, patch, content_type=content_type)

    def delete(self, path, options=None):
        return self.request("DELETE", path, options)

    def watch(self, path, timeout=DEFAULT_WAIT, headers=None):
        """Opens a watch on its own connection; `path` carries the query (watch=1 etc.)."""
        connection = self._connect(timeout)
        connection.request("GET", path, headers=self._headers(headers))
        return WatchStream(connection, connection.getresponse())

    def close(self):
        """Closes every connection this client opened, watches included."""
        for connection in self._opened:
            connection.close()
        self._opened.clear()
        self._connection = None


class StandIn:
    """A running stand-in; use as a context manager or call stop()."""

    def __init__(self, *args):
        self.directory = tempfile.mkdtemp(prefix="imps-standin-")
        if REQUEST_LOG:
            args = (*args, "--request-log", REQUEST_LOG)
        self.process = subprocess.Popen([PYTHON, STANDIN, "--dir", self.directory, *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.info = self._read_ready_line()
        self.url = self.info["url"]
        self.admin_url = self.info["admin_url"]
        self.ca = self.info["ca"]
        self.token_file = self.info["token_file"]
        self.kubeconfig = self.info["kubeconfig"]
        self.cert_kubeconfig = self.info["cert_kubeconfig"]
        self._clients = []

    def _read_ready_line(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], max(remaining, 0))
            if not ready:
                self.stop()
                raise AssertionError("stand-in did not become ready in time")
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                errors = self.process.stderr.read().decode(errors="replace")
                self.stop()
                raise AssertionError(f"stand-in exited during startup: {errors}")
            line += chunk
        return json.loads(line)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for client in getattr(self, "_clients", []):
            client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    # --- clients ---------------------------------------------------------------------------

    def token(self):
        with open(self.token_file) as f:
            return f.read().strip()

    def client(self, token=None, cert=False):
        """An ApiClient with the current token (or the client certificate when cert=True).

        Clients are closed when the stand-in stops, so tests may create them freely.
        """
        if cert:
            client = ApiClient(self.url, self.ca, cert=(self.info["client_cert"], self.info["client_key"]))
        else:
            client = ApiClient(self.url, self.ca, token=token or self.token())
        self._clients.append(client)
        return client

    def kubectl(self, *args, check=True, cert=False):
        """Runs kubectl against this stand-in; returns the CompletedProcess (text)."""
        command = ["kubectl", "--kubeconfig", self.cert_kubeconfig if cert else self.kubeconfig,
                   "--cache-dir", os.path.join(self.directory, "kube-cache"), *args]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)

    # --- admin API -------------------------------------------------------------------------

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return json.loads(response.read())

    def fail_next(self, count=1, mode="status", **match):
        """Arms a fault (see test/standin/faults.py): e.g. fail_next(2, code=500, verb="list")."""
        return self.admin("POST", "/faults", {"mode": mode, "count": count, **match})

    def counts(self):
        return self.admin("GET", "/counts")

    def reset_counts(self):
        return self.admin("POST", "/counts/reset", {})

    def drop_watches(self, mid_event=False):
        return self.admin("POST", "/drop-watches", {"mid_event": mid_event})

    def restart(self, down_seconds=1.0):
        return self.admin("POST", "/restart", {"down_seconds": down_seconds})

    def compact(self):
        return self.admin("POST", "/compact", {})

    def rotate_token(self, token=None):
        """Writes a new valid token to the token file; returns it."""
        return self.admin("POST", "/token", {"token": token} if token else {})["token"]

    def settings(self, **values):
        return self.admin("POST", "/settings", values)

    def seed(self, objects=None, template=None, count=0):
        body = {"objects": objects or []}
        if template:
            body.update(template=template, count=count)
        return self.admin("POST", "/seed", body)

    def state(self):
        return self.admin("GET", "/state")

    def wait_for_watches(self, resource, count=1, timeout=DEFAULT_WAIT):
        """Waits until at least `count` watches on `resource` (plural) are open."""
        return wait_for(lambda: sum(w["resource"] == resource for w in self.state()["watches"]) >= count,
                        timeout, f"{count} watch(es) on {resource}")


class Imps:
    """build/imps as a child process, its JSON-lines stderr collected in `logs`."""

    def __init__(self, *args, env=None, max_open_files=None):
        """max_open_files: RLIMIT_NOFILE for imps (the soft and hard limit), e.g. a small node's."""
        binary = os.environ.get("IMPS_BINARY", os.path.join(ROOT, "build", "imps"))
        self.logs = []
        self.raw = []
        self._lock = threading.Lock()
        # The caller's proxy settings would send imps' calls to 127.0.0.1 elsewhere; tests that
        # want a proxy pass it in `env`.
        base = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (max_open_files, max_open_files))) \
            if max_open_files else None
        self.process = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        env={**base, **(env or {})}, preexec_fn=limit)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stderr:
            text = line.decode(errors="replace").rstrip("\n")
            with self._lock:
                self.raw.append(text)
                try:
                    self.logs.append(json.loads(text))
                except ValueError:
                    pass

    def log_lines(self):
        with self._lock:
            return list(self.logs)

    def wait_for_log(self, predicate, timeout=DEFAULT_WAIT, message="log line"):
        """Waits for a parsed log line for which predicate(line) holds; returns it."""
        return wait_for(lambda: next((l for l in self.log_lines() if predicate(l)), None), timeout, message)

    def stop(self, timeout=DEFAULT_WAIT):
        """SIGTERM, wait, and return the exit code (kills after `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=timeout)
        return self.process.returncode
