"""The base of every compiled engine: experta's KnowledgeEngine with our matcher, strategy, reset, run.

The compiler (``compiler.py``) adds one experta rule per branch of each rule of
a knowledge base to a subclass of :class:`PnetEngine`. It is used as any experta
engine is (``reset()``, ``declare(*facts)``, ``run()``). What this class changes
in experta's engine, and why:

* ``__matcher__``: :class:`~.matcher.PnetMatcher`, experta's Rete matcher with
  CLIPS-like modules (one network per focus) and driven with less work;
* ``__strategy__``: :class:`~.strategy.SafeDepthStrategy`, correct and
  deterministic conflict resolution (experta's agenda bug, hash-order ties);
* **focus**: the first ``declare`` after a reset finds the case's
  ``CaseFacts`` fact among the facts declared, decides which modules' conditions
  hold on it (CLIPS would say: sets the focus), and has the matcher use the
  network of those modules; ``InitialFact`` is declared with the case's facts,
  in one propagation;
* ``reset()`` without experta's per-call introspection of the engine (it looks
  up the ``DefFacts`` of the class with ``inspect`` on every reset);
* ``run()``: experta's loop, without its watchers. experta builds each firing's
  log message (a join over the activation's facts) before the logger decides to
  drop it, and checks the watchers' levels twice per cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from pnet_expert.engine._experta import Agenda, FactList, InitialFact, KnowledgeEngine
from pnet_expert.engine.matcher import PnetMatcher
from pnet_expert.engine.strategy import SafeDepthStrategy


class PnetEngine(KnowledgeEngine):
    """experta's engine with the matcher, strategy, focus, reset and run loop described above."""

    __matcher__ = PnetMatcher
    __strategy__ = SafeDepthStrategy

    case_fact_class: ClassVar[type | None] = None
    """The class of the fact that holds the case's facts; its value decides the focus."""
    modules: ClassVar[Mapping[str, Callable[[Any], bool]]] = {}
    """Each module's condition, as a test on the case fact."""
    count_filters: ClassVar[Mapping[tuple[str, Any], int]] = {}
    """Each distinct filter of a count (records fact, where) and its number: what a case's encoding counts."""

    firings: list[tuple[Any, dict[str, Any]]]
    """Every firing of this run: (the plan of the rule's branch, the facts it bound)."""
    case_fact: Any
    """The case fact the focus was decided on (None when no case fact was declared)."""
    focused: bool
    """Whether the focus is set (it is, from the first declaration after a reset on)."""

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self, **kwargs: Any) -> None:
        """Empty the agenda, the facts, the network's memories and the firings; the focus is open again."""
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self.running = False
        self.firings = []
        self.case_fact = None
        self.focused = False

    def focus_on(self, facts: tuple[Any, ...]) -> frozenset[str]:
        """Set the focus from the case fact among ``facts``: the modules whose conditions hold on it."""
        case = next((f for f in facts if type(f) is self.case_fact_class), None)
        modules = frozenset(m for m, holds in self.modules.items() if case is not None and holds(case))
        self.matcher.focus(modules)
        self.case_fact = case
        self.focused = True
        return modules

    def declare(self, *facts: Any) -> Any:
        """Add facts to working memory; the first declaration after a reset also sets the focus."""
        if not self.focused:
            self.focus_on(facts)
            return self._KnowledgeEngine__declare(InitialFact(), *facts)
        return self._KnowledgeEngine__declare(*facts)

    def run(self, steps: float = float("inf")) -> None:
        """Fire activations until the agenda is empty (or ``steps`` fired): experta's loop, unlogged."""
        if not self.focused:
            self.declare()
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
