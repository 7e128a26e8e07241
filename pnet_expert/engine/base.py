"""The base of every compiled engine: experta's KnowledgeEngine with our matcher, strategy, reset, run.

The compiler (``compiler.py``) adds one experta rule per branch of each rule of
a knowledge base to a subclass of :class:`PnetEngine`. What this class changes
in experta's engine, and why:

* ``__matcher__``: :class:`~.matcher.PnetMatcher`, experta's Rete matcher driven
  with less work (polls and resets only what changed);
* ``__strategy__``: :class:`~.strategy.SafeDepthStrategy`, correct and
  deterministic conflict resolution (experta's agenda bug, hash-order ties);
* ``reset()`` without experta's per-call introspection of the engine (it looks
  up the ``DefFacts`` of the class with ``inspect`` on every reset);
* ``run()``: experta's loop, without its watchers. experta builds each firing's
  log message (a join over the activation's facts) before the logger decides to
  drop it, and checks the watchers' levels twice per cycle.
"""

from __future__ import annotations

from typing import Any

from ._experta import Agenda, FactList, InitialFact, KnowledgeEngine
from .matcher import PnetMatcher
from .strategy import SafeDepthStrategy


class PnetEngine(KnowledgeEngine):
    """experta's engine with the matcher, strategy, reset and run loop described above."""

    __matcher__ = PnetMatcher
    __strategy__ = SafeDepthStrategy

    firings: list[tuple[Any, dict[str, Any]]]
    """Every firing of this run: (the plan of the rule's branch, the facts it bound)."""

    def reset(self, **kwargs: Any) -> None:
        """Empty the agenda, the facts, the network's memories and the firings; declare InitialFact."""
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self.running = False
        self.firings = []
        self._KnowledgeEngine__declare(InitialFact())  # declare() warns on an empty memory

    def run(self, steps: float = float("inf")) -> None:
        """Fire activations until the agenda is empty (or ``steps`` fired): experta's loop, unlogged."""
        self.running = True
        matcher, facts, strategy, agenda = self.matcher, self.facts, self.strategy, self.agenda
        while steps > 0 and self.running:
            added, removed = matcher.changes(*facts.changes)
            strategy._update_agenda(agenda, added, removed)
            activation = agenda.get_next()
            if activation is None:
                break
            steps -= 1
            activation.rule(self, **{k: v for k, v in activation.context.items() if not k.startswith("__")})
        self.running = False
