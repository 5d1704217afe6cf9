"""Behaviour knobs shared by the server, watches and controllers; tests change them at runtime.

Plain attributes read without locking: each is replaced atomically and read once per decision.
"""

from dataclasses import dataclass, fields


@dataclass
class Settings:
    # The watch cache sends a bookmark about once a minute; tests shorten it. 0 = never.
    bookmark_interval: float = 60.0
    # Namespaces linger as Terminating this long before their contents go (real: ~seconds).
    namespace_delay: float = 0.2
    # Background garbage collection of dependents lags the owner's deletion (real: ~seconds).
    gc_delay: float = 0.1
    # Like a list served from the watch cache: return everything, no continue token.
    ignore_limit: bool = False
    # Split watch output at random points so events straddle chunks (and pack several per chunk).
    random_chunks: bool = True
    # kube-apiserver gzips non-watch responses above 128 KiB when the client accepts gzip.
    gzip_min_bytes: int = 128 * 1024
    # Watches without timeoutSeconds end after a random time in [min, 2*min) like the apiserver.
    watch_min_timeout: float = 1800.0
    # Reason of the ERROR event for a too-old watch: "Expired" (current) or "Gone" (<= 1.17).
    too_old_reason: str = "Expired"
    # Create a `default` ServiceAccount in each new namespace, as every real cluster does.
    service_account_controller: bool = True

    def update(self, values):
        """Applies a dict of known settings; returns the names it did not know."""
        known = {f.name: f.type for f in fields(self)}
        unknown = [k for k in values if k not in known]
        for name, value in values.items():
            if name in known:
                setattr(self, name, value)
        return unknown

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}
