"""Compile a knowledge base into an experta engine class.

Each finding rule and each recommendation rule becomes experta rules, one per
branch of its condition written in disjunctive normal form (an ``any`` opens
branches; experta's own OR would be split the same way, but a branch of our own
keeps the record of which option matched). Every pattern is bound, and each
rule's action records the facts it matched; a finding rule also declares its
finding, on which other rules chain.

The working memory of one case is small: one ``CaseFacts`` fact holding every
known scalar or set fact, one ``CountFact`` per count the rules take of the
records (tumors), and one ``Finding`` fact per derived finding. An unknown fact
is simply absent, so no pattern on it can match: unknown facts fire nothing.
A known list has a ``CountFact`` for each filter even when no record matches
(``matched`` 0): that is what a count of ``exactly: 0`` of a whole list ("no
tumor is found": ``tumors: []``) tests, and an unknown list (no ``CountFact``)
fails it.

Counts are aggregates, as CLIPS' fact-set queries and Drools' ``accumulate``
are: when a case is encoded, each distinct filter of a count (``tumors`` in
the head, body or tail) is applied to the records once, and its ``CountFact``
says how many match, which, and the fields of the first. A rule then tests the
number (``matched >= 2``). Binding one record per pattern instead would fire
"two or more tumors in the pancreas" once per pair (and an ``at_least: k`` once
per set of k): a cost that grows as the square of the tumors or worse, where
this one grows linearly. What fires, and the records a firing rests on, are the
same (``tests/test_engine.py``, against the logic of ``core/logic.py``).

Modules, as in CLIPS. A section whose condition (``applies_when``) only tests
case facts, such as ``tumor_type: gastrinoma``, can be decided from the case
before anything runs. Such a section is compiled as a *module*: its rules keep
their own patterns only, and the engine, given a case, focuses on the modules
whose conditions hold (``PnetEngine.focus_on``) and matches the case against the
network of those modules' rules plus the findings and the other sections. The
test is made once per case on the declared ``CaseFacts`` fact, not joined into
every rule of the section (it saves about a fifth of a run, see the README);
a firing still reports the section's facts, read from that same fact. Sections
whose condition tests findings are compiled with their condition in every rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from pnet_expert.core.case import Patient
from pnet_expert.core.records import Record
from pnet_expert.core.schema import (
    Condition,
    CountTest,
    FactTest,
    FindingTest,
    KnowledgeBase,
    SectionSpec,
    Where,
    branches,
)
from pnet_expert.engine._experta import (
    AND,
    AS,
    Fact,
    InitialFact,
    L,
    P,
    Rule,
)
from pnet_expert.engine.base import PnetEngine

FINDING_SALIENCE = 1
"""Findings are derived before options are offered, so traces read facts → findings → options."""


class CaseFacts(Fact):
    """The known scalar and set facts of the case (an unknown fact is absent)."""


class CountFact(Fact):
    """What one count's filter finds among a case's records: ``count`` (the filter's number in the
    knowledge base), ``matched`` (how many records match), ``indices`` (which, in order) and ``first``
    (the known fields of the first, as pairs: what a finding carries from its one record)."""


class Finding(Fact):
    """A derived finding: ``name`` and the attributes it carries."""


@attrs.frozen(eq=False)
class Plan:
    """One compiled branch of one rule, and how to read its bindings back.

    ``case_tests`` are tested on the CaseFacts fact (bound as ``case``);
    ``findings`` pairs each binding name with its finding test; ``counts``
    pairs each count test with the binding name of the CountFact it matched.
    ``module`` is the section whose condition, ``focus``, the engine decides
    once per case (see "Modules" above); None for a rule in every network.
    """

    rule_id: str
    branch: int
    finding: str | None
    case_tests: tuple[FactTest, ...]
    findings: tuple[tuple[str, FindingTest], ...]
    counts: tuple[tuple[str, CountTest], ...]
    module: str | None = None
    focus: tuple[FactTest, ...] = ()

    @functools.cached_property
    def carry(self) -> tuple[str, tuple[str, ...]] | None:
        """The record binding and fields a finding carries, if it carries any."""
        for name, test in self.counts:
            if test.carry:
                return name, test.carry
        return None

    def carried(self, bound: dict[str, Any]) -> dict[str, str]:
        """The attributes a firing of this finding rule gives its finding (the known fields carried)."""
        carry = self.carry
        if carry is None:
            return {}
        record = dict(bound[carry[0]]["first"])
        return {f: record[f] for f in carry[1] if f in record}


class _Predicates:
    """Shared predicate functions: equal tests share one alpha node in the Rete network."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, tuple[Any, ...]], Callable[[Any], bool]] = {}

    def get(self, op: str, values: tuple[Any, ...]) -> Callable[[Any], bool]:
        key = (op, values)
        if key not in self._cache:
            allowed = frozenset(values)
            if op in ("is", "in"):
                self._cache[key] = lambda v: v in allowed
            else:  # contains / contains_any: the fact's value is a tuple of values
                self._cache[key] = lambda v: not allowed.isdisjoint(v)
        return self._cache[key]

    def constraint(self, op: str, values: tuple[Any, ...]) -> Any:
        """An experta field constraint for a test."""
        if op == "is":
            return L(values[0])
        if op == "in" and len(values) == 1:
            return L(values[0])
        return P(self.get(op, values))

    def at_least(self, number: int) -> Any:
        """The constraint ``matched >= number`` (one shared function per number)."""
        key = ("at_least", (number,))
        if key not in self._cache:
            self._cache[key] = lambda matched: matched >= number
        return P(self._cache[key])


def _python_name(rule_id: str, branch: int) -> str:
    return "rule_" + re.sub(r"\W", "_", rule_id) + f"__{branch}"


class Compiler:
    """Builds the experta engine class of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.predicates = _Predicates()
        self.plans: dict[str, Plan] = {}
        self.counts: dict[tuple[str, Where], int] = {}
        """Each distinct filter of a count (records fact, where), numbered: what ``encode`` counts."""

    def plans_for(
        self,
        rule_id: str,
        finding: str | None,
        conditions: tuple[Condition, ...],
        module: SectionSpec | None = None,
    ) -> Iterator[Plan]:
        """One plan per branch of a rule's condition; a module's own condition is left to the focus."""
        focused = len(module.applies_when) if module is not None else 0
        for number, tests in enumerate(branches(conditions)):
            focus = tuple(t for t in tests[:focused] if isinstance(t, FactTest))
            tests = tests[focused:]
            case_tests = tuple(t for t in tests if isinstance(t, FactTest))
            finding_tests = [t for t in tests if isinstance(t, FindingTest)]
            counts = [t for t in tests if isinstance(t, CountTest)]
            yield Plan(
                rule_id,
                number,
                finding,
                case_tests,
                tuple((f"finding{i}", t) for i, t in enumerate(finding_tests)),
                tuple((f"count{i}", t) for i, t in enumerate(counts)),
                module=module.id if module is not None else None,
                focus=focus,
            )

    def patterns(self, plan: Plan) -> list[Any]:
        """The bound experta patterns of one plan."""
        out: list[Any] = []
        if plan.case_tests:
            fields: dict[str, Any] = {}
            for t in plan.case_tests:
                c = self.predicates.constraint(t.op, t.values)
                fields[t.fact] = fields[t.fact] & c if t.fact in fields else c
            out.append(AS.case << CaseFacts(**fields))
        for name, finding in plan.findings:
            where = {a: self.predicates.constraint("in", v) for a, v in finding.where}
            out.append(getattr(AS, name) << Finding(name=finding.finding, **where))
        for name, count in plan.counts:
            key = self.counts.setdefault((count.fact, count.where), len(self.counts))
            if count.exactly is not None:
                matched = L(count.exactly)
            else:
                matched = self.predicates.at_least(count.at_least or 1)
            out.append(getattr(AS, name) << CountFact(count=key, matched=matched))
        return out

    def build(self) -> type[Any]:
        """The engine class: one experta rule per plan, on :class:`~.base.PnetEngine`."""
        modules = {s.id: s for s in self.kb.sections.values() if is_module(s)}
        namespace: dict[str, Any] = {
            "case_fact_class": CaseFacts,
            "count_filters": self.counts,
            "modules": {m: self._holds_on_case(s.applies_when) for m, s in modules.items()},
        }
        for finding in self.kb.findings.values():
            for plan in self.plans_for(finding.rule.id, finding.id, finding.rule.when):
                namespace[self._add(plan)] = self._rule(plan, FINDING_SALIENCE)
        for rule in self.kb.rules.values():
            module = modules.get(rule.section)
            for plan in self.plans_for(rule.id, None, self.kb.conditions_of(rule), module):
                namespace[self._add(plan)] = self._rule(plan, 0)
        return type(f"PnetEngine_{self.kb.name}", (PnetEngine,), namespace)

    def _holds_on_case(self, tests: tuple[Condition, ...]) -> Callable[[Any], bool]:
        """A module's condition as a test on the CaseFacts fact (an unknown fact is absent: not met)."""
        checks = [(t.fact, self.predicates.get(t.op, t.values)) for t in tests if isinstance(t, FactTest)]
        assert len(checks) == len(tests), "a module's condition tests case facts only (is_module)"

        def holds(case: Any) -> bool:
            return all(fact in case and test(case[fact]) for fact, test in checks)

        return holds

    def _add(self, plan: Plan) -> str:
        name = _python_name(plan.rule_id, plan.branch)
        self.plans[name] = plan
        return name

    def _rule(self, plan: Plan, salience: int) -> Any:
        patterns = self.patterns(plan)
        lhs = AND(*patterns) if len(patterns) > 1 else (patterns[0] if patterns else InitialFact())
        action = _finding_action(plan) if plan.finding else _record_action(plan)
        action.__name__ = _python_name(plan.rule_id, plan.branch)
        rule = CompiledRule(lhs, salience=salience)(action)
        rule.module = plan.module  # the matcher wires it into the networks of its module only
        return rule


class CompiledRule(Rule):
    """An experta rule that hashes once.

    experta hashes a rule (its whole condition, pattern by pattern) every time
    it hashes an activation of it, and it hashes activations when it files them
    in a conflict-set node's sets and when the strategy removes them. A rule's
    condition, action and salience never change, so its hash is kept; it is
    recomputed only if experta binds the rule to another engine instance (the
    one part of its hash that can change). Rules copied for the network (experta
    prepares each rule) keep this class, so they hash once too.
    """

    def __hash__(self) -> int:
        cached: tuple[Any, int] | None = self.__dict__.get("_pnet_hash")
        if cached is not None and cached[0] is self._wrapped_self:
            return cached[1]
        value = super().__hash__()
        self._pnet_hash = (self._wrapped_self, value)
        return value

    def __eq__(self, other: object) -> bool:
        return self is other or super().__eq__(other)


def is_module(section: SectionSpec) -> bool:
    """Whether a section is compiled as a module: its condition tests case facts only, decided up front."""
    return bool(section.applies_when) and all(isinstance(c, FactTest) for c in section.applies_when)


def _record_action(plan: Plan) -> Callable[..., None]:
    def action(engine: Any, **bound: Any) -> None:
        engine.firings.append((plan, bound))

    return action


def _finding_action(plan: Plan) -> Callable[..., None]:
    def action(engine: Any, **bound: Any) -> None:
        engine.firings.append((plan, bound))
        engine.declare(make_fact(Finding, {"name": plan.finding, **plan.carried(bound)}))

    return action


def encode(kb: KnowledgeBase, patient: Patient, counts: Mapping[tuple[str, Where], int]) -> list[Any]:
    """The working memory of one case: one CaseFacts fact, and one CountFact per count filter of a known list.

    ``counts`` are the compiled filters (the compiler's ``counts``, which the
    engine class keeps as ``count_filters``). A record matches a filter when
    every field the filter names is known and allowed: an unknown field
    matches nothing. Each filter looks at each record once: linear in the records.
    """
    scalars: dict[str, Any] = {}
    facts: list[Any] = []
    by_fact: dict[str, tuple[Record, ...]] = {}
    for name, value in patient.known:
        if kb.facts[name].kind == "records":
            assert isinstance(value, tuple)
            by_fact[name] = value  # type: ignore[assignment]
        else:
            scalars[name] = value
    for (fact, where), key in counts.items():
        records = by_fact.get(fact)
        if records is None:
            continue
        indices = tuple(i for i, record in enumerate(records) if _meets(record, where))
        first = records[indices[0]].known if indices else ()
        facts.append(
            make_fact(CountFact, {"count": key, "matched": len(indices), "indices": indices, "first": first})
        )
    return [make_fact(CaseFacts, scalars), *facts]


def _meets(record: Record, where: Where) -> bool:
    """Every field the filter names is known in the record, and one of the values it allows."""
    for field, allowed in where:
        value = record.get(field)
        if value is None or value not in allowed:
            return False
    return True


def make_fact(fact_class: type[Any], fields: dict[str, Any]) -> Any:
    """A fact holding ``fields``, without experta's per-field ``freeze`` dispatch.

    experta freezes each value as it is set (lists to tuples, dicts to
    frozendicts) so that facts can be hashed. The values here are already
    immutable and hashable (booleans, strings, integers, tuples of strings),
    which ``freeze`` returns unchanged, so they are stored as they are.
    """
    fact = fact_class()
    dict.update(fact, fields)
    return fact
