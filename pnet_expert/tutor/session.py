"""A tutoring session, without a terminal: cases one after the other, answers graded, hints climbed.

:class:`Tutor` holds the student model, chooses each case (a case file given
first, then teaching cases for the rules the student knows least), reads
answer lines (:func:`pnet_expert.tutor.matching.read_answer`), grades them
against the source, gives hints and reveals, and records each case in the
student model when the student moves on. ``pnet-expert tutor``'s REPL
(:mod:`pnet_expert.tutor.repl`) only reads lines and prints what this returns.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.explain.consultation import Consultation
from pnet_expert.explain.recommend import recommend
from pnet_expert.tutor.cases import rule_cases
from pnet_expert.tutor.grading import Credit, Grade, StrengthNote, Unoffered, grade_consultation
from pnet_expert.tutor.hints import LEVELS, Hint
from pnet_expert.tutor.matching import read_answer
from pnet_expert.tutor.student import Lesson, StudentModel


@attrs.define
class Exercise:
    """One case in play: the case, why it was chosen, its consultation, and what the student has done."""

    number: int
    consultation: Consultation
    why: str
    first: Grade | None = None
    current: Grade | None = None
    strengths: dict[str, str] = attrs.Factory(dict)
    hint_levels: dict[str, int] = attrs.Factory(dict)
    hints_taken: int = 0
    revealed: bool = False

    @property
    def answered(self) -> bool:
        """The student has given a first answer."""
        return self.first is not None

    @property
    def case(self) -> dict[str, Any]:
        """The case's facts (plain data)."""
        return self.consultation.patient.fact_dict()


@attrs.frozen
class Feedback:
    """What one answer line changed: the options newly right, those newly named and not offered, the grade."""

    grade: Grade
    first: bool
    new_correct: tuple[Credit, ...]
    new_not_offered: tuple[Unoffered, ...]
    already: tuple[str, ...]
    strengths: tuple[StrengthNote, ...]


class Tutor:
    """Cases, answers, hints and the student model, for one session (see the module's docstring).

    ``seed`` makes the choice of cases repeatable; ``section`` keeps the
    teaching cases to one section's rules; ``cases`` are case mappings to
    present first (a student's own case file), in order.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        model: StudentModel | None = None,
        *,
        seed: int | None = None,
        section: str | None = None,
        cases: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.kb = kb
        self.model = model if model is not None else StudentModel()
        self.rng = random.Random(seed)
        self.pool = rule_cases(kb, section)
        self.section = section
        self.queue = [recommend(case, kb) for case in cases]  # a bad case fails here, before the session
        self.exercise: Exercise | None = None
        self.count = 0
        self.done: list[Lesson] = []

    # ------------------------------------------------------------ cases

    def next_case(self) -> Exercise:
        """Record the case in play (when answered) and present the next one."""
        self.finish()
        self.count += 1
        if self.queue:
            consultation = self.queue.pop(0)
            why = "your case"
        else:
            chosen, rule_id = self.model.choose(self.pool, self.rng)
            consultation = recommend(chosen.case, self.kb)
            why = self._why(rule_id)
        self.exercise = Exercise(self.count, consultation, why)
        return self.exercise

    def _why(self, rule_id: str) -> str:
        record = self.model.record_of(rule_id)
        section = self.kb.sections[self.kb.rules[rule_id].section].title
        if not record.seen and not record.wrong:
            what = "a rule you have not met yet"
        elif record.missed or record.wrong:
            what = "a rule you missed or misapplied before"
        else:
            what = "a rule to practise again"
        return f"chosen for {what}, in the {section} section"

    def finish(self) -> Lesson | None:
        """Record the case in play in the student model, if the student answered it; None otherwise."""
        exercise = self.exercise
        self.exercise = None
        if exercise is None or exercise.first is None or exercise.current is None:
            return None
        when = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        lesson = self.model.record(
            exercise.first, exercise.current, exercise.hints_taken, exercise.revealed, when
        )
        self.done.append(lesson)
        return lesson

    # ------------------------------------------------------------ answers

    def answer(self, line: str) -> Feedback:
        """Read an answer line and grade everything named so far (an InputError names a bad name)."""
        exercise = self._in_play()
        read = read_answer(line, self.kb)
        before = exercise.current
        named = (*(before.proposed if before else ()), *read.treatments)
        grade = grade_consultation(exercise.consultation, named)
        exercise.strengths.update(read.strengths)
        first = before is None
        if first:
            exercise.first = grade
        exercise.current = grade
        old_right = {c.treatment for c in before.correct} if before else set()
        old_wrong = {u.treatment for u in before.not_offered} if before else set()
        already = tuple(t for t in read.treatments if t in old_right or t in old_wrong)
        return Feedback(
            grade,
            first,
            tuple(c for c in grade.correct if c.treatment not in old_right),
            tuple(u for u in grade.not_offered if u.treatment not in old_wrong),
            already,
            grade.strength_notes({t: s for t, s in read.strengths}),
        )

    def hint(self) -> tuple[str, Hint] | None:
        """The next hint: one level up the ladder of the first missed option not fully hinted; None when
        nothing is missed (or every missed option was hinted to the top)."""
        exercise = self._in_play()
        grade = exercise.current
        if grade is None:
            return None
        for credit in grade.missed:
            level = exercise.hint_levels.get(credit.treatment, 0)
            if level < LEVELS:
                exercise.hint_levels[credit.treatment] = level + 1
                exercise.hints_taken += 1
                return credit.treatment, grade.hints(credit.treatment)[level]
        return None

    def reveal(self) -> tuple[Credit, ...]:
        """The options still missed, shown (the case counts as missed for their rules, as it already does)."""
        exercise = self._in_play()
        if exercise.current is None:
            exercise.current = exercise.first = grade_consultation(exercise.consultation, ())
        exercise.revealed = exercise.revealed or bool(exercise.current.missed)
        return exercise.current.missed

    def _in_play(self) -> Exercise:
        if self.exercise is None:
            return self.next_case()
        return self.exercise

    # ------------------------------------------------------------ summaries

    def mean_score(self) -> float | None:
        """The mean score of the first answers of the cases done in this session."""
        if not self.done:
            return None
        return sum(lesson.score for lesson in self.done) / len(self.done)
