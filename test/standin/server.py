"""The HTTPS front end: TLS with optional client certificates, authentication, restarts.

TLS handshakes run in the connection's own thread (never in the accept loop), so a stalled
client cannot block others. `Frontend.restart` emulates an apiserver restart: every connection
is cut, the port refuses connections for a while, then a new listener comes up on the same port
with the same state. Authentication: a client certificate signed by the run's CA (CN = user), or
a bearer token equal to the token file's current content (re-read on every request).
"""

import socket
import ssl
import threading
import time
from http.server import ThreadingHTTPServer

from handler import ApiHandler

# A client that has not finished its TLS handshake by then is dropped.
HANDSHAKE_TIMEOUT = 10.0


class Auth:
    def __init__(self, token_file):
        self.token_file = token_file

    def current_token(self):
        try:
            with open(self.token_file) as f:
                return f.read().strip()
        except OSError:
            return None

    def user(self, handler):
        """The authenticated user name, or None."""
        cert = handler.request.getpeercert()
        if cert:
            for rdn in cert.get("subject", ()):
                for name, value in rdn:
                    if name == "commonName":
                        return value
        header = handler.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            token = self.current_token()
            if token and header[len("Bearer "):].strip() == token:
                return "system:serviceaccount:default:token-user"
        return None


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The apiserver's backlog is large; tests open many connections at once.
    request_queue_size = 128

    def __init__(self, address, context, frontend):
        self.context = context
        self.frontend = frontend
        self.api = frontend.api
        self.settings = frontend.settings
        self.faults = frontend.faults
        self.rng = frontend.rng
        self.verbose = frontend.verbose
        super().__init__(address, ApiHandler)

    def get_request(self):
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def finish_request(self, request, client_address):
        try:
            request.settimeout(HANDSHAKE_TIMEOUT)
            request.do_handshake()
            request.settimeout(None)
        except (OSError, ssl.SSLError):
            return
        self.frontend.track(request, True)
        try:
            super().finish_request(request, client_address)
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.frontend.track(request, False)

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)

    def authenticate(self, handler):
        return self.frontend.auth.user(handler) is not None

    def abort(self, request):
        Frontend.cut(request)


class Frontend:
    def __init__(self, api, settings, faults, auth, rng, pki, port=0, verbose=False):
        self.api = api
        self.settings = settings
        self.faults = faults
        self.auth = auth
        self.rng = rng
        self.verbose = verbose
        self._connections = set()
        self._lock = threading.Lock()
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(pki.server_cert, pki.server_key)
        self.context.load_verify_locations(pki.ca_cert)
        self.context.verify_mode = ssl.CERT_OPTIONAL
        self.server = self._listen(port)
        self.port = self.server.server_address[1]

    def _listen(self, port):
        server = ApiServer(("127.0.0.1", port), self.context, self)
        threading.Thread(target=server.serve_forever, name="api", daemon=True).start()
        return server

    def track(self, request, open_):
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(request)

    @staticmethod
    def cut(request):
        try:
            request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def drop_watches(self, mid_event=False):
        store = self.api.store
        with store.lock:
            for watcher in store.watchers():
                watcher.dropped = "mid_event" if mid_event else "clean"
            store.lock.notify_all()

    def restart(self, down_seconds):
        """Cuts every connection, refuses new ones for `down_seconds`, then serves again."""
        self.server.shutdown()
        self.server.server_close()
        self.drop_watches()
        with self._lock:
            connections = list(self._connections)
        for request in connections:
            self.cut(request)
        time.sleep(down_seconds)
        self.server = self._listen(self.port)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
