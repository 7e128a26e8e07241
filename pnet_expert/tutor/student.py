"""The student model: per rule, how often it was seen, answered right, missed, or applied where it does not.

After each case the tutor records the student's *first* answer (hints and
later additions do not change what the first answer showed):

- every rule that fired on the case was **seen**; it was answered **right** when the
  first answer named every treatment it offers, else it was **missed**;
- a treatment named that the source does not offer counts as **wrong** for each rule
  of the case's sections that could have offered it (the student applied it where
  its conditions do not hold).

Mastery is ``(right + 1) / (seen + wrong + 2)`` (Laplace's rule of succession):
0.5 for a rule never seen, lower after misses, higher after right answers.
The next case exercises the rule the student knows least (lowest mastery,
then least seen; ties broken by the session's seeded random order), with the
smallest teaching case that fires it that was not among the last few shown.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.tutor.cases import TeachingCase, case_key
from pnet_expert.tutor.grading import Grade

RECENT = 3
"""A case shown among the last this many is not chosen again while another case teaches the rule."""

MAX_HISTORY = 500
"""The most past cases a progress file keeps (the oldest are dropped first)."""


@attrs.frozen
class RuleRecord:
    """One rule's counts for one student."""

    seen: int = 0
    right: int = 0
    missed: int = 0
    wrong: int = 0

    @property
    def mastery(self) -> float:
        """(right + 1) / (seen + wrong + 2): 0.5 when never seen."""
        return (self.right + 1) / (self.seen + self.wrong + 2)

    def to_dict(self) -> dict[str, int]:
        """As JSON."""
        return {"seen": self.seen, "right": self.right, "missed": self.missed, "wrong": self.wrong}


@attrs.frozen
class Lesson:
    """One case done: the case, the first and final scores, the hints taken, the rules that fired."""

    case: dict[str, Any]
    score: float
    final_score: float
    hints: int
    revealed: bool
    rules: tuple[str, ...]
    when: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "case": self.case,
            "score": self.score,
            "final_score": self.final_score,
            "hints": self.hints,
            "revealed": self.revealed,
            "rules": list(self.rules),
            "when": self.when,
        }


@attrs.define
class StudentModel:
    """Per-rule records and the cases done, for one student (saved in a progress file)."""

    rules: dict[str, RuleRecord] = attrs.Factory(dict)
    history: list[Lesson] = attrs.Factory(list)
    kept_with: dict[str, str] = attrs.field(factory=dict, eq=False)
    """The knowledge base its progress file was last saved with (name, version, fingerprint); empty
    for a new student. Not part of what the student knows, so not of equality."""

    def record(self, first: Grade, final: Grade, hints: int, revealed: bool, when: str = "") -> Lesson:
        """Count one case from the student's first answer (and keep its final score)."""
        consultation = first.consultation
        kb = consultation.kb
        named = set(first.proposed)
        for rule_id in consultation.fired_rules:
            offers = {o.treatment for o in kb.rules[rule_id].offers}
            old = self.rules.get(rule_id, RuleRecord())
            right = offers <= named
            self.rules[rule_id] = attrs.evolve(
                old, seen=old.seen + 1, right=old.right + right, missed=old.missed + (not right)
            )
        for unoffered in first.not_offered:
            for check in unoffered.checks:
                if check.rule.section in unoffered.case_sections:
                    old = self.rules.get(check.rule.id, RuleRecord())
                    self.rules[check.rule.id] = attrs.evolve(old, wrong=old.wrong + 1)
        lesson = Lesson(
            consultation.patient.fact_dict(),
            first.score,
            final.score,
            hints,
            revealed,
            consultation.fired_rules,
            when,
        )
        self.history.append(lesson)
        del self.history[:-MAX_HISTORY]
        return lesson

    def record_of(self, rule_id: str) -> RuleRecord:
        """A rule's counts (all zero when never seen)."""
        return self.rules.get(rule_id, RuleRecord())

    def least_known(self, rules: Iterable[str], rng: random.Random) -> list[str]:
        """The rules, least known first (lowest mastery, then least seen; ties in a seeded random order)."""
        order = list(rules)
        rng.shuffle(order)
        return sorted(order, key=lambda r: (self.record_of(r).mastery, self.record_of(r).seen))

    def choose(self, pool: Sequence[TeachingCase], rng: random.Random) -> tuple[TeachingCase, str]:
        """The next case and the rule it is for: the smallest case that fires the least known rule
        among those with a case not shown in the last few (spaced: a case just missed comes back later)."""
        recent = {case_key(lesson.case) for lesson in self.history[-RECENT:]}
        taught = dict.fromkeys(r for c in pool for r in c.targets)
        ranked = self.least_known(taught, rng)
        for rule_id in ranked:
            fresh = [c for c in pool if rule_id in c.targets and c.key not in recent]
            if fresh:
                rng.shuffle(fresh)
                return min(fresh, key=lambda c: c.size), rule_id
        if not ranked:  # pragma: no cover - every knowledge base has rules, each with a case
            message = "no teaching case to choose from"
            raise ValueError(message)
        rule_id = ranked[0]
        return min((c for c in pool if rule_id in c.targets), key=lambda c: c.size), rule_id

    def sections(self, kb: KnowledgeBase) -> list[SectionMastery]:
        """Mastery by section, in the knowledge base's order."""
        out = []
        for section in kb.sections.values():
            records = [(r, self.record_of(r)) for r in section.rules]
            out.append(SectionMastery(section.id, section.title, tuple(records)))
        return out


@attrs.frozen
class SectionMastery:
    """One section's rules with their records, and the section's mean mastery."""

    id: str
    title: str
    rules: tuple[tuple[str, RuleRecord], ...]

    @property
    def seen(self) -> int:
        """How many of its rules were seen at least once."""
        return sum(1 for _, r in self.rules if r.seen)

    @property
    def mastery(self) -> float:
        """The mean mastery of its rules (0.5 for a section never seen)."""
        return sum(r.mastery for _, r in self.rules) / len(self.rules) if self.rules else 0.5
