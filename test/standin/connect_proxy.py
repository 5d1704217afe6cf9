#!/usr/bin/python3
"""An HTTP CONNECT proxy stand-in for imps' tests (standard library, loopback only).

Behaves like squid or tinyproxy for what a client can observe: reads one request head
("CONNECT host:port HTTP/1.1" and headers), answers "HTTP/1.1 200 Connection established"
and then relays bytes both ways until either side closes. Anything other than CONNECT gets
405, a malformed head 400, a target it cannot reach 502 (each with Connection: close).
It records every CONNECT target and how many tunnels are open, so a test can tell that a
client went through it (and that its long-lived watches did too).

In-process use: proxy = ConnectProxy(); proxy.url ("http://127.0.0.1:N"); proxy.stop().
"""
import select
import socket
import socketserver
import threading

MAX_HEAD = 8 << 10     # a CONNECT head is one line and a few headers
RELAY_CHUNK = 64 << 10


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        proxy = self.server.proxy
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
            if len(head) > MAX_HEAD:
                return self._answer(400, "Bad Request")
        text, _, rest = head.partition(b"\r\n\r\n")
        parts = text.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return self._answer(400, "Bad Request")
        if parts[0] != "CONNECT":
            return self._answer(405, "Method Not Allowed")
        host, sep, port = parts[1].rpartition(":")
        if not sep or not port.isdigit():
            return self._answer(400, "Bad Request")
        host = host.strip("[]")
        proxy.record(parts[1], text.decode("latin-1"))
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            return self._answer(502, "Bad Gateway")
        with upstream:
            upstream.settimeout(None)
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            proxy.tunnel_opened()
            try:
                self._relay(upstream)
            finally:
                proxy.tunnel_closed()

    def _relay(self, upstream):
        sockets = [self.request, upstream]
        while not self.server.stopping.is_set():
            readable, _, _ = select.select(sockets, [], [], 0.5)
            for sock in readable:
                try:
                    data = sock.recv(RELAY_CHUNK)
                except OSError:
                    return
                if not data:
                    return
                other = upstream if sock is self.request else self.request
                try:
                    other.sendall(data)
                except OSError:
                    return

    def _answer(self, code, reason):
        self.request.sendall(f"HTTP/1.1 {code} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ConnectProxy:
    def __init__(self):
        self._lock = threading.Lock()
        self.targets = []       # "host:port" of every CONNECT, in order
        self.heads = []         # the request heads (for Proxy-Authorization checks)
        self._open = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._server.stopping = threading.Event()
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def record(self, target, head):
        with self._lock:
            self.targets.append(target)
            self.heads.append(head)

    def tunnel_opened(self):
        with self._lock:
            self._open += 1

    def tunnel_closed(self):
        with self._lock:
            self._open -= 1

    def open_tunnels(self):
        with self._lock:
            return self._open

    def connects(self):
        with self._lock:
            return list(self.targets)

    def stop(self):
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
