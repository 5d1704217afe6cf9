"""The aarch64 cross build (`make ARCH=arm64` → build-arm64/imps) under qemu-aarch64-static: it is a
static ARM64 executable, answers --version, and provisions a Secret against the stand-in.

Skipped, with the reason, when the cross binary or qemu is missing: cross-building takes minutes,
so `make test-arm64` builds it and then runs this test (set IMPS_ARM64_BINARY to test another).
"""

import os
import shutil
import subprocess
import unittest

from harness import ROOT
from controller_fixture import ControllerCase, dockerconfig

ARM64_BINARY = os.environ.get("IMPS_ARM64_BINARY", os.path.join(ROOT, "build-arm64", "imps"))
QEMU = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
# ELF header: class 64-bit (byte 4 = 2), little endian (byte 5 = 1), e_machine EM_AARCH64 (183).
EM_AARCH64 = 183


def skip_reason():
    if not os.path.exists(ARM64_BINARY):
        return f"{ARM64_BINARY} not built: run `make ARCH=arm64` (or `make test-arm64`)"
    if not QEMU:
        return "qemu-aarch64-static not installed: run scripts/setup.sh cross"
    return None


def elf_header(path):
    with open(path, "rb") as f:
        return f.read(64)


@unittest.skipIf(skip_reason(), skip_reason() or "")
class Arm64Test(ControllerCase):
    def test_static_aarch64_executable(self):
        header = elf_header(ARM64_BINARY)
        self.assertEqual(header[:4], b"\x7fELF")
        self.assertEqual((header[4], header[5]), (2, 1))
        self.assertEqual(int.from_bytes(header[18:20], "little"), EM_AARCH64)
        program_headers = subprocess.run(["readelf", "-lW", ARM64_BINARY], capture_output=True, text=True,
                                         check=True).stdout
        self.assertNotIn("program interpreter", program_headers)  # no dynamic loader: static
        described = subprocess.run(["file", "-b", ARM64_BINARY], capture_output=True, text=True).stdout.strip()
        size = os.path.getsize(ARM64_BINARY)
        print(f"\narm64 binary: {size} bytes ({size / 1048576:.2f} MiB); file: {described}", flush=True)

    def test_version_under_qemu(self):
        result = subprocess.run([QEMU, ARM64_BINARY, "--version"], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"^imps \d+\.\d+\.\d+")

    def test_provisions_a_secret_under_qemu(self):
        self.create_namespace("sources")
        self.create_source("sources", "docker", dockerconfig("registry.example.com"))
        self.create_namespace("arm-a")
        self.create_imps("arm", {"secret": {"name": "pull-arm"}, "namespaces": {"names": ["arm-a"]}})
        previous = os.environ.get("IMPS_BINARY")
        # The harness runs $IMPS_BINARY with the arguments; qemu takes the program as its first.
        wrapper = os.path.join(self.standin.directory, "imps-arm64")
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\nexec "{QEMU}" "{ARM64_BINARY}" "$@"\n')
        os.chmod(wrapper, 0o755)
        os.environ["IMPS_BINARY"] = wrapper
        try:
            self.start_imps(wait_ready=False)
        finally:
            if previous is None:
                del os.environ["IMPS_BINARY"]
            else:
                os.environ["IMPS_BINARY"] = previous
        # Emulation is slow on a busy machine: a generous deadline, not a timing check.
        self.wait_secret("arm-a", "pull-arm", timeout=60)
        self.wait_managed("arm", ["arm-a"], timeout=30)


if __name__ == "__main__":
    unittest.main()
