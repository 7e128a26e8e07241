"""The knowledge base as one plain Python function: the floor and the cross-check of the engine.

Consultations always run on experta (``session.py``). This module exists for
two other jobs:

* **The floor.** ``benchmarks/run.py`` times the same cases through this
  function, to say how far the engine (and the explanation it records) is from
  the cheapest evaluation of the same rules in Python.
* **The cross-check.** ``tests/test_plain.py`` asserts, on hypothesis-generated
  cases, that this function and the engine agree on the findings derived, the
  rules fired and the options offered. Two independent readings of the same
  data that agree are good evidence that the compiler is right.

Nothing here is written per rule: :func:`compile_plain` generates the function's
source from the knowledge base's data (one ``if`` per branch of each rule, in
disjunctive normal form like the engine's rules) and ``exec``\\s it. The same
semantics as the engine's, by construction of each test:

* a fact test on an unknown fact is not met (the fact is absent);
* a count test counts the records whose every ``where`` field is known and
  allowed (a record with an unknown field is not counted, as an experta
  pattern on a missing field does not match it);
* a finding test is met by a derived finding whose attributes are known and
  allowed; a finding carries the fields of its one matching record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from pnet_expert.core.case import Patient
from pnet_expert.core.schema import (
    AnyOf,
    Condition,
    CountTest,
    FactTest,
    FindingTest,
    KnowledgeBase,
    branches,
)

FindingKey = tuple[str, tuple[tuple[str, str], ...]]
"""A derived finding: its id and the attributes it carries, sorted (as ``session.FindingKey``)."""


@attrs.frozen
class PlainResult:
    """What the plain evaluation concludes on one case.

    ``findings`` are sorted; ``fired_rules`` are the recommendation rules that
    hold, sorted; ``options`` maps each offered treatment to the ids of the
    rules offering it, in the knowledge base's rule order.
    """

    findings: tuple[FindingKey, ...]
    fired_rules: tuple[str, ...]
    options: Mapping[str, tuple[str, ...]]


@attrs.frozen(eq=False)
class PlainEvaluator:
    """A knowledge base compiled into one Python function (``source`` shows it)."""

    source: str
    function: Callable[[dict[str, Any]], tuple[list[FindingKey], list[str]]] = attrs.field(repr=False)
    offers: Mapping[str, tuple[str, ...]] = attrs.field(repr=False)
    treatment_order: Mapping[str, int] = attrs.field(repr=False)

    def evaluate(self, patient: Patient) -> PlainResult:
        """Evaluate every rule on a case."""
        findings, fired = self.function(dict(patient.known))
        options: dict[str, list[str]] = {}
        for rule_id in fired:  # generated in the knowledge base's rule order
            for treatment in self.offers[rule_id]:
                options.setdefault(treatment, []).append(rule_id)
        ordered = sorted(options, key=self.treatment_order.__getitem__)
        return PlainResult(
            tuple(sorted(set(findings))),
            tuple(sorted(fired)),
            {t: tuple(options[t]) for t in ordered},
        )


class _Source:
    """Generates the function's source; constants go into its namespace, never into the text."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self.counts: dict[tuple[str, Any], str] = {}

    def constant(self, value: Any) -> str:
        for name, known in self.constants.items():
            if type(known) is type(value) and known == value:
                return name
        name = f"C{len(self.constants)}"
        self.constants[name] = value
        return name

    def count(self, test: CountTest) -> str:
        """A local variable holding the matching records of a count test (None: the fact is unknown)."""
        key = (test.fact, test.where)
        if key not in self.counts:
            name = f"m{len(self.counts)}"
            checks = " and ".join(
                f"r.get({field!r}) in {self.constant(frozenset(allowed))}" for field, allowed in test.where
            )
            self.lines.append(f"    records = facts.get({test.fact!r})")
            self.lines.append(
                f"    {name} = None if records is None else [r for r in records if {checks or 'True'}]"
            )
            self.counts[key] = name
        return self.counts[key]

    def test(self, t: FactTest | CountTest | FindingTest) -> str:
        """A Python expression for one elementary test."""
        if isinstance(t, FactTest):
            value = f"facts.get({t.fact!r})"
            if t.op in ("is", "in"):
                return f"({value} in {self.constant(frozenset(t.values))})"
            return f"(not {self.constant(frozenset(t.values))}.isdisjoint({value} or ()))"
        if isinstance(t, CountTest):
            name = self.count(t)
            bound = f"== {t.exactly}" if t.exactly is not None else f">= {t.at_least}"
            return f"({name} is not None and len({name}) {bound})"
        held = f"derived.get({t.finding!r}, ())"
        if not t.where:
            return f"bool({held})"
        checks = " and ".join(
            f"dict(a).get({attribute!r}) in {self.constant(frozenset(allowed))}"
            for attribute, allowed in t.where
        )
        return f"any({checks} for a in {held})"

    def branch(self, tests: tuple[FactTest | CountTest | FindingTest, ...]) -> str:
        """One branch of a rule (from ``schema.branches``) as a Python expression."""
        parts = [self.test(t) for t in tests]
        return " and ".join(parts) or "True"

    def carry(self, tests: tuple[Condition, ...]) -> str:
        """The attributes a finding takes from its one matching record, as a sorted tuple expression."""
        for t in tests:
            if isinstance(t, CountTest) and t.carry:
                name = self.count(t)
                items = ", ".join(f"({field!r}, {name}[0].get({field!r}))" for field in sorted(t.carry))
                return f"tuple((k, v) for k, v in ({items},) if v is not None)"
        return "()"


def _finding_order(kb: KnowledgeBase) -> list[str]:
    """Findings in an order where each comes after the findings its rule tests (the loader forbids cycles)."""
    done: list[str] = []

    def visit(finding_id: str) -> None:
        if finding_id in done:
            return
        stack = list(kb.findings[finding_id].rule.when)
        while stack:
            c = stack.pop()
            if isinstance(c, AnyOf):
                stack.extend(c.options)
            elif isinstance(c, FindingTest):
                visit(c.finding)
        done.append(finding_id)

    for finding_id in kb.findings:
        visit(finding_id)
    return done


def compile_plain(kb: KnowledgeBase) -> PlainEvaluator:
    """Generate and compile the plain-Python evaluation of a knowledge base."""
    src = _Source(kb)
    body = src.lines
    body.append("    derived = {}")
    for finding_id in _finding_order(kb):
        finding_rule = kb.findings[finding_id].rule
        for tests in branches(finding_rule.when):
            condition = src.branch(tests)
            body.append(f"    if {condition}:  # {finding_rule.id}")
            body.append(f"        derived.setdefault({finding_id!r}, set()).add({src.carry(tests)})")
    body.append("    fired = []")
    for rule in kb.rules.values():
        condition = " or ".join(f"({src.branch(tests)})" for tests in branches(kb.conditions_of(rule)))
        body.append(f"    if {condition}:")
        body.append(f"        fired.append({rule.id!r})")
    body.append("    return [(name, a) for name, attrs in derived.items() for a in attrs], fired")
    source = "def evaluate(facts):\n" + "\n".join(body) + "\n"
    namespace: dict[str, Any] = dict(src.constants)
    exec(compile(source, f"<plain evaluation of {kb.name} {kb.version}>", "exec"), namespace)
    return PlainEvaluator(
        source=source,
        function=namespace["evaluate"],
        offers={r.id: tuple(o.treatment for o in r.offers) for r in kb.rules.values()},
        treatment_order=kb.ranks.treatments,
    )
