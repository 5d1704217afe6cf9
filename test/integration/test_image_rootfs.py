"""The container image's file tree (scripts/image_rootfs.sh, the same tree deploy/Dockerfile and
`make image` ship) is exactly /imps, /manager (the original image's binary name, a symlink to
imps) and the CA bundle, and runs imps on its own in an empty chroot (image_fixture.py).
"""

import os
import subprocess
import unittest

from image_fixture import IMAGE_FILES, IMAGE_ROOTFS, ImageCase, binary, skip_unless_runnable, tree_files


@skip_unless_runnable
class ImageRootfsTest(ImageCase):
    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.directory, "rootfs")

    def test_tree_is_exactly_the_image(self):
        self.build_tree(self.root)
        self.assertEqual(tree_files(self.root), IMAGE_FILES)
        self.assertEqual(os.stat(os.path.join(self.root, "imps")).st_mode & 0o777, 0o755)
        self.assertEqual(os.readlink(os.path.join(self.root, "manager")), "imps")
        size = sum(os.path.getsize(os.path.join(self.root, f)) for f in IMAGE_FILES)
        print(f"\nimage tree: {size} bytes ({size / 1048576:.2f} MiB)", flush=True)
        refused = subprocess.run([IMAGE_ROOTFS, self.root, binary()], capture_output=True, text=True)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("not empty", refused.stderr)

    def test_runs_alone_in_a_chroot_as_nonroot(self):
        self.build_tree(self.root)
        self.provisions_in_chroot(self.root, ["/imps"], "imps")

    def test_manager_command_of_the_original_image_runs_imps(self):
        self.build_tree(self.root)
        self.provisions_in_chroot(self.root, ["/manager"], "manager")


if __name__ == "__main__":
    unittest.main()
