"""How much of the host's CPU the encoding of drafts and search input in web requests
may take.

Encoding one draft with multilingual-e5-small costs about a quarter of a CPU-second on
a small server (docs/search.md); many colleagues typing at once would take every core
from the other pages. The host's web processes share a leaky bucket, a small file in
the index folder under a file lock: every encoding adds the CPU time it took, the
bucket drains at SEARCH_ENCODING_SHARE CPU-seconds per second, and while it holds more
than SEARCH_ENCODING_BURST seconds a request does not encode: the panel and the search
box answer lexically (complete, with their reasons) until it has drained. The command
line (`flask search evaluate`, `query`, `similar`) is not limited.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .index import file_lock, root

BUCKET_FILE = "encoding-budget"


@dataclass(frozen=True)
class Budget:
    path: Path
    share: float  # CPU-seconds per second the bucket drains
    burst: float  # CPU-seconds it may hold before requests stop encoding

    def allows(self) -> bool:
        """Whether a request may encode now."""
        with file_lock(self.path.with_suffix(".lock"), wait=True):
            return self._level(time.monotonic()) <= self.burst

    def spend(self, cpu_seconds: float) -> None:
        with file_lock(self.path.with_suffix(".lock"), wait=True):
            now = time.monotonic()
            self.path.write_text(f"{self._level(now) + cpu_seconds:.6f} {now:.6f}")

    def _level(self, now: float) -> float:
        try:
            level, at = (float(part) for part in self.path.read_text().split())
        except (OSError, ValueError):  # no bucket yet, or unreadable: an empty one
            return 0.0
        return max(0.0, level - max(0.0, now - at) * self.share)


def current() -> Budget | None:
    """The app's budget; None when SEARCH_ENCODING_SHARE is unset (no limit)."""
    share = current_app.config.get("SEARCH_ENCODING_SHARE")
    if share is None:
        return None
    return Budget(root() / BUCKET_FILE, float(share),
                  float(current_app.config.get("SEARCH_ENCODING_BURST", 0.0)))
