"""The container image's file tree (scripts/image_rootfs.sh, the same tree deploy/Dockerfile ships)
runs imps on its own: in an empty chroot of exactly that tree plus the service-account files a pod
gets, as user 65532, with only KUBERNETES_SERVICE_HOST/PORT set, imps provisions a Secret for an
ImagePullSecret and takes the leader Lease in the namespace named by the namespace file.
Needs root (chroot) and a static binary; skipped otherwise (a sanitizer build links dynamically and
cannot run in the image, which has no loader and no libc).
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from harness import DEFAULT_WAIT, ROOT, wait_for
from controller_fixture import ControllerCase, dockerconfig

SCRIPT = os.path.join(ROOT, "scripts", "image_rootfs.sh")
SERVICE_ACCOUNT = "var/run/secrets/kubernetes.io/serviceaccount"
IMAGE_FILES = {"imps", "etc/ssl/certs/ca-certificates.crt"}
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


@unittest.skipUnless(os.geteuid() == 0 and CHROOT,
                     "needs root and chroot(8): run as root to prove the image tree is self-contained")
@unittest.skipIf(os.path.exists(binary()) and is_dynamic(binary()),
                 "the binary is dynamically linked (SANITIZE=1 builds are): the image needs the static one")
class ImageRootfsTest(ControllerCase):
    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp(prefix="imps-rootfs-")
        self.root = os.path.join(self.directory, "rootfs")
        self.process = None

    def tearDown(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
        super().tearDown()

    def build_tree(self):
        subprocess.run([SCRIPT, self.root, binary()], check=True, capture_output=True, text=True)

    def test_tree_is_exactly_the_image(self):
        self.build_tree()
        self.assertEqual(tree_files(self.root), IMAGE_FILES)
        self.assertEqual(os.stat(os.path.join(self.root, "imps")).st_mode & 0o777, 0o755)
        size = sum(os.path.getsize(os.path.join(self.root, f)) for f in IMAGE_FILES)
        print(f"\nimage tree: {size} bytes ({size / 1048576:.2f} MiB)", flush=True)
        refused = subprocess.run([SCRIPT, self.root, binary()], capture_output=True, text=True)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("not empty", refused.stderr)

    def test_runs_alone_in_a_chroot_as_nonroot(self):
        self.build_tree()
        account = os.path.join(self.root, SERVICE_ACCOUNT)
        os.makedirs(account)
        shutil.copy(self.standin.ca, os.path.join(account, "ca.crt"))
        shutil.copy(self.standin.token_file, os.path.join(account, "token"))
        with open(os.path.join(account, "namespace"), "w") as f:
            f.write("kube-system")
        for directory, _, files in os.walk(os.path.join(self.root, "var")):
            os.chmod(directory, 0o755)
            for name in files:
                os.chmod(os.path.join(directory, name), 0o644)

        self.create_namespace("sources")
        self.create_source("sources", "docker", dockerconfig("registry.example.com"))
        self.create_namespace("chroot-a")
        self.create_imps("chroot", {"secret": {"name": "pull-chroot"}, "namespaces": {"names": ["chroot-a"]}})

        log_path = os.path.join(self.directory, "stderr")
        port = str(self.standin.info["port"])
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [CHROOT, f"--userspec={NONROOT}", self.root, "/imps", "--metrics-addr=127.0.0.1:0",
                 "--health-probe-addr=127.0.0.1:0", "--enable-leader-election"],
                env={"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port},
                stdout=subprocess.DEVNULL, stderr=log)

        def logs():
            with open(log_path, errors="replace") as f:
                return f.read()

        try:
            self.wait_secret("chroot-a", "pull-chroot", timeout=20)
            self.wait_managed("chroot", ["chroot-a"])
            lease = self.api.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/73de1ad9.banzaicloud.io")
            self.assertEqual(lease.status, 200)
            self.assertTrue(lease.json()["spec"]["holderIdentity"])
        except AssertionError as error:
            raise AssertionError(f"{error}\nimps stderr:\n{logs()[-3000:]}") from None
        self.process.send_signal(signal.SIGTERM)
        self.assertEqual(self.process.wait(timeout=DEFAULT_WAIT), 0, logs()[-3000:])
        starting = next(json.loads(l) for l in logs().splitlines() if '"starting"' in l)
        self.assertEqual(starting["config"], "in-cluster")


if __name__ == "__main__":
    unittest.main()
