#!/usr/bin/python3
"""Kubernetes API server stand-in: `kube_api.py --dir <state dir>` runs until SIGTERM.

Writes into the state dir: ca.crt, server/client certificates, serviceaccount/{token,ca.crt,
namespace} (the token file is the one the server checks, re-read on every request),
kubeconfig (tokenFile user), kubeconfig-cert (client-certificate user "admin") and admin-url.
When ready it prints one JSON line with every port and path. The imps CRD is pre-installed from
deploy/crds/ when that file exists (with kubectl, so it goes through the API like any client).
See test/standin/README.md for the admin API and the behaviours reproduced.
"""

import argparse
import base64
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import certs  # noqa: E402
from admin import Admin, write_token  # noqa: E402
from faults import Faults  # noqa: E402
from request_log import RequestLog  # noqa: E402
from lifecycle import Lifecycle  # noqa: E402
from operations import Api  # noqa: E402
from server import Auth, Frontend  # noqa: E402
from settings import Settings  # noqa: E402
from store import DEFAULT_HISTORY, Store  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CRD = os.path.join(REPO, "deploy", "crds", "images.banzaicloud.io_imagepullsecrets.yaml")


def _b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def write_kubeconfig(path, server, ca_path, user):
    """A kubeconfig in JSON (valid YAML), embedding the CA like k3s and kind do."""
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "standin",
           "clusters": [{"name": "standin", "cluster": {"server": server,
                                                        "certificate-authority-data": _b64file(ca_path)}}],
           "contexts": [{"name": "standin", "context": {"cluster": "standin", "user": "standin",
                                                        "namespace": "default"}}],
           "users": [{"name": "standin", "user": user}]}
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)


def seed_defaults(api):
    """The namespaces every cluster has."""
    namespaces = api.registry.lookup("", "v1", "namespaces")
    for name in ("default", "kube-system", "kube-public"):
        api.create(namespaces, "", {"metadata": {"name": name}})


def preinstall_crd(path, kubeconfig, directory):
    subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", os.path.join(directory, "kube-cache"),
                    "create", "--validate=false", "-f", path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="state directory (created)")
    parser.add_argument("--port", type=int, default=0, help="API port (default: any free port)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (chunking, RV steps)")
    parser.add_argument("--history-size", type=int, default=DEFAULT_HISTORY)
    parser.add_argument("--bookmark-interval", type=float, default=None)
    parser.add_argument("--crd", default=DEFAULT_CRD, help="CRD file pre-installed when it exists")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--request-log", default=None,
                        help="append imps' distinct (component, group, resource, verb) here (request_log.py)")
    args = parser.parse_args()

    directory = os.path.abspath(args.dir)
    os.makedirs(os.path.join(directory, "serviceaccount"), exist_ok=True)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    pki = certs.create_pki(directory)
    client_cert, client_key = certs.create_client_cert(directory, pki, "admin")
    token_file = os.path.join(directory, "serviceaccount", "token")
    write_token(token_file, secrets.token_urlsafe(32))
    shutil.copy(pki.ca_cert, os.path.join(directory, "serviceaccount", "ca.crt"))
    with open(os.path.join(directory, "serviceaccount", "namespace"), "w") as f:
        f.write("default")

    settings = Settings()
    if args.bookmark_interval is not None:
        settings.bookmark_interval = args.bookmark_interval
    store = Store(random.Random(rng.random()), args.history_size)
    api = Api(store, random.Random(rng.random()))
    Lifecycle(api, settings)
    seed_defaults(api)
    frontend = Frontend(api, settings, Faults(RequestLog(args.request_log)), Auth(token_file), random.Random(rng.random()), pki,
                        args.port, args.verbose)
    admin = Admin(frontend, token_file)
    url = f"https://127.0.0.1:{frontend.port}"
    admin_url = f"http://127.0.0.1:{admin.port}"
    kubeconfig = os.path.join(directory, "kubeconfig")
    cert_kubeconfig = os.path.join(directory, "kubeconfig-cert")
    write_kubeconfig(kubeconfig, url, pki.ca_cert, {"tokenFile": token_file})
    write_kubeconfig(cert_kubeconfig, url, pki.ca_cert,
                     {"client-certificate-data": _b64file(client_cert), "client-key-data": _b64file(client_key)})
    with open(os.path.join(directory, "admin-url"), "w") as f:
        f.write(admin_url + "\n")
    if os.path.exists(args.crd):
        try:
            preinstall_crd(args.crd, cert_kubeconfig, directory)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            sys.exit(f"kube_api: pre-installing {args.crd} failed: {(e.stderr or b'').decode().strip()}")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(json.dumps({"url": url, "port": frontend.port, "admin_url": admin_url, "admin_port": admin.port,
                      "dir": directory, "ca": pki.ca_cert, "token_file": token_file,
                      "kubeconfig": kubeconfig, "cert_kubeconfig": cert_kubeconfig,
                      "client_cert": client_cert, "client_key": client_key, "seed": seed,
                      "pid": os.getpid()}), flush=True)
    stop.wait()
    frontend.stop()
    admin.stop()


if __name__ == "__main__":
    main()
