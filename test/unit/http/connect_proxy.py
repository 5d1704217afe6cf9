"""HTTP CONNECT proxy for client_tls_test.cc: prints its port, then tunnels every CONNECT to
127.0.0.1:TARGET_PORT whatever host it names (so the client cannot have reached the origin
itself), after checking the Proxy-Authorization header equals AUTH (when given).

Usage: connect_proxy.py TARGET_PORT [AUTH]"""
import select
import socket
import sys
import threading


def relay(a, b):
    try:
        while True:
            ready, _, _ = select.select([a, b], [], [], 30)
            if not ready:
                return
            for s in ready:
                data = s.recv(16384)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        a.close()
        b.close()


def handle(conn, target_port, auth):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            conn.close()
            return
        head += chunk
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
    if not lines[0].startswith("CONNECT ") or (auth and headers.get("proxy-authorization") != auth):
        conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        conn.close()
        return
    upstream = socket.create_connection(("127.0.0.1", target_port))
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    relay(conn, upstream)


def main():
    target_port = int(sys.argv[1])
    auth = sys.argv[2] if len(sys.argv) > 2 else ""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn, target_port, auth), daemon=True).start()


if __name__ == "__main__":
    main()
