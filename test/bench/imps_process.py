"""imps under measurement: its log lines with arrival times, and its memory from /proc.

Extends the integration harness's Imps runner: each parsed JSON log line gets "_seen", this
process's time.monotonic() when the line was read (the pipe adds at most milliseconds, enough to
tell phases apart, never used for latencies). A sampler thread keeps the RSS timeline so that
phases (after the lists, after the watches, idle) can be read off afterwards.
"""

import json
import os
import threading
import time

import harness

# RSS sampling period: fine enough to see the list peak, cheap enough to be invisible.
SAMPLE_INTERVAL = 0.05
KIB = 1024


def memory(pid):
    """{"VmRSS": bytes, "VmHWM": bytes} from /proc/<pid>/status (empty once the process is gone)."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) * KIB
    except OSError:
        pass
    return values


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (/proc/<pid>/stat), or None once gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Fields 14 and 15 (utime, stime) of proc(5), counted after the ")" that ends field 2.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ImpsUnderTest(harness.Imps):
    def __init__(self, *args, env=None):
        self.started = time.monotonic()
        self.samples = []  # (monotonic time, VmRSS bytes)
        self._sampling = True
        super().__init__(*args, env=env)
        self.pid = self.process.pid
        self._sampler = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
        self._sampler.start()

    def _read(self):
        for line in self.process.stderr:
            seen = time.monotonic()
            text = line.decode(errors="replace").rstrip("\n")
            with self._lock:
                self.raw.append(text)
                try:
                    parsed = json.loads(text)
                except ValueError:
                    continue
                if isinstance(parsed, dict):
                    parsed["_seen"] = seen
                    self.logs.append(parsed)

    def _sample(self):
        while self._sampling and self.process.poll() is None:
            rss = memory(self.pid).get("VmRSS")
            if rss:
                self.samples.append((time.monotonic(), rss))
            time.sleep(SAMPLE_INTERVAL)

    def cpu(self):
        return cpu_seconds(self.pid)

    def memory(self):
        return memory(self.pid)

    def rss_at(self, when):
        """The last RSS sample taken at or before `when` (None before the first)."""
        value = None
        for t, rss in self.samples:
            if t > when:
                break
            value = rss
        return value

    def peak_between(self, start, end):
        return max((rss for t, rss in self.samples if start <= t <= end), default=None)

    def first_log(self, predicate, after=0.0):
        return next((l for l in self.log_lines() if l["_seen"] >= after and predicate(l)), None)

    def wait_log(self, predicate, timeout, after=0.0):
        """The first log line after `after` matching predicate, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.first_log(predicate, after)
            if line or self.process.poll() is not None:
                return line
            time.sleep(harness.POLL_INTERVAL * 5)
        return None

    def stop(self, timeout=harness.DEFAULT_WAIT):
        self._sampling = False
        return super().stop(timeout)
