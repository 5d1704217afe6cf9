"""scripts/deb_src.sh, which scripts/setup.sh runs before `apt-get source`: deb-src entries are
derived from the machine's own deb entries (deb822 .sources and one-line sources.list forms), so
a local or air-gapped mirror serves the library sources too; nothing names a mirror of its own.
Each case runs the script on a throw-away apt directory.
"""

import os
import subprocess
import tempfile
import unittest

from harness import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "deb_src.sh")

LOCAL_DEB822 = """\
Types: deb
# a comment inside the stanza
URIs: http://mirror.internal/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /etc/apt/keyrings/internal.gpg

Types: deb
URIs: http://mirror.internal/debian-security
Suites: bookworm-security
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGPL0BUBEADmW5NdOOHwPIJlgPu6JDcKw/NZJPR8lsD9K7jN
 -----END PGP PUBLIC KEY BLOCK-----
"""


class DebSrcTest(unittest.TestCase):
    def setUp(self):
        self.apt = tempfile.mkdtemp(prefix="imps-apt-")
        os.makedirs(os.path.join(self.apt, "sources.list.d"))
        self.out = os.path.join(self.apt, "out")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.apt], check=True)

    def write(self, name, text):
        with open(os.path.join(self.apt, name), "w") as f:
            f.write(text)

    def run_script(self):
        return subprocess.run([SCRIPT, self.apt, self.out], capture_output=True, text=True, timeout=30)

    def written(self):
        if not os.path.isdir(self.out):
            return {}
        result = {}
        for name in sorted(os.listdir(self.out)):
            with open(os.path.join(self.out, name)) as f:
                result[name] = f.read()
        return result

    def test_deb822_stanzas_become_deb_src_on_the_same_mirror(self):
        self.write("sources.list.d/internal.sources", LOCAL_DEB822)
        done = self.run_script()
        self.assertEqual(done.returncode, 0, done.stderr)
        expected = LOCAL_DEB822.replace("Types: deb\n", "Types: deb-src\n").replace(
            "# a comment inside the stanza\n", "")
        self.assertEqual(self.written(), {"imps-deb-src.sources": expected})

    def test_one_line_entries_keep_options_and_skip_comments(self):
        self.write("sources.list",
                   "# deb http://commented.example/debian bookworm main\n"
                   "deb [signed-by=/etc/apt/keyrings/internal.gpg arch=amd64] http://mirror.internal/debian bookworm main\n"
                   "\n"
                   "  deb http://mirror.internal/debian-security bookworm-security main\n")
        self.write("sources.list.d/extra.list", "deb file:/srv/offline-mirror bookworm main\n")
        done = self.run_script()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.written(), {"imps-deb-src.list": (
            "deb-src [signed-by=/etc/apt/keyrings/internal.gpg arch=amd64] http://mirror.internal/debian bookworm main\n"
            "deb-src http://mirror.internal/debian-security bookworm-security main\n"
            "deb-src file:/srv/offline-mirror bookworm main\n")})

    def test_both_forms_on_one_machine(self):
        self.write("sources.list", "deb http://one-line.internal/debian bookworm main\n")
        self.write("sources.list.d/debian.sources",
                   "Types: deb\nURIs: http://deb822.internal/debian\nSuites: bookworm\nComponents: main\n")
        done = self.run_script()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.written(), {
            "imps-deb-src.list": "deb-src http://one-line.internal/debian bookworm main\n",
            "imps-deb-src.sources":
                "Types: deb-src\nURIs: http://deb822.internal/debian\nSuites: bookworm\nComponents: main\n"})

    def test_stanzas_of_other_types_are_not_copied(self):
        self.write("sources.list.d/a.sources",
                   "Types: deb\nURIs: http://a.internal/debian\nSuites: bookworm\nComponents: main\n")
        self.write("sources.list.d/b.sources",
                   "Types: debx\nURIs: http://b.internal/debian\nSuites: bookworm\nComponents: main\n")
        done = self.run_script()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("b.internal", self.written()["imps-deb-src.sources"])
        self.assertIn("a.internal", self.written()["imps-deb-src.sources"])

    def test_existing_deb_src_entries_are_left_alone(self):
        for name, text in [
                ("sources.list.d/debian.sources",
                 "Types: deb deb-src\nURIs: http://mirror.internal/debian\nSuites: bookworm\nComponents: main\n"),
                ("sources.list", "deb http://m.internal/debian bookworm main\n"
                                 "deb-src http://m.internal/debian bookworm main\n")]:
            with self.subTest(name=name):
                self.tearDown()
                self.setUp()
                self.write(name, text)
                done = self.run_script()
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(self.written(), {})

    def test_no_deb_entry_is_an_error_naming_what_is_missing(self):
        self.write("sources.list", "# deb http://commented.example/debian bookworm main\n")
        self.write("sources.list.d/old.sources.disabled", "Types: deb\nURIs: http://x/debian\n")
        done = self.run_script()
        self.assertEqual(done.returncode, 1)
        self.assertIn("no apt 'deb' entry", done.stderr)
        self.assertIn(os.path.join(self.apt, "sources.list"), done.stderr)
        self.assertIn("mirror", done.stderr)
        self.assertEqual(self.written(), {})

    def test_setup_names_no_mirror_of_its_own(self):
        for name in ("setup.sh", "deb_src.sh"):
            with open(os.path.join(ROOT, "scripts", name)) as f:
                text = f.read()
            with self.subTest(script=name):
                self.assertNotIn("debian.org", text)
                self.assertNotIn("http://", text)


if __name__ == "__main__":
    unittest.main()
