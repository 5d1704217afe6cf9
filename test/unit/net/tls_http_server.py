"""TLS responder for tls_test.cc: prints its port, then answers every request on a connection
with "HTTP/1.1 200 OK" and a body naming the client certificate's CN (or "anonymous").

Usage: tls_http_server.py CERT KEY [CLIENT_CA]   (with CLIENT_CA, client certificates are required)
Runs until killed; a failed handshake only ends that connection."""
import socket
import ssl
import sys


def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    if len(sys.argv) > 3:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(sys.argv[3])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        conn.settimeout(10)
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                serve(tls)
        except (ssl.SSLError, OSError):
            pass


def serve(tls):
    cert = tls.getpeercert()
    name = "anonymous"
    if cert:
        name = dict(pair[0] for pair in cert["subject"])["commonName"]
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(4096)
        if not chunk:
            return
        data += chunk
    body = ("hello " + name).encode()
    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


if __name__ == "__main__":
    main()
