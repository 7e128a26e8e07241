"""Run cases through a knowledge base's compiled engine and read back what fired.

The engine class is built once per knowledge base and process; each thread
gets its own engine instance, reused across cases with ``reset()``, so
``recommend`` is safe to call from several threads at once.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import attrs

from pnet_expert.core.case import FactValue, Patient
from pnet_expert.core.schema import FactTest, KnowledgeBase
from pnet_expert.engine.compiler import Compiler, Plan, encode

FindingKey = tuple[str, tuple[tuple[str, str], ...]]
"""A derived finding: its id and the attributes it carries, sorted."""


@attrs.frozen
class Firing:
    """One rule firing, read back as plain data.

    ``facts`` are the case facts its own patterns matched (a set fact gives the
    matching elements; a records fact the indices of the matched records);
    ``findings`` the findings it matched; ``derived`` the finding it declared.
    """

    rule_id: str
    branch: int
    facts: tuple[tuple[str, FactValue | tuple[int, ...]], ...]
    findings: tuple[FindingKey, ...]
    derived: FindingKey | None = None


@attrs.frozen
class CompiledKB:
    """A knowledge base compiled into an experta engine class, with its plans."""

    kb: KnowledgeBase
    engine_class: type[Any]
    plans: dict[str, Plan]
    _local: threading.local = attrs.field(factory=threading.local, eq=False, repr=False)

    def engine(self) -> Any:
        """This thread's engine instance (built on first use, then reused)."""
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = self.engine_class()
            self._local.engine = engine
        return engine

    def run(self, patient: Patient) -> tuple[Firing, ...]:
        """Reason on one case: every firing, findings and recommendations alike."""
        engine = self.engine()
        engine.reset()
        engine.declare(*encode(self.kb, patient, self.engine_class.count_filters))
        engine.run()
        return tuple(_read(plan, bound, engine.case_fact) for plan, bound in engine.firings)


def _read(plan: Plan, bound: dict[str, Any], case_fact: Any = None) -> Firing:
    """Turn a firing's experta bindings into plain data.

    A module's own condition (``plan.focus``) was tested on the case fact the
    engine focused on, not by a pattern: its facts are read from that fact.
    """
    facts: list[tuple[str, Any]] = []
    sources: tuple[tuple[tuple[FactTest, ...], Any], ...] = (
        (plan.focus, case_fact),
        (plan.case_tests, bound.get("case")),
    )
    for tests, case in sources:
        for test in tests:
            value = case[test.fact]
            if test.op in ("contains", "contains_any"):
                value = tuple(v for v in value if v in test.values)
            facts.append((test.fact, value))
    for name, count in plan.counts:
        facts.append((count.fact, bound[name]["indices"]))
    findings = tuple(_finding_key(bound[name]) for name, _ in plan.findings)
    derived = None
    if plan.finding is not None:
        derived = (plan.finding, tuple(sorted(plan.carried(bound).items())))
    return Firing(plan.rule_id, plan.branch, tuple(facts), findings, derived)


def _finding_key(fact: Any) -> FindingKey:
    """A Finding fact as plain data: its name and its attributes (strings), sorted."""
    items = [(k, v) for k, v in fact.items() if k != "name" and not (k.startswith("__") and k.endswith("__"))]
    return (fact["name"], tuple(sorted(items)))


_compiled: weakref.WeakKeyDictionary[KnowledgeBase, CompiledKB] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
builds = 0
"""How many engine classes this process has built (one per knowledge base)."""


def compiled(kb: KnowledgeBase) -> CompiledKB:
    """The compiled engine of a knowledge base: built on first use, then shared."""
    global builds
    found = _compiled.get(kb)
    if found is not None:
        return found
    with _lock:
        found = _compiled.get(kb)
        if found is None:
            compiler = Compiler(kb)
            engine_class = compiler.build()
            found = CompiledKB(kb, engine_class, compiler.plans)
            _compiled[kb] = found
            builds += 1
        return found
