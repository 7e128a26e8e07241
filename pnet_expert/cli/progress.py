"""A small progress bar for standard error: count, percent, rate and time left.

Written by hand rather than taken from a library: it is thirty lines, and the
command line's start-up time matters more than a library's features here.
"""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Draws ``label [#####.....] 50% 500/1000 812/s 0:01 left`` in place, at most ten times a second."""

    def __init__(self, total: int, label: str, stream: TextIO, enabled: bool = True) -> None:
        self.total, self.label, self.stream, self.enabled = total, label, stream, enabled
        self.done = 0
        self.start = time.monotonic()
        self._drawn = 0.0

    def advance(self, count: int = 1) -> None:
        """Count work done; redraw when a tenth of a second has passed."""
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= 0.1 or self.done >= self.total):
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        width = 30
        share = self.done / self.total if self.total else 1.0
        filled = int(width * share)
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {share:4.0%} {self.done}/{self.total} {rate:,.0f}/s "
            f"{int(left) // 60}:{int(left) % 60:02d} left "
        )
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
