"""`make image`'s OCI image archive (scripts/oci_image.py over the scripts/image_rootfs.sh tree),
read by real tools from Debian packages: skopeo inspects it, umoci unpacks it, and the unpacked
root runs the config's entrypoint in an empty chroot as the config's user and provisions a Secret
(image_fixture.py). The same tree and arguments give the same bytes; deploy/Dockerfile runs the
same sequence and ships the same tree, user and entrypoint.
"""

import json
import os
import re
import shutil
import subprocess
import tarfile
import unittest

from harness import ROOT
from image_fixture import IMAGE_FILES, ImageCase, binary, skip_unless_runnable, tree_files

OCI_IMAGE = os.path.join(ROOT, "scripts", "oci_image.py")
DOCKERFILE = os.path.join(ROOT, "deploy", "Dockerfile")
VERSION = "0.1.0-test"
ARGS = ["--arch", "amd64", "--name", "registry.example/imps", "--version", VERSION,
        "--source", "https://example.com/imps", "--licenses", "Apache-2.0 AND MIT"]
SKOPEO = shutil.which("skopeo")
UMOCI = shutil.which("umoci")


@skip_unless_runnable
@unittest.skipUnless(SKOPEO and UMOCI, "needs skopeo and umoci: run scripts/setup.sh test")
class OciImageTest(ImageCase):
    def write_image(self, name, mtime=None):
        root = os.path.join(self.directory, name)
        self.build_tree(root)
        if mtime is not None:
            for directory, dirs, files in os.walk(root):
                for entry in dirs + files + ["."]:
                    os.utime(os.path.join(directory, entry), (mtime, mtime), follow_symlinks=False)
        archive = os.path.join(self.directory, name + ".tar")
        done = subprocess.run([OCI_IMAGE, root, archive] + ARGS, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        return archive

    def skopeo_inspect(self, archive, *flags):
        done = subprocess.run([SKOPEO, "inspect", *flags, f"oci-archive:{archive}"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)

    def test_same_tree_gives_the_same_bytes(self):
        first = self.write_image("first", mtime=1_000_000)
        second = self.write_image("second", mtime=2_000_000)
        with open(first, "rb") as a, open(second, "rb") as b:
            self.assertEqual(a.read(), b.read())
        with tarfile.open(first) as outer:
            self.assertEqual({m.mtime for m in outer.getmembers()}, {0})
            self.assertEqual({(m.uid, m.gid) for m in outer.getmembers()}, {(0, 0)})

    def test_skopeo_reads_the_config_and_labels(self):
        archive = self.write_image("image")
        summary = self.skopeo_inspect(archive)
        self.assertEqual((summary["Architecture"], summary["Os"]), ("amd64", "linux"))
        self.assertEqual(len(summary["Layers"]), 1)
        config = self.skopeo_inspect(archive, "--config")
        self.assertEqual(config["config"]["User"], "65532:65532")
        self.assertEqual(config["config"]["Entrypoint"], ["/imps"])
        self.assertEqual(config["config"]["Labels"], {
            "org.opencontainers.image.title": "imps",
            "org.opencontainers.image.version": VERSION,
            "org.opencontainers.image.source": "https://example.com/imps",
            "org.opencontainers.image.licenses": "Apache-2.0 AND MIT"})
        index = json.loads(tarfile.open(archive).extractfile("index.json").read())
        self.assertEqual(index["manifests"][0]["annotations"], {
            "org.opencontainers.image.ref.name": VERSION,
            "io.containerd.image.name": f"registry.example/imps:{VERSION}"})

    def test_umoci_unpacks_a_root_that_runs_as_the_config_user(self):
        archive = self.write_image("image")
        layout = os.path.join(self.directory, "layout")
        with tarfile.open(archive) as tar:
            tar.extractall(layout)
        bundle = os.path.join(self.directory, "bundle")
        done = subprocess.run([UMOCI, "unpack", "--image", f"{layout}:{VERSION}", bundle],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        root = os.path.join(bundle, "rootfs")
        self.assertEqual(tree_files(root), IMAGE_FILES)
        self.assertEqual(os.readlink(os.path.join(root, "manager")), "imps")
        with open(os.path.join(root, "imps"), "rb") as unpacked, open(binary(), "rb") as built:
            self.assertEqual(unpacked.read(), built.read())
        config = self.skopeo_inspect(archive, "--config")["config"]
        self.assertEqual(config["User"], "65532:65532")  # what the fixture's chroot runs as
        self.provisions_in_chroot(root, config["Entrypoint"], "oci")

    def test_refuses_a_tree_it_cannot_ship(self):
        root = os.path.join(self.directory, "odd")
        os.makedirs(root)
        missing = subprocess.run([OCI_IMAGE, root, os.path.join(self.directory, "x.tar")] + ARGS,
                                 capture_output=True, text=True)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("has no /imps", missing.stderr)
        shutil.copy(binary(), os.path.join(root, "imps"))
        os.mkfifo(os.path.join(root, "fifo"))
        odd = subprocess.run([OCI_IMAGE, root, os.path.join(self.directory, "x.tar")] + ARGS,
                             capture_output=True, text=True)
        self.assertEqual(odd.returncode, 1)
        self.assertIn("fifo: not a directory, regular file or symlink", odd.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.directory, "x.tar")))


class DockerfileTest(unittest.TestCase):
    def test_dockerfile_runs_the_make_image_sequence_and_ships_its_tree(self):
        with open(DOCKERFILE) as f:
            text = f.read()
        self.assertEqual(re.findall(r"^RUN (.*)$", text, re.M), ["scripts/setup.sh image && make image"])
        self.assertEqual(re.findall(r"^COPY --from=build (\S+) /$", text, re.M), ["/src/build/rootfs/"])
        self.assertEqual(re.findall(r"^WORKDIR (.*)$", text, re.M), ["/src"])
        self.assertEqual(re.findall(r"^USER (.*)$", text, re.M), ["65532:65532"])
        self.assertEqual(re.findall(r"^ENTRYPOINT (.*)$", text, re.M), ['["/imps"]'])
        with open(os.path.join(ROOT, "Makefile")) as f:
            makefile = f.read()
        self.assertIn("$(BUILD)/rootfs $(BUILD)/imps-image.tar", makefile)


if __name__ == "__main__":
    unittest.main()
