"""Three-valued evaluation of the knowledge base's conditions on a case.

The experta engine decides what fires. This module answers the questions an
engine cannot: *why not* (which condition failed, which was unknown), *what
could still matter* (the interview), and whether a case breaks a constraint.
A test on an unknown fact is UNKNOWN, never FALSE: unknown is not false.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from pnet_expert.core.records import FactValue, Record
from pnet_expert.core.schema import (
    AnyOf,
    Condition,
    CountTest,
    FactTest,
    FindingTest,
    KnowledgeBase,
)

if TYPE_CHECKING:
    from pnet_expert.core.case import Patient


def field_slot(fact: str, index: int, field: str) -> str:
    """The name of one field of one record, as unknowns are named: ``tumors[0].size``."""
    return f"{fact}[{index}].{field}"


FIELD_SLOT = re.compile(r"(\w+)\[(\d+)\]\.(\w+)")
"""Parses a name made by :func:`field_slot` (fact, index, field)."""


def slot_fact(name: str) -> str:
    """The fact an unknown name belongs to: ``tumors`` for ``tumors[0].size``, else the name."""
    match = FIELD_SLOT.fullmatch(name)
    return match.group(1) if match else name


class Truth(enum.Enum):
    """Kleene's three truth values."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @staticmethod
    def all_of(values: Iterable[Truth]) -> Truth:
        """FALSE if one is FALSE, else UNKNOWN if one is UNKNOWN, else TRUE."""
        seen = set(values)
        if Truth.FALSE in seen:
            return Truth.FALSE
        return Truth.UNKNOWN if Truth.UNKNOWN in seen else Truth.TRUE

    @staticmethod
    def any_of(values: Iterable[Truth]) -> Truth:
        """TRUE if one is TRUE, else UNKNOWN if one is UNKNOWN, else FALSE."""
        seen = set(values)
        if Truth.TRUE in seen:
            return Truth.TRUE
        return Truth.UNKNOWN if Truth.UNKNOWN in seen else Truth.FALSE


@attrs.frozen
class Outcome:
    """What one condition came to on a case, and on what.

    ``facts`` are the known facts the outcome rests on (for sets, the matching
    elements when TRUE); ``unknown`` names what was needed and not known
    (``resectable``, ``tumors[0].size``); ``attributes`` are a finding's.
    """

    condition: Condition
    truth: Truth
    facts: Mapping[str, FactValue] = attrs.field(factory=dict)
    unknown: tuple[str, ...] = ()
    findings: tuple[FindingOutcome, ...] = ()


@attrs.frozen
class FindingOutcome:
    """Whether a finding holds on a case, with the attributes it carries when it does."""

    finding: str
    truth: Truth
    attributes: Mapping[str, str | None]
    outcomes: tuple[Outcome, ...]

    @property
    def unknown(self) -> tuple[str, ...]:
        """Every unknown its rule ran into."""
        return _union_unknown(self.outcomes)


class Evaluator:
    """Evaluates conditions on one case, remembering each finding's outcome.

    ``settled`` names what was asked and answered unknown (a fact, or one field
    of one record: ``tumors[0].size``): it stays unknown, so a test that needs
    it known can never hold. Such a test is FALSE here, for what can still
    fire; without ``settled`` (explanations, WHY NOT) it is UNKNOWN, as always.
    The conditions are positive (a test on an unknown value is never met, and
    no condition negates another), so a conjunction or disjunction is then
    TRUE or UNKNOWN exactly when some answer to the names still open can make
    it hold.
    """

    def __init__(self, kb: KnowledgeBase, patient: Patient, settled: frozenset[str] = frozenset()) -> None:
        self.kb = kb
        self.patient = patient
        self.settled = settled
        self._findings: dict[str, FindingOutcome] = {}

    def all(self, conditions: Iterable[Condition]) -> tuple[Truth, tuple[Outcome, ...]]:
        """Evaluate a conjunction: its truth and each condition's outcome."""
        outcomes = tuple(self.one(c) for c in conditions)
        return Truth.all_of(o.truth for o in outcomes), outcomes

    def one(self, condition: Condition) -> Outcome:
        """Evaluate one condition."""
        if isinstance(condition, FactTest):
            return self._fact(condition)
        if isinstance(condition, CountTest):
            return self._count(condition)
        if isinstance(condition, FindingTest):
            return self._finding_test(condition)
        return self._any(condition)

    def finding(self, finding_id: str) -> FindingOutcome:
        """Whether a finding holds (memoised per case)."""
        if finding_id not in self._findings:
            spec = self.kb.findings[finding_id]
            truth, outcomes = self.all(spec.rule.when)
            attributes: dict[str, str | None] = {}
            if truth is Truth.TRUE:
                for o in outcomes:
                    if isinstance(o.condition, CountTest) and o.condition.carry:
                        record = self._matching_records(o.condition)[0][1]
                        attributes.update({f: record.get(f) for f in o.condition.carry})
            self._findings[finding_id] = FindingOutcome(finding_id, truth, attributes, outcomes)
        return self._findings[finding_id]

    def _fact(self, t: FactTest) -> Outcome:
        value = self.patient.get(t.fact)
        if value is None:
            if t.fact in self.settled:
                return Outcome(t, Truth.FALSE)
            return Outcome(t, Truth.UNKNOWN, unknown=(t.fact,))
        if t.op in ("is", "in"):
            return Outcome(t, _truth(value in t.values), {t.fact: value})
        assert isinstance(value, tuple)
        matched = tuple(v for v in value if v in t.values)
        ok = bool(matched)
        return Outcome(t, _truth(ok), {t.fact: matched if ok else value})

    def _matching_records(self, t: CountTest) -> list[tuple[int, Record]]:
        records = self.patient.get(t.fact)
        assert isinstance(records, tuple)
        return [(i, r) for i, r in enumerate(records) if isinstance(r, Record) and t.matches(r) is True]

    def _count(self, t: CountTest) -> Outcome:
        records = self.patient.get(t.fact)
        if records is None:
            if t.fact in self.settled:
                return Outcome(t, Truth.FALSE)
            return Outcome(t, Truth.UNKNOWN, unknown=(t.fact,))
        assert isinstance(records, tuple)
        matched = self._matching_records(t)
        unsure = [
            field_slot(t.fact, i, field)
            for i, r in enumerate(records)
            if isinstance(r, Record) and t.matches(r) is None
            for field, _ in t.where
            if r.get(field) is None
        ]
        # A record whose field stays unknown never matches, as the engine counts it (not at all).
        stuck = {u.split(".")[0] for u in unsure if u in self.settled}
        unsure = [u for u in unsure if u.split(".")[0] not in stuck]
        truth = count_truth(t, len(matched), len({u.split(".")[0] for u in unsure}))
        shown = tuple(r for _, r in matched) if truth is Truth.TRUE else records
        return Outcome(t, truth, {t.fact: shown}, unknown=tuple(unsure) if truth is Truth.UNKNOWN else ())

    def _finding_test(self, t: FindingTest) -> Outcome:
        held = self.finding(t.finding)
        facts = _union_facts(held.outcomes)
        if held.truth is not Truth.TRUE:
            return Outcome(t, held.truth, facts, held.unknown if held.truth is Truth.UNKNOWN else (), (held,))
        truths, unknown = [], []
        for attribute, allowed in t.where:
            value = held.attributes.get(attribute)
            if value is None:
                source = self._attribute_source(t.finding, attribute)
                if source in self.settled:
                    truths.append(Truth.FALSE)
                    continue
                truths.append(Truth.UNKNOWN)
                unknown.append(source)
            else:
                truths.append(_truth(value in allowed))
        return Outcome(t, Truth.all_of(truths), facts, tuple(unknown), (held,))

    def _attribute_source(self, finding_id: str, attribute: str) -> str:
        """Name the record field an unknown attribute comes from: ``tumors[0].size``."""
        spec = self.kb.findings[finding_id]
        for c in spec.rule.when:
            if isinstance(c, CountTest) and attribute in c.carry:
                index = self._matching_records(c)[0][0]
                return field_slot(c.fact, index, attribute)
        return attribute  # pragma: no cover - the loader ties attributes to records

    def _any(self, c: AnyOf) -> Outcome:
        outcomes = tuple(self.one(o) for o in c.options)
        truth = Truth.any_of(o.truth for o in outcomes)
        if truth is Truth.TRUE:
            kept = tuple(o for o in outcomes if o.truth is Truth.TRUE)
        elif truth is Truth.UNKNOWN:
            kept = tuple(o for o in outcomes if o.truth is Truth.UNKNOWN)
        else:
            kept = outcomes
        return Outcome(
            c,
            truth,
            _union_facts(kept),
            _union_unknown(kept) if truth is Truth.UNKNOWN else (),
            tuple(f for o in kept for f in o.findings),
        )


def count_truth(t: CountTest, n_true: int, n_unsure: int) -> Truth:
    """A count's truth from how many records surely match and how many might (a field unknown)."""
    if t.exactly is not None:
        if n_true > t.exactly or n_true + n_unsure < t.exactly:
            return Truth.FALSE
        return Truth.TRUE if n_true == t.exactly and not n_unsure else Truth.UNKNOWN
    assert t.at_least is not None
    if n_true >= t.at_least:
        return Truth.TRUE
    return Truth.UNKNOWN if n_true + n_unsure >= t.at_least else Truth.FALSE


def _truth(ok: bool) -> Truth:
    return Truth.TRUE if ok else Truth.FALSE


def _union_unknown(outcomes: Iterable[Outcome]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for o in outcomes:
        for name in o.unknown:
            seen.setdefault(name, None)
    return tuple(seen)


def _union_facts(outcomes: Iterable[Outcome]) -> dict[str, FactValue]:
    """The facts several outcomes rest on; lists are united in order, each item once (linear in the items)."""
    merged: dict[str, FactValue | dict[object, None]] = {}
    for o in outcomes:
        for name, value in o.facts.items():
            old = merged.get(name)
            if isinstance(value, tuple) and isinstance(old, tuple | dict):
                gathered = old if isinstance(old, dict) else dict.fromkeys(old)
                gathered.update(dict.fromkeys(value))
                merged[name] = gathered
            else:
                merged[name] = value
        for finding in o.findings:
            for name, value in _union_facts(finding.outcomes).items():
                merged.setdefault(name, value)
    return {name: tuple(v) if isinstance(v, dict) else v for name, v in merged.items()}  # type: ignore[misc]
