"""Why a rule did or did not fire on a case: each of its conditions, met, not met or unknown.

This is the WHY NOT of the consultation, the "not offered" part of reports,
and the REPL's account of what a rule is waiting for.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from pnet_expert.core.case import Patient
from pnet_expert.core.logic import FIELD_SLOT, Evaluator, Outcome, Truth
from pnet_expert.core.records import Record
from pnet_expert.core.schema import Condition, FindingTest, KnowledgeBase, RuleSpec
from pnet_expert.core.words import describe, facts_text, record_name, value_text


@attrs.frozen
class ConditionCheck:
    """One condition of a rule on one case."""

    condition: Condition
    truth: Truth
    text: str
    detail: str
    unknown: tuple[str, ...]
    outcome: Outcome = attrs.field(repr=False, eq=False)

    @property
    def finding_held(self) -> bool:
        """For a finding test: the finding holds (only its attributes may differ)."""
        held = self.outcome.findings
        return isinstance(self.condition, FindingTest) and bool(held) and held[0].truth is Truth.TRUE

    def line(self) -> str:
        """'met|NOT met|unknown: condition — detail'."""
        mark = {Truth.TRUE: "met", Truth.FALSE: "NOT met", Truth.UNKNOWN: "unknown"}[self.truth]
        return f"{mark}: {self.text} — {self.detail}"


@attrs.frozen
class RuleCheck:
    """A rule on one case: whether it fired, and each condition's outcome."""

    rule: RuleSpec
    fired: bool
    truth: Truth
    conditions: tuple[ConditionCheck, ...]

    @property
    def failed(self) -> tuple[ConditionCheck, ...]:
        """The conditions known not to hold."""
        return tuple(c for c in self.conditions if c.truth is Truth.FALSE)

    @property
    def unknown(self) -> tuple[ConditionCheck, ...]:
        """The conditions that depend on facts not given."""
        return tuple(c for c in self.conditions if c.truth is Truth.UNKNOWN)

    @property
    def unknown_facts(self) -> tuple[str, ...]:
        """The facts whose absence keeps the rule undecided."""
        return tuple(dict.fromkeys(u for c in self.unknown for u in c.unknown))


class RuleChecks:
    """Every rule of a knowledge base checked on one case, each worked out once when first asked.

    A consultation keeps one, so that WHY NOT, the gaps, the reports and the
    REPL all read the same checks. Safe to share between threads: a race
    works a check out twice, with the same result.
    """

    def __init__(self, kb: KnowledgeBase, patient: Patient, fired_rules: Iterable[str]) -> None:
        self.kb = kb
        self.evaluator = Evaluator(kb, patient)
        self.fired = frozenset(fired_rules)
        self._done: dict[str, RuleCheck] = {}

    def __call__(self, rule_id: str) -> RuleCheck:
        """One rule on this case (its id must be one of the knowledge base's rules)."""
        found = self._done.get(rule_id)
        if found is None:
            rule = self.kb.rules[rule_id]
            found = self._done[rule_id] = check_rule(self.kb, self.evaluator, rule, rule_id in self.fired)
        return found


def check_rule(kb: KnowledgeBase, evaluator: Evaluator, rule: RuleSpec, fired: bool) -> RuleCheck:
    """Evaluate every condition of a rule (its section's, then its own) on the evaluator's case."""
    truth, outcomes = evaluator.all(kb.conditions_of(rule))
    return RuleCheck(rule, fired, truth, tuple(_check(kb, o) for o in outcomes))


def _check(kb: KnowledgeBase, outcome: Outcome) -> ConditionCheck:
    return ConditionCheck(
        outcome.condition,
        outcome.truth,
        describe(outcome.condition, kb),
        detail(kb, outcome),
        outcome.unknown,
        outcome,
    )


def detail(kb: KnowledgeBase, outcome: Outcome) -> str:
    """What the case says about one condition, in words."""
    if outcome.truth is Truth.UNKNOWN:
        return "not known: " + ", ".join(outcome.unknown) + " not given"
    c = outcome.condition
    if isinstance(c, FindingTest) and outcome.findings:
        held = outcome.findings[0]
        if held.truth is Truth.TRUE and c.where:
            attrs_text = ", ".join(f"{k} {value_text(v)}" for k, v in held.attributes.items())
            verb = "holds with" if outcome.truth is Truth.TRUE else "holds, but with"
            return f"{c.finding} {verb} {attrs_text}"
        if held.truth is Truth.FALSE:
            facts = facts_text(outcome.facts)
            return f"{c.finding} does not hold" + (f" ({facts})" if facts else "")
    facts = facts_text(outcome.facts)
    return ("here " + facts) if facts else "here"


def unknown_text(kb: KnowledgeBase, patient: Patient, name: str) -> str:
    """An unknown name for people: 'tumors[1].size' -> 'tumors.size (the tumor in the duodenum)'.

    The record is named by its words (:func:`~pnet_expert.core.words.record_name`),
    so no word depends on the order in which the records were listed.
    """
    match = FIELD_SLOT.fullmatch(name)
    if match is None:
        return name
    fact, index, field = match.group(1), int(match.group(2)), match.group(3)
    records = patient.get(fact)
    record = records[index] if isinstance(records, tuple) and index < len(records) else None
    spec = kb.facts.get(fact)
    if spec is None or not isinstance(record, Record):
        return f"{fact}.{field}"
    return f"{fact}.{field} ({record_name(spec, record)})"
