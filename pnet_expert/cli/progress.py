"""A small progress bar for standard error: count, percent, rate and time left.

Written by hand rather than taken from a library: it is thirty lines, and the
command line's start-up time matters more than a library's features here.
"""

from __future__ import annotations

import time
from typing import TextIO

from pnet_expert.core.words import terminal_width


class Progress:
    """Draws ``label [#####.....] 50% 500/1000 812/s 0:01 left`` in place, at most ten times a second
    (``label 500 done 812/s`` when the total is not known: lines read from a stream).

    The line fits the width of the terminal it is drawn on (``COLUMNS`` when set):
    the bar shrinks to make room, and on a very narrow terminal the rate and
    the time left go.
    """

    def __init__(self, total: int | None, label: str, stream: TextIO, enabled: bool = True) -> None:
        self.total, self.label, self.stream, self.enabled = total, label, stream, enabled
        self.done = 0
        self.start = time.monotonic()
        self._drawn = 0.0

    def advance(self, count: int = 1) -> None:
        """Count work done; redraw when a tenth of a second has passed."""
        self.done += count
        now = time.monotonic()
        if self.enabled and (
            now - self._drawn >= 0.1 or (self.total is not None and self.done >= self.total)
        ):
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        if self.total is None:  # reading a stream: how many so far, and how fast
            line = f"{self.label} {self.done:,} done {self.done / elapsed:,.0f}/s "
            self.stream.write("\r" + line[: terminal_width(self.stream) - 1])
            self.stream.flush()
            return
        share = self.done / self.total if self.total else 1.0
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        self.stream.write("\r" + self.line(share, rate, left, terminal_width(self.stream) - 1))
        self.stream.flush()

    def line(self, share: float, rate: float, left: float, width: int) -> str:
        """The bar's line, at most ``width`` characters: the bar shrinks first, then the rate and time go."""
        count = f" {share:4.0%} {self.done}/{self.total}"
        more = f" {rate:,.0f}/s {int(left) // 60}:{int(left) % 60:02d} left "
        room = width - len(self.label) - len(count) - len(more) - 3
        if room < 10:
            more, room = " ", width - len(self.label) - len(count) - 4
        bar_width = max(0, min(30, room))
        filled = int(bar_width * share)
        bar = f" [{'#' * filled}{'.' * (bar_width - filled)}]" if bar_width >= 5 else ""
        return f"{self.label}{bar}{count}{more}"[:width]

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
