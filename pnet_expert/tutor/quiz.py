"""Quizzes for a class: N distinct cases that together cover as many rules as they can.

How the cases are chosen (greedy set cover, with cases grown from witnesses):

1. The candidates are the teaching cases (:func:`pnet_expert.tutor.cases.rule_cases`):
   for each rule, and each tumor type it applies to, the smallest valid case that fires it.
2. Each question takes the candidate that fires the most rules not yet covered (ties:
   the seeded random order, then the smaller case), then *grows* it: each uncovered
   rule of the same type, in the seeded order, is added to its targets when the
   smallest case firing all of them together exists, still fires everything the case
   fired, and offers at most :data:`MAX_CORRECT` options. The grown case is again a
   witness: the smallest valid case on which all its target rules fire.
3. Once every rule is covered, each further question takes the unused candidate whose
   least-covered rule has been covered the fewest times.

Rules that need incompatible cases (one small tumor in the head, one large tumor
in the body, two tumors, no tumor found...) cannot share a question, so some
counts cannot cover every rule: the quiz reports what it covers and what not.

Each question's right answers are exactly ``recommend``'s options for its case;
its distractors are treatments that a rule of the case's own sections offers
for other cases, the nearest first (the rule with the fewest conditions unmet),
ties in the seeded order; only when those are too few (a case that fires nearly
all of its sections' rules) do treatments of other sections fill the list.
Every answer carries feedback naming the rule and quoting the passage: for a
right one, the rules that offer it; for a distractor, the nearest rule that
could offer it and what it lacks here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import InputError
from pnet_expert.core.logic import Truth
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.explain.consultation import Consultation
from pnet_expert.explain.recommend import recommend
from pnet_expert.knowledge.identity import about
from pnet_expert.knowledge.loader import load_knowledge_base
from pnet_expert.tutor.cases import TeachingCase, rule_cases, scope, types_of, witness_case
from pnet_expert.tutor.hints import nearest
from pnet_expert.tutor.words import CaseWords, case_words

MAX_QUESTIONS = 100
"""The most questions one quiz may have."""
MAX_CORRECT = 12
"""The most right answers a grown case may have (a question should stay answerable)."""
MAX_DISTRACTORS = 10
"""The most distractors a question may have (Moodle's grades allow -100/n for n up to 10)."""
DISTRACTORS = 4
"""Distractors per question unless asked otherwise (fewer when fewer are plausible)."""

MOODLE_GRADES = (
    100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333,
    30.0, 25.0, 20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0,
)  # fmt: skip
"""The grades Moodle accepts for an answer (percent; negatives too): question_bank::fraction_options_full."""


@attrs.frozen
class Choice:
    """One answer of a question: a treatment, whether the source offers it, its grade and its feedback."""

    treatment: str
    label: str
    correct: bool
    fraction: float
    """Percent of the question's grade: positive if right (they sum to 100), negative if wrong."""
    rules: tuple[str, ...]
    """Right: the rules that offer it. Wrong: the rule nearest to offering it, first, then the others."""
    feedback: str
    strength: str | None = None
    why: str = ""
    """In brief, for an answer key: the strength and qualifiers, or the nearest rule and what it lacks."""

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "treatment": self.treatment,
            "label": self.label,
            "correct": self.correct,
            "fraction": self.fraction,
            "strength": self.strength,
            "rules": list(self.rules),
            "feedback": self.feedback,
            "why": self.why,
        }


@attrs.frozen
class Question:
    """One multiple-answer question: a case, its answers (right and distractors), the rules it covers."""

    number: int
    teaching: TeachingCase
    consultation: Consultation = attrs.field(repr=False, eq=False)
    choices: tuple[Choice, ...]
    covers: tuple[str, ...]
    """The rules this question covers that no question before it did."""

    @property
    def case(self) -> dict[str, Any]:
        """The case's facts."""
        return dict(self.teaching.case)

    @property
    def words(self) -> CaseWords:
        """The case in words (the unknown facts named)."""
        return case_words(self.consultation.kb, self.teaching.case)

    @property
    def correct(self) -> tuple[str, ...]:
        """The right answers: exactly the consultation's options."""
        return tuple(c.treatment for c in self.choices if c.correct)

    @property
    def distractors(self) -> tuple[str, ...]:
        """The wrong answers offered."""
        return tuple(c.treatment for c in self.choices if not c.correct)

    @property
    def name(self) -> str:
        """A short title: 'Q01 insulinoma'."""
        return f"Q{self.number:02d} {self.teaching.tumor_type}"

    @property
    def prompt(self) -> str:
        """The question asked."""
        kb = self.consultation.kb
        return (
            f"Which treatment options does the source ({kb.source.title}, last modified "
            f"{kb.source.last_modified}) offer for this case? Select every one that applies."
        )

    @property
    def general_feedback(self) -> str:
        """What the whole question is about: the rules that fire, the gaps, the disclaimer in brief."""
        c = self.consultation
        parts = [f"The rules that fire on this case: {', '.join(c.fired_rules) or 'none'}."]
        parts += [f"Gap: {g}" for g in c.gaps]
        parts += [f"Silence: {s.text}" for s in c.silences]
        parts.append("Options from one 2012 patient summary, shown for teaching: not medical advice.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """As JSON: the case (facts and words), the answers with fractions and feedback, the rules."""
        words = self.words
        return {
            "number": self.number,
            "name": self.name,
            "case": self.case,
            "case_words": words.to_dict(),
            "prompt": self.prompt,
            "answers": [c.to_dict() for c in self.choices],
            "correct": list(self.correct),
            "distractors": list(self.distractors),
            "fired_rules": list(self.consultation.fired_rules),
            "covers": list(self.covers),
            "targets": list(self.teaching.targets),
            "gaps": list(self.consultation.gaps),
            "cautions": [c.to_dict() for c in self.consultation.cautions],
            "silences": [s.to_dict() for s in self.consultation.silences],
            "general_feedback": self.general_feedback,
        }


@attrs.frozen
class Quiz:
    """A quiz: its questions, how it was made (seed, section), and the rules it covers."""

    kb: KnowledgeBase = attrs.field(repr=False, eq=False)
    seed: int
    section: str | None
    questions: tuple[Question, ...]
    rules: tuple[str, ...]
    """The rules in scope: every rule, or the section's."""

    @property
    def covered(self) -> tuple[str, ...]:
        """The rules in scope that fire on some question's case, in the knowledge base's order."""
        fired = {r for q in self.questions for r in q.consultation.fired_rules}
        return tuple(r for r in self.rules if r in fired)

    @property
    def not_covered(self) -> tuple[str, ...]:
        """The rules in scope that no question's case fires."""
        covered = set(self.covered)
        return tuple(r for r in self.rules if r not in covered)

    @property
    def title(self) -> str:
        """'pnet-expert quiz: 12 questions (seed 7)'."""
        where = f", section {self.section}" if self.section else ""
        return f"pnet-expert quiz: {len(self.questions)} questions (seed {self.seed}{where})"

    def to_dict(self) -> dict[str, Any]:
        """The quiz as JSON: ``{"questions": [{"case", "answers", ...}], "coverage", ...}``."""
        return {
            "format": "pnet-expert quiz",
            "version": 1,
            "title": self.title,
            "seed": self.seed,
            "section": self.section,
            "count": len(self.questions),
            "knowledge_base": about(self.kb),
            "coverage": {
                "rules": len(self.rules),
                "covered": len(self.covered),
                "covered_rules": list(self.covered),
                "not_covered": list(self.not_covered),
            },
            "questions": [q.to_dict() for q in self.questions],
            "disclaimer": self.kb.disclaimer,
        }


def build_quiz(
    kb: KnowledgeBase | None = None,
    count: int = 12,
    seed: int = 0,
    section: str | None = None,
    distractors: int = DISTRACTORS,
) -> Quiz:
    """A quiz of ``count`` distinct cases covering as many rules (of ``section``, or all) as it can.

    Raises InputError (INPUT-E002) when ``count`` or ``distractors`` is out of
    bounds or asks for more distinct cases than the knowledge base gives, and
    INPUT-E001 for a section that does not exist.
    """
    kb = load_knowledge_base() if kb is None else kb
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_QUESTIONS:
        raise InputError(
            Diagnostic(
                codes.INPUT_BAD_OPTION, "count", f"{count!r} questions; a quiz has 1 to {MAX_QUESTIONS}"
            )
        )
    if (
        isinstance(distractors, bool)
        or not isinstance(distractors, int)
        or not 0 <= distractors <= MAX_DISTRACTORS
    ):
        message = f"{distractors!r} distractors; a question has 0 to {MAX_DISTRACTORS}"
        raise InputError(Diagnostic(codes.INPUT_BAD_OPTION, "distractors", message))
    rules = scope(kb, section)
    rng = random.Random(seed)
    chosen = _choose(kb, rules, count, rng, section)
    questions = []
    covered: set[str] = set()
    for number, teaching in enumerate(chosen, 1):
        consultation = recommend(teaching.case, kb)
        covers = tuple(r for r in rules if r in consultation.fired_rules and r not in covered)
        covered.update(covers)
        choices = _choices(consultation, distractors, rng)
        questions.append(Question(number, teaching, consultation, choices, covers))
    return Quiz(kb, seed, section, tuple(questions), rules)


def _choose(
    kb: KnowledgeBase, rules: tuple[str, ...], count: int, rng: random.Random, section: str | None
) -> list[TeachingCase]:
    """The quiz's cases, by greedy set cover (see the module's docstring)."""
    pool = [c for c in rule_cases(kb, section) if len(c.options) <= MAX_CORRECT]
    rng.shuffle(pool)
    in_scope = set(rules)
    uncovered = set(rules)
    times: dict[str, int] = dict.fromkeys(rules, 0)
    chosen: list[TeachingCase] = []
    used: set[str] = set()
    while len(chosen) < count:
        fresh = [c for c in pool if c.key not in used]
        gain = {c.key: len(uncovered & set(c.fired)) for c in fresh}
        best = max(fresh, key=lambda c: (gain[c.key], -c.size), default=None)
        if best is not None and gain[best.key]:
            best = _grow(kb, best, uncovered, used, rng)
        elif best is not None:
            best = min(fresh, key=lambda c: (min(times[r] for r in c.fired if r in in_scope), c.size))
        else:
            available = len(chosen)
            where = f"section {section}" if section else "this knowledge base"
            message = f"{count} questions asked, but {where} gives {available} distinct teaching cases"
            raise InputError(
                Diagnostic(codes.INPUT_BAD_OPTION, "count", message, hint=f"ask for at most {available}")
            )
        chosen.append(best)
        used.add(best.key)
        for r in best.fired:
            if r in in_scope:
                times[r] += 1
        uncovered -= set(best.fired)
    return chosen


def _grow(
    kb: KnowledgeBase, start: TeachingCase, uncovered: set[str], used: set[str], rng: random.Random
) -> TeachingCase:
    """Add uncovered rules of the start's type to its targets while a witness of them all exists."""
    current = start
    others = [
        r for r in kb.rules if r in uncovered and r not in start.fired and start.tumor_type in types_of(kb, r)
    ]
    rng.shuffle(others)
    for rule_id in others:
        if rule_id in current.fired:
            continue
        grown = witness_case(kb, (*current.targets, rule_id), current.tumor_type)
        if (
            grown is not None
            and set(current.fired) <= set(grown.fired)
            and len(grown.options) <= MAX_CORRECT
            and grown.key not in used
        ):
            current = grown
    return current


def _choices(consultation: Consultation, count: int, rng: random.Random) -> tuple[Choice, ...]:
    """The right answers (every option) and up to ``count`` distractors, in a seeded order."""
    kb = consultation.kb
    right = consultation.treatments
    fractions = moodle_fractions(len(right), [o.strength for o in right], kb)
    out = [
        Choice(
            o.id,
            o.label,
            True,
            fraction,
            o.rules,
            _right_feedback(consultation, o.id),
            o.strength,
            " | ".join(f"{r.rule}: {'; '.join((r.strength, *r.qualifiers))}" for r in o.because),
        )
        for o, fraction in zip(right, fractions, strict=True)
    ]
    wrong = _distractors(consultation, count, rng)
    share = -_even_share(len(wrong)) if wrong else 0.0
    for treatment, rules in wrong:
        feedback, why = _wrong_feedback(consultation, treatment)
        out.append(Choice(treatment, kb.treatments[treatment].label, False, share, rules, feedback, why=why))
    rng.shuffle(out)
    return tuple(out)


def _distractors(
    consultation: Consultation, count: int, rng: random.Random
) -> list[tuple[str, tuple[str, ...]]]:
    """Up to ``count`` treatments not offered here: first those a rule of the case's own sections
    offers for other cases, nearest first; when there are too few, those of other sections."""
    offered = {o.id for o in consultation.treatments}
    mine = {c.rule.id for c in consultation.section_checks()}
    closeness: dict[str, tuple[bool, int, int]] = {}
    for treatment in consultation.kb.treatments:
        if treatment in offered:
            continue
        for check in consultation.why_not_checks(treatment):
            key = (check.rule.id not in mine, len(check.failed), len(check.unknown))
            closeness[treatment] = min(closeness.get(treatment, key), key)
    order = list(closeness)
    rng.shuffle(order)
    order.sort(key=closeness.__getitem__)
    out = []
    for treatment in order[:count]:
        near = nearest(consultation, treatment)
        rules = tuple(c.rule.id for c in consultation.why_not_checks(treatment))
        if near is not None:
            rules = (near.rule.id, *(r for r in rules if r != near.rule.id))
        out.append((treatment, rules))
    return out


def _even_share(n: int) -> float:
    """100/n as the nearest of Moodle's grades (exact to its five decimals for n up to 10)."""
    return min(MOODLE_GRADES, key=lambda g: abs(g - 100.0 / n))


def moodle_fractions(n: int, strengths: Sequence[str], kb: KnowledgeBase) -> list[float]:
    """Grades for ``n`` right answers that Moodle accepts and that sum to 100.

    Equal shares where Moodle has the grade (n up to 10: 100, 50, 33.33333, 25, ...);
    for 11 to 20 answers, 10 and 5 percent (the "usually" options, then the others in
    order, get the tens). More than 20 right answers cannot be graded so.
    """
    if n == 0:
        return []
    if n <= 10:
        return [_even_share(n)] * n
    if n > 20:
        message = f"a question with {n} right answers cannot be graded with Moodle's grades (at most 20)"
        raise InputError(Diagnostic(codes.INPUT_BAD_OPTION, "count", message))
    tens = 20 - n
    ranked = sorted(range(n), key=lambda i: kb.strength_rank(strengths[i]))
    big = set(ranked[:tens])
    return [10.0 if i in big else 5.0 for i in range(n)]


def _passage(consultation: Consultation, rule_id: str) -> str:
    rule = consultation.kb.rules[rule_id]
    bullets = "".join(f' "{b}"' for b in rule.sub_bullets)
    return f'"{rule.quote}"{bullets}'


def _right_feedback(consultation: Consultation, treatment: str) -> str:
    option = consultation.option(treatment)
    assert option is not None
    kb = consultation.kb
    parts = ["Right: the source offers it."]
    for reason in option.because:
        section = kb.sections[reason.section].title
        said = "; ".join((reason.strength, *reason.qualifiers))
        parts.append(f"{reason.rule} ({section} section, {said}): {_passage(consultation, reason.rule)}")
    parts += [
        f"Caution ({c.id}, on {', '.join(c.rules)}): {c.text}" for c in consultation.cautions_on(treatment)
    ]
    return " ".join(parts)


def _wrong_feedback(consultation: Consultation, treatment: str) -> tuple[str, str]:
    """The feedback on a distractor, and in brief what its nearest rule lacks here."""
    kb = consultation.kb
    check = nearest(consultation, treatment)
    if check is None:  # pragma: no cover - a distractor is always offered by some rule
        return "Not offered for this case: no rule offers it.", "no rule offers it"
    section = kb.sections[check.rule.section].title
    lacking = [c for c in check.conditions if c.truth is not Truth.TRUE]
    said = "; ".join(
        f"{c.text}: {'unknown' if c.truth is Truth.UNKNOWN else 'not met'} ({c.detail})" for c in lacking
    )
    mine = {c.rule.id for c in consultation.section_checks()}
    lead = (
        "Not offered for this case."
        if check.rule.id in mine
        else ("Not offered for this case: no rule of the sections for this type of tumor offers it.")
    )
    feedback = (
        f"{lead} {check.rule.id} ({section} section) offers it only when its conditions "
        f"hold; here: {said}. The source: {_passage(consultation, check.rule.id)}"
    )
    return feedback, f"{check.rule.id}: {said}"
