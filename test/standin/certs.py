"""Per-run PKI for the stand-in: a CA, a server certificate and client certificates.

Uses the `openssl` command line so the stand-in needs nothing beyond the standard library.
Every run gets fresh keys; nothing is shared between runs or written outside `directory`.
The server certificate carries the DNS and IP SANs a real kube-apiserver certificate has, so
clients must verify by SAN (IP SAN 127.0.0.1 when connecting by address).
"""

import os
import subprocess
from dataclasses import dataclass

# Long enough for any test run, short enough that nobody mistakes these for real certificates.
VALIDITY_DAYS = "2"
SERVER_DNS_NAMES = ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc")
SERVER_IP_ADDRESSES = ("127.0.0.1",)


@dataclass(frozen=True)
class Pki:
    ca_cert: str
    ca_key: str
    server_cert: str
    server_key: str


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ec_key(path, cwd):
    # P-256 keeps generation fast (RSA-2048 costs ~100 ms per key on a loaded machine).
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path, cwd=cwd)


def _sign(directory, ca, name, subject, extensions):
    key, csr, cert, ext = (f"{name}.key", f"{name}.csr", f"{name}.crt", f"{name}.ext")
    _ec_key(key, directory)
    _openssl("req", "-new", "-key", key, "-subj", subject, "-out", csr, cwd=directory)
    with open(os.path.join(directory, ext), "w") as f:
        f.write(extensions)
    _openssl("x509", "-req", "-in", csr, "-CA", ca.ca_cert, "-CAkey", ca.ca_key,
             "-CAcreateserial", "-days", VALIDITY_DAYS, "-sha256", "-extfile", ext,
             "-out", cert, cwd=directory)
    os.remove(os.path.join(directory, csr))
    os.remove(os.path.join(directory, ext))
    return os.path.join(directory, cert), os.path.join(directory, key)


def create_pki(directory):
    """Creates ca.crt/ca.key and server.crt/server.key in `directory`."""
    os.makedirs(directory, exist_ok=True)
    _ec_key("ca.key", directory)
    _openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=imps-standin-ca",
             "-days", VALIDITY_DAYS, "-sha256", "-out", "ca.crt", cwd=directory)
    ca = Pki(os.path.join(directory, "ca.crt"), os.path.join(directory, "ca.key"), "", "")
    sans = ",".join([f"DNS:{n}" for n in SERVER_DNS_NAMES] + [f"IP:{a}" for a in SERVER_IP_ADDRESSES])
    server_cert, server_key = _sign(
        directory, ca, "server", "/CN=kube-apiserver",
        f"subjectAltName={sans}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n")
    return Pki(ca.ca_cert, ca.ca_key, server_cert, server_key)


def create_client_cert(directory, pki, user, groups=("system:masters",)):
    """Issues a client certificate for `user` (CN) and `groups` (O), as kubeadm does."""
    subject = f"/CN={user}" + "".join(f"/O={g}" for g in groups)
    return _sign(directory, pki, f"client-{user}", subject,
                 "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n")
