"""Shared fixture for the image tests (no tests of its own): runs an image's file tree on its own,
in an empty chroot of exactly that tree plus the service-account files a pod gets, as user 65532,
with only KUBERNETES_SERVICE_HOST/PORT set, and checks that imps provisions a Secret for an
ImagePullSecret and takes the leader Lease in the namespace named by the namespace file.
Needs root (chroot) and a static binary: skip_unless_runnable says why not otherwise (a sanitizer
build links dynamically and cannot run in the image, which has no loader and no libc).
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from harness import DEFAULT_WAIT, ROOT
from controller_fixture import ControllerCase, dockerconfig

IMAGE_ROOTFS = os.path.join(ROOT, "scripts", "image_rootfs.sh")
SERVICE_ACCOUNT = "var/run/secrets/kubernetes.io/serviceaccount"
IMAGE_FILES = {"imps", "manager", "etc/ssl/certs/ca-certificates.crt"}
NONROOT = "65532:65532"
CHROOT = shutil.which("chroot") or shutil.which("chroot", path="/usr/sbin:/sbin")


def binary():
    return os.environ.get("IMPS_BINARY", os.path.join(ROOT, "build", "imps"))


def is_dynamic(path):
    """True when the ELF file names a loader (PT_INTERP), as image_rootfs.sh checks."""
    headers = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True,
                             env={**os.environ, "LC_ALL": "C"})
    return "Requesting program interpreter" in headers.stdout


def tree_files(root):
    return {os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files}


def skip_unless_runnable(cls):
    cls = unittest.skipUnless(os.geteuid() == 0 and CHROOT,
                              "needs root and chroot(8): run as root to prove the image tree is self-contained")(cls)
    return unittest.skipIf(os.path.exists(binary()) and is_dynamic(binary()),
                           "the binary is dynamically linked (SANITIZE=1 builds are): the image needs the static one")(cls)


class ImageCase(ControllerCase):
    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp(prefix="imps-image-")
        self.process = None

    def tearDown(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
        super().tearDown()

    def build_tree(self, root):
        subprocess.run([IMAGE_ROOTFS, root, binary()], check=True, capture_output=True, text=True)

    def chroot(self, root, command):
        return [CHROOT, f"--userspec={NONROOT}", root] + command

    def provisions_in_chroot(self, root, entrypoint, tag):
        """Runs entrypoint in root as a pod would and sees it provision a Secret and lead. The
        objects' names start with tag, so tests of one class (one stand-in) do not meet."""
        pod_namespace = f"{tag}-system"
        account = os.path.join(root, SERVICE_ACCOUNT)
        os.makedirs(account)
        shutil.copy(self.standin.ca, os.path.join(account, "ca.crt"))
        shutil.copy(self.standin.token_file, os.path.join(account, "token"))
        with open(os.path.join(account, "namespace"), "w") as f:
            f.write(pod_namespace)
        for directory, _, files in os.walk(os.path.join(root, "var")):
            os.chmod(directory, 0o755)
            for name in files:
                os.chmod(os.path.join(directory, name), 0o644)

        self.create_namespace(pod_namespace)
        self.create_namespace(f"{tag}-sources")
        self.create_source(f"{tag}-sources", "docker", dockerconfig("registry.example.com"))
        self.create_namespace(f"{tag}-a")
        self.create_imps(tag, {"secret": {"name": "pull-chroot"}, "namespaces": {"names": [f"{tag}-a"]}},
                         credentials=((f"{tag}-sources", "docker"),))

        log_path = os.path.join(self.directory, "stderr")
        port = str(self.standin.info["port"])
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.chroot(root, entrypoint + ["--metrics-addr=127.0.0.1:0", "--health-probe-addr=127.0.0.1:0",
                                                "--enable-leader-election"]),
                env={"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port},
                stdout=subprocess.DEVNULL, stderr=log)

        def logs():
            with open(log_path, errors="replace") as f:
                return f.read()

        try:
            self.wait_secret(f"{tag}-a", "pull-chroot", timeout=20)
            self.wait_managed(tag, [f"{tag}-a"])
            lease = self.api.get(f"/apis/coordination.k8s.io/v1/namespaces/{pod_namespace}/leases/73de1ad9.banzaicloud.io")
            self.assertEqual(lease.status, 200)
            self.assertTrue(lease.json()["spec"]["holderIdentity"])
        except AssertionError as error:
            raise AssertionError(f"{error}\nimps stderr:\n{logs()[-3000:]}") from None
        self.process.send_signal(signal.SIGTERM)
        self.assertEqual(self.process.wait(timeout=DEFAULT_WAIT), 0, logs()[-3000:])
        starting = next(json.loads(l) for l in logs().splitlines() if '"starting"' in l)
        self.assertEqual(starting["config"], "in-cluster")
