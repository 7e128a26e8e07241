"""A conflict-resolution strategy that is correct and deterministic.

experta's DepthStrategy removes an invalidated activation by looking only at
the neighbours of its bisect position; with three or more activations sharing
a key, the wrong one can stay and fire (DEVELOPERS.md, "experta's sharp
edges"). Its ties are also broken by hash order, which varies between
processes. This strategy
removes invalidated activations wherever they stand and breaks ties by rule
name, so a run is the same in every process.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from pnet_expert.engine._experta import Strategy


class SafeDepthStrategy(Strategy):
    """Depth-first by salience, then by the newest fact, then by rule name."""

    @staticmethod
    def key(activation: Any) -> tuple[int, list[int], str]:
        """Sort key: higher salience, newer facts and later names fire first (the list's end)."""
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts, activation.rule.__name__)

    def _update_agenda(self, agenda: Any, added: Iterable[Any], removed: Iterable[Any]) -> None:
        removed = list(removed)
        if removed:
            for act in removed:
                act.key = self.key(act)
            gone = set(removed)
            agenda.activations = [a for a in agenda.activations if a not in gone]
        for act in added:
            act.key = self.key(act)
            bisect.insort(agenda.activations, act)
