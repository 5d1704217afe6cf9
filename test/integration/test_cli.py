"""The command-line contract of build/imps (README.md, Flags): --help, --version, and exit status 2
with a one-line reason for every bad flag, before the binary touches any cluster."""

import os
import subprocess
import unittest

IMPS = os.environ.get("IMPS_BINARY", os.path.join(os.path.dirname(__file__), "..", "..", "build", "imps"))

# Bounds a hung binary; the flag checks themselves take milliseconds.
TIMEOUT_S = 30

SPEC_FLAGS = [
    "--mode", "--kubeconfig", "--context", "--metrics-addr", "--health-probe-addr",
    "--periodic-reconcile-interval", "--enable-leader-election", "--config-namespace",
    "--leader-election-namespace", "--qps", "--burst", "--log-level", "--log-format",
    "--target-secret", "--source-secret", "--version", "--help",
    "--leader-election-lease-duration", "--leader-election-renew-deadline", "--leader-election-retry-period",
]


def run(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "LOG_FORMAT", "KUBECONFIG")}
    full_env.update(env or {})
    return subprocess.run([IMPS, *args], capture_output=True, text=True, timeout=TIMEOUT_S, env=full_env)


class CommandLineTest(unittest.TestCase):
    def assert_bad_flags(self, args, expected_reason, env=None):
        result = run(*args, env=env)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stdout, "")
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("imps: "), lines[0])
        self.assertIn(expected_reason, lines[0])
        self.assertIn("--help", lines[0])

    def test_help_lists_every_flag_with_defaults(self):
        for flag in ("--help", "-h", "-help"):
            result = run(flag)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stderr, "")
            for name in SPEC_FLAGS:
                self.assertIn(name, result.stdout)
            for default in (":8080", ":8081", "300", "controller", "info", "json", "20", "40"):
                self.assertIn("(default " + default, result.stdout)

    def test_version(self):
        result = run("--version")
        self.assertEqual(result.returncode, 0, result.stderr)
        first, *rest = result.stdout.splitlines()
        self.assertRegex(first, r"^imps \d+\.\d+\.\d+$")
        self.assertTrue(rest and "mbedTLS" in rest[0], result.stdout)

    def test_unknown_flag(self):
        self.assert_bad_flags(["--bogus"], 'unknown flag "--bogus"')
        self.assert_bad_flags(["positional"], 'unexpected argument "positional"')

    def test_missing_value(self):
        self.assert_bad_flags(["--mode"], "--mode needs a value")

    def test_refresher_flag_errors(self):
        self.assert_bad_flags(["--mode=refresher", "--source-secret=default.a"], "needs --target-secret")
        self.assert_bad_flags(["--mode=refresher", "--target-secret=default.t"], "at least one --source-secret")
        self.assert_bad_flags(["--mode=refresher", "--target-secret=nodot", "--source-secret=default.a"],
                              "--target-secret: expected <namespace>.<name>")
        self.assert_bad_flags(["--mode=refresher", "--target-secret=default.t", "--source-secret=default."],
                              "empty part")
        # Without --mode, one refresher flag already means refresher mode, so the other is missing.
        self.assert_bad_flags(["--target-secret=default.t"], "at least one --source-secret")
        self.assert_bad_flags(["--source-secret=default.a"], "needs --target-secret")

    def test_an_explicit_controller_mode_refuses_refresher_flags(self):
        self.assert_bad_flags(["--mode=controller", "--target-secret=default.t", "--source-secret=default.a"],
                              "--target-secret and --source-secret are refresher flags, not for --mode=controller")

    def test_bad_log_settings(self):
        self.assert_bad_flags(["--log-format=xml"], '--log-format: expected json, logfmt or text, not "xml"')
        self.assert_bad_flags(["--log-level=loud"], "--log-level: expected trace, debug, info, warn, error")
        self.assert_bad_flags(["--log.level=loud"], "--log-level: expected trace, debug, info, warn, error")
        self.assert_bad_flags([], 'LOG_FORMAT: expected json, logfmt or text, not "xml"', env={"LOG_FORMAT": "xml"})

    def test_bad_numbers_and_durations(self):
        self.assert_bad_flags(["--qps=0"], "--qps: must be positive")
        self.assert_bad_flags(["--burst=-1"], "--burst")
        self.assert_bad_flags(["--periodic-reconcile-interval=0"], "--periodic-reconcile-interval")
        self.assert_bad_flags(["--leader-election-lease-duration=5s"], "must be longer")

    def test_good_flags_pass_and_logging_follows_them(self):
        # The flags are fine, so whatever the mode then says about the missing cluster is logged in
        # the requested text format, not as a flag error.
        result = run("--log-format=text", "--mode=refresher", "--target-secret=default.t",
                     "--source-secret=default.a", "--metrics-addr=127.0.0.1:0", "--health-probe-addr=0",
                     env={"KUBECONFIG": "/nonexistent/kubeconfig"})
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("see imps --help", result.stderr)
        self.assertTrue(result.stderr, "expected a log line explaining the failure")
        for line in result.stderr.splitlines():
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (ERROR|WARN|INFO|DEBUG) ")

    def test_the_original_refresher_command_line_runs_in_refresher_mode(self):
        # The Go original's refresher Deployment: no --mode, its log flag, its logfmt and level names.
        # The flags are accepted, so the missing cluster is what fails, logged as logfmt.
        for level_args, env in ((["--log.level=trace"], {"LOG_FORMAT": "logfmt"}),
                                (["-log.level", "debug"], {"LOG_FORMAT": "logfmt"}),
                                ([], {"LOG_FORMAT": "logfmt", "LOG_LEVEL": "trace"}),
                                ([], {"LOG_FORMAT": "logfmt", "LOG_LEVEL": "panic"}),
                                ([], {"LOG_FORMAT": "logfmt", "LOG_LEVEL": "fatal"})):
            result = run("--target-secret=default.t", "--source-secret=default.a", *level_args,
                         "--metrics-addr=127.0.0.1:0", "--health-probe-addr=0",
                         env={"KUBECONFIG": "/nonexistent/kubeconfig", **env})
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertNotIn("see imps --help", result.stderr)
            lines = result.stderr.splitlines()
            self.assertTrue(lines, "expected a log line explaining the failure")
            for line in lines:
                self.assertRegex(line, r'^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(error|warn|info|debug) '
                                       r'msg=("[^"]*"|\S+)( [\w.-]+=("([^"\\]|\\.)*"|[^ "]+))*$')
            self.assertIn("level=error", lines[-1])


if __name__ == "__main__":
    unittest.main()
