#!/usr/bin/python3
"""A DNS server stand-in for imps' tests (standard library, loopback only): UDP and TCP on one
address, port 53 by default because resolv.conf has no way to name another port (so it needs
root, as the chroot tests do anyway).

Answers A and AAAA queries from a small zone like an authoritative server would: the addresses
of a known name (NOERROR with no answer for a type it has none of), NXDOMAIN for names not in the
zone, SERVFAIL for names set to fail. A name can be *held*: its queries get no answer until the
test releases it, which makes "the resolver is hanging" deterministic. Every query is recorded.
Malformed packets are dropped, as real servers do; a truncated TCP frame closes the connection.

In-process use:
    dns = DnsServer("127.53.0.1", zone={"aws.test": "127.0.0.1"}, servfail={"broken.test"},
                    held={"aws.test"})
    dns.wait_for_query("aws.test"); dns.release("aws.test"); dns.stop()
"""
import socket
import socketserver
import struct
import threading
import time

TYPE_A, TYPE_AAAA = 1, 28
RCODE_NOERROR, RCODE_SERVFAIL, RCODE_NXDOMAIN, RCODE_NOTIMP = 0, 2, 3, 4
TTL = 5
MAX_TCP_MESSAGE = 65535


def parse_query(packet):
    """(id, flags, name, qtype) of a one-question query, or None when malformed."""
    if len(packet) < 12:
        return None
    ident, flags, qdcount = struct.unpack("!HHH", packet[:6])
    if qdcount != 1 or flags & 0x8000:
        return None
    labels, pos = [], 12
    while True:
        if pos >= len(packet):
            return None
        length = packet[pos]
        pos += 1
        if length == 0:
            break
        if length > 63 or pos + length > len(packet):
            return None
        labels.append(packet[pos:pos + length].decode("ascii", "replace").lower())
        pos += length
    if pos + 4 > len(packet):
        return None
    qtype, _ = struct.unpack("!HH", packet[pos:pos + 4])
    return ident, flags, ".".join(labels), qtype, packet[12:pos + 4]


def build_answer(query, rcode, addresses):
    ident, flags, _, qtype, question = query
    # QR, the query's opcode and RD, AA (authoritative), RA.
    reply_flags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    records = b""
    for address in addresses:
        family, rtype = (socket.AF_INET6, TYPE_AAAA) if ":" in address else (socket.AF_INET, TYPE_A)
        if rtype != qtype:
            continue
        rdata = socket.inet_pton(family, address)
        records += struct.pack("!HHHIH", 0xC00C, rtype, 1, TTL, len(rdata)) + rdata
    count = sum(1 for a in addresses if (TYPE_AAAA if ":" in a else TYPE_A) == qtype)
    return struct.pack("!HHHHHH", ident, reply_flags, 1, count, 0, 0) + question + records


class DnsServer:
    def __init__(self, host, zone=None, servfail=(), held=(), port=53):
        self.zone = {name: [a] if isinstance(a, str) else list(a) for name, a in (zone or {}).items()}
        self.servfail = set(servfail)
        self._lock = threading.Condition()
        self._held = set(held)
        self.queries = []  # (name, qtype, transport)
        self.host = host
        server = self

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                server._serve(data, lambda reply: sock.sendto(reply, self.client_address), "udp")

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                while True:
                    head = self._read(2)
                    if head is None:
                        return
                    body = self._read(struct.unpack("!H", head)[0])
                    if body is None:
                        return
                    server._serve(body, lambda reply: self.request.sendall(struct.pack("!H", len(reply)) + reply),
                                  "tcp")

            def _read(self, n):
                data = b""
                while len(data) < n:
                    chunk = self.request.recv(n - len(data))
                    if not chunk:
                        return None
                    data += chunk
                return data

        socketserver.ThreadingUDPServer.allow_reuse_address = True
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._servers = [socketserver.ThreadingUDPServer((host, port), Udp),
                         socketserver.ThreadingTCPServer((host, port), Tcp)]
        for s in self._servers:
            s.daemon_threads = True
            threading.Thread(target=s.serve_forever, daemon=True).start()

    def _serve(self, packet, reply, transport):
        query = parse_query(packet)
        if query is None:
            return
        name, qtype = query[2], query[3]
        with self._lock:
            self.queries.append((name, qtype, transport))
            self._lock.notify_all()
            while name in self._held:
                self._lock.wait()
        if qtype not in (TYPE_A, TYPE_AAAA):
            return reply(build_answer(query, RCODE_NOTIMP, []))
        if name in self.servfail:
            return reply(build_answer(query, RCODE_SERVFAIL, []))
        if name not in self.zone:
            return reply(build_answer(query, RCODE_NXDOMAIN, []))
        reply(build_answer(query, RCODE_NOERROR, self.zone[name]))

    def release(self, name):
        with self._lock:
            self._held.discard(name)
            self._lock.notify_all()

    def queried(self, name):
        with self._lock:
            return sum(1 for q in self.queries if q[0] == name)

    def wait_for_query(self, name, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self._lock:
            while not any(q[0] == name for q in self.queries):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no DNS query for {name} within {timeout}s")
                self._lock.wait(remaining)

    def stop(self):
        with self._lock:
            self._held.clear()
            self._lock.notify_all()
        for s in self._servers:
            s.shutdown()
            s.server_close()
