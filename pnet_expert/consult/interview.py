"""The interview behind ``pnet-expert consult``: what to ask next, and the answers so far.

:class:`Interview` has no terminal I/O; the REPL (``repl.py``) only drives it.
It holds the answers, applies, undoes and changes them, and saves and loads
them as a case file (an answer "unknown" saved as ``null``, which a case file
reads as unknown, so that resuming does not ask it again). It asks the
required facts first (the type of tumor chooses the section), then only what
:mod:`pnet_expert.reasoning.relevance` finds can still change the options:
never stomach acid for an insulinoma, and a tumor's size only when a rule
waits on it. An answer "unknown" is an answer: it stays unknown (until
``change``), and a rule that needs it known no longer waits on anything
through it. Among the questions that can still change the options, the next
is chosen for the case as it stands, from the knowledge base alone
(:mod:`pnet_expert.reasoning.choice`; :meth:`Interview.reason` says why it is
asked now). A records fact (the tumors) is entered as how many, then each
record's required fields, then an optional field (the size) when it matters.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

from pnet_expert.consult.questions import (
    UNKNOWN,
    Answer,
    Question,
    count_question,
    fact_question,
    field_question,
    question_for,
)
from pnet_expert.core import codes
from pnet_expert.core.case import Patient, Record, validate_case
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError
from pnet_expert.core.logic import FIELD_SLOT, field_slot
from pnet_expert.core.schema import FactSpec, FactTest, KnowledgeBase, SectionSpec, iter_tests
from pnet_expert.explain.consultation import Consultation
from pnet_expert.explain.recommend import recommend
from pnet_expert.files.casefile import read_case, write_case
from pnet_expert.knowledge.identity import identify
from pnet_expert.reasoning.checks import RuleCheck, check_rule
from pnet_expert.reasoning.choice import Reason, choose
from pnet_expert.reasoning.relevance import Relevance, assess

Steps = dict[str, Answer]
"""The answers given: slot (``spread``, ``tumors``, ``tumors[0].site``) -> answer, in the order given."""

T = TypeVar("T")
_NOT_GIVEN: Any = object()


class FactStatus(enum.Enum):
    """Where a fact stands in the interview, as ``facts`` shows it."""

    ANSWERED = "answered"
    UNKNOWN = "unknown (answered unknown)"
    ENTERING = "being entered"
    OPEN = "not asked yet"
    NOT_NEEDED = "not asked: no answer to it can change the options now"


class Interview:
    """One consultation being built question by question (see the module's docstring)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.meta: dict[str, str] = {}
        self._steps: Steps = {}
        self._history: list[tuple[str, Steps]] = []
        self._saved: Steps = {}
        self._saved_path: str | None = None
        self._changing: Question | None = None
        self._version = 0
        self._cache: dict[str, tuple[int, Any]] = {}

    # ------------------------------------------------------------ state

    @property
    def answers(self) -> Mapping[str, Answer]:
        """Every answer given, by slot (a copy)."""
        return dict(self._steps)

    @property
    def ready(self) -> bool:
        """Whether every required fact is answered, so that the case can be reasoned on."""
        return all(spec.id in self._steps for spec in self.kb.facts.values() if spec.required)

    @property
    def dirty(self) -> bool:
        """Whether there are answers that were not saved (or loaded) as they stand."""
        return bool(self._steps) and self._steps != self._saved

    @property
    def saved_path(self) -> str | None:
        """The file the session was last saved to or loaded from."""
        return self._saved_path

    @property
    def changing(self) -> Question | None:
        """The question a pending ``change`` asks again, if any."""
        return self._changing

    @property
    def is_done(self) -> bool:
        """Whether nothing more can change the result: no question is left."""
        return self.next_question() is None

    def case(self, nulls: bool = True) -> dict[str, Any]:
        """The session as a case mapping: free text, then the answered facts in the knowledge base's order.

        With ``nulls``, a fact answered unknown is ``null`` (which a case file
        reads as unknown), so that resuming the session does not ask it again.
        Tumors whose entry is unfinished are left out.
        """
        return self._case_of(self._steps, nulls)

    def patient(self) -> Patient:
        """The case as the answers state it, validated."""
        return self._reasoning().patient

    def consultation(self) -> Consultation:
        """The options as things stand, from the engine (recomputed only after a change)."""
        return self._cached("consultation", lambda: recommend(self.case(nulls=False), self.kb))

    # ------------------------------------------------------------ asking

    def next_question(self) -> Question | None:
        """The question to ask now, or None when no answer can change the options any more."""
        if self._changing is not None:
            return self._changing
        return self._cached("next", self._next)

    def _next(self) -> Question | None:
        for spec in self.kb.facts.values():
            if spec.required and spec.id not in self._steps:
                return fact_question(spec)
        for spec in self.kb.facts.values():
            if spec.kind == "records" and (question := self._unfinished(spec)) is not None:
                return question  # a record being entered comes first; no reasoning needed for it
        reason = self._reason()
        return None if reason is None else self._question(reason.name)

    def _reason(self) -> Reason | None:
        """The choice of the next question among those that can still change the options."""
        return self._cached("reason", lambda: choose(self.kb, self.case(nulls=True), self._reasoning()))

    def _question(self, name: str) -> Question:
        """The question that asks one name: a fact, how many records, or one field of one record."""
        match = FIELD_SLOT.fullmatch(name)
        if match is not None:
            spec = self.kb.facts[match.group(1)]
            return field_question(spec, spec.field(match.group(3)), int(match.group(2)))
        spec = self.kb.facts[name]
        return count_question(spec) if spec.kind == "records" else fact_question(spec)

    def reason(self, question: Question) -> Reason | None:
        """Why the interview asks this question now (None for a required one, a record's required
        field, a change, or a question it would not ask now)."""
        if question.required or question == self._changing or not self.ready:
            return None
        if question.kind == "field" and question.needed_in_record and question.index is not None:
            return self._record_reason(question)
        reason = self._reason()
        if reason is None or self._question(reason.name) != question:
            return None
        return reason

    def _record_reason(self, question: Question) -> Reason:
        """Why a record's required field comes now: a record is entered whole, right after the count."""
        spec = self.kb.facts[question.fact]
        label = next((f.label for f in spec.fields if f.id == question.field), question.field)
        text = (
            f"Asked now because the {spec.label} are entered one whole record at a time, right after how "
            f"many there are, and a record cannot be kept without its {label} (record "
            f"{(question.index or 0) + 1} of {question.fact})."
        )
        return Reason(question.slot, question.slot, (), fixed=text)

    def _unfinished(self, spec: FactSpec) -> Question | None:
        """The next required field of a record being entered (each tumor's site, right after how many)."""
        count = self._steps.get(spec.id)
        if not isinstance(count, int) or isinstance(count, bool):
            return None
        for index in range(count):
            for field in spec.fields:
                if field.required and field_slot(spec.id, index, field.id) not in self._steps:
                    return field_question(spec, field, index)
        return None

    # ------------------------------------------------------------ answering

    def answer(self, question: Question, value: Answer) -> str | None:
        """Apply an answer; return a note when it meant more than itself.

        Raises :class:`~pnet_expert.core.errors.CaseError` (answers unchanged) when
        the answer contradicts the others, naming the constraint it breaks.
        """
        before = self._steps
        steps = dict(before)
        note = None
        prefix = f"{question.fact}["
        if question.kind == "count":
            steps = {slot: v for slot, v in steps.items() if not slot.startswith(prefix)}
            steps[question.slot] = value
        elif question.needed_in_record and value is UNKNOWN:
            spec = self.kb.facts[question.fact]
            steps = {slot: v for slot, v in steps.items() if not slot.startswith(prefix)}
            steps[question.fact] = UNKNOWN
            field = spec.field(question.field or "")
            note = (
                f"Each of the {spec.label} needs its {field.label}, "
                f"so {question.fact} is left unknown (change {question.fact} to enter them again)."
            )
        else:
            steps[question.slot] = value
        if all(s.id in steps for s in self.kb.facts.values() if s.required):
            validate_case(self._case_of(steps, nulls=False), self.kb)
        self._history.append((question.slot, before))
        self._steps = steps
        self._changing = None
        self._version += 1
        return note

    def answer_text(self, question: Question, text: str) -> str | None:
        """Parse a typed answer and apply it (AnswerError or CaseError when it cannot be taken)."""
        return self.answer(question, question.parse(text))

    @classmethod
    def replay(cls, kb: KnowledgeBase, answers: Iterable[tuple[str, str]]) -> Interview:
        """An interview with these answers given in order, each as ``(slot, typed words)``.

        A session kept as text (the answers of a web form, so that a server keeps
        no session) is read back this way: every answer goes through the same
        parsing and checks as a typed one, and ``back`` undoes the last. Raises
        AnswerError, InputError or CaseError naming the slot whose answer cannot
        be taken.
        """
        interview = cls(kb)
        for slot, text in answers:
            question = question_for(kb.facts, slot)
            if question.kind == "field" and question.index is not None:
                count = interview._steps.get(question.fact)
                if not isinstance(count, int) or isinstance(count, bool) or question.index >= count:
                    given = "not given" if count is None else f"{question.typed(count)}"
                    number = question.index + 1
                    message = f"there is no record {number} of {question.fact} ({question.fact}: {given})"
                    raise InputError(
                        Diagnostic(
                            codes.INPUT_NOT_AN_ANSWER, slot, message, hint=f"answer {question.fact} first"
                        )
                    )
            interview.answer_text(question, text)
        return interview

    def transcript(self) -> tuple[tuple[str, str], ...]:
        """The answers as ``(slot, typed words)`` pairs that :meth:`replay` reads back into these answers."""
        return tuple((slot, question_for(self.kb.facts, slot).typed(a)) for slot, a in self._steps.items())

    def back(self) -> str | None:
        """Undo the last answer; return the slot it answered (None when there is nothing to undo)."""
        if not self._history:
            return None
        slot, self._steps = self._history.pop()
        self._changing = None
        self._version += 1
        return slot

    def change(self, fact: str) -> Question:
        """Ask one fact again (the other answers are kept): its question comes next."""
        spec = self.kb.facts.get(fact)
        if spec is None:
            raise InputError(
                Diagnostic(
                    codes.INPUT_UNKNOWN_NAME,
                    "change",
                    f"{fact!r} is not a fact",
                    suggestion=closest(fact, self.kb.facts),
                    hint=f"the facts are: {', '.join(self.kb.facts)}",
                )
            )
        self._changing = count_question(spec) if spec.kind == "records" else fact_question(spec)
        return self._changing

    def cancel_change(self) -> Question | None:
        """Drop a pending ``change``; return its question (None when there was none)."""
        question, self._changing = self._changing, None
        return question

    def current(self, fact: str) -> Any:
        """A fact's answer as case data (a list of records for tumors); None when not given."""
        return self.case().get(fact)

    # ------------------------------------------------------------ explaining

    def waiting(self, question: Question) -> tuple[RuleCheck, ...]:
        """The live rules that wait on a question's answer, each checked on the case so far."""
        if not self.ready:
            return ()
        reasoning = self._reasoning()
        name = question.fact if question.kind == "count" or question.needed_in_record else question.slot
        return tuple(
            check_rule(self.kb, reasoning.evaluator, r, fired=False) for r in reasoning.waiting_on(name)
        )

    def sections_chosen_by(self, fact: str) -> tuple[SectionSpec, ...]:
        """The sections whose own condition tests a fact (the type of tumor chooses the section)."""
        return tuple(
            s
            for s in self.kb.sections.values()
            if any(isinstance(t, FactTest) and t.fact == fact for t in iter_tests(s.applies_when))
        )

    def fact_status(self, fact: str) -> FactStatus:
        """Where one fact stands: answered, answered unknown, being entered, still to ask, or not needed."""
        spec = self.kb.facts[fact]
        value = self._steps.get(fact, _NOT_GIVEN)
        if value is UNKNOWN:
            return FactStatus.UNKNOWN
        if value is not _NOT_GIVEN:
            if spec.kind == "records" and self._unfinished(spec) is not None:
                return FactStatus.ENTERING
            return FactStatus.ANSWERED
        if not self.ready:
            return FactStatus.OPEN
        return FactStatus.OPEN if fact in self._reasoning().needed else FactStatus.NOT_NEEDED

    def open_facts(self) -> tuple[str, ...]:
        """The facts still to be asked (or being entered) as things stand."""
        return tuple(
            f for f in self.kb.facts if self.fact_status(f) in (FactStatus.OPEN, FactStatus.ENTERING)
        )

    # ------------------------------------------------------------ files

    def save(self, path: str | Path) -> None:
        """Save the session as a case file (atomically), one that ``recommend`` and ``--load`` read."""
        if not self.ready:
            missing = [s.id for s in self.kb.facts.values() if s.required and s.id not in self._steps]
            message = f"nothing to save yet: a case needs {', '.join(missing)}"
            raise InputError(Diagnostic(codes.INPUT_NOTHING_TO_SAVE, "save", message, hint="answer it first"))
        # TOML has no null: there, a fact answered unknown is left out (and asked again on resuming).
        # YAML and TOML files start with what they are and the disclaimer, as comments.
        kb = self.kb
        note = (
            f"A case saved by pnet-expert consult (knowledge base {identify(kb).brief()}): "
            "'pnet-expert recommend FILE' "
            f"shows its options, 'pnet-expert consult --load FILE' resumes it.\n{kb.disclaimer}"
        )
        write_case(path, self.case(), note)
        self._saved = dict(self._steps)
        self._saved_path = str(path)

    def load(self, path: str | Path) -> None:
        """Replace the session by a case file's facts; only what is still open will be asked."""
        self.load_case(read_case(path))
        self._saved_path = str(path)

    def load_case(self, mapping: Mapping[str, Any]) -> None:
        """Replace the session by a case's facts (validated; a null fact counts as answered unknown)."""
        patient = validate_case(mapping, self.kb)
        steps: Steps = {}
        for spec in self.kb.facts.values():
            if spec.id not in mapping:
                continue
            known = patient.get(spec.id)
            if known is None:
                steps[spec.id] = UNKNOWN
            elif spec.kind == "records":
                raw = mapping[spec.id]
                steps[spec.id] = len(raw)
                for index, record in enumerate(raw):
                    plain = record.to_dict() if isinstance(record, Record) else dict(record)
                    for field, value in plain.items():
                        steps[field_slot(spec.id, index, field)] = UNKNOWN if value is None else value
            else:
                steps[spec.id] = known  # type: ignore[assignment]
        self.meta = dict(patient.meta)
        self._steps = steps
        self._saved = dict(steps)
        self._history = []
        self._changing = None
        self._version += 1

    # ------------------------------------------------------------ inside

    def _case_of(self, steps: Steps, nulls: bool) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.meta)
        for spec in self.kb.facts.values():
            value = (
                self._records(spec, steps, nulls)
                if spec.kind == "records"
                else steps.get(spec.id, _NOT_GIVEN)
            )
            if value is UNKNOWN:
                if nulls:
                    out[spec.id] = None
            elif value is not _NOT_GIVEN:
                out[spec.id] = list(value) if isinstance(value, tuple) else value
        return out

    @staticmethod
    def _records(spec: FactSpec, steps: Steps, nulls: bool) -> Any:
        """A records fact as case data; _NOT_GIVEN while its entry is unfinished."""
        count = steps.get(spec.id, _NOT_GIVEN)
        if count is _NOT_GIVEN or count is UNKNOWN:
            return count
        records = []
        for index in range(int(count)):
            record: dict[str, Any] = {}
            for field in spec.fields:
                value = steps.get(field_slot(spec.id, index, field.id), _NOT_GIVEN)
                if field.required and value is _NOT_GIVEN:
                    return _NOT_GIVEN
                if value is UNKNOWN:
                    if nulls:
                        record[field.id] = None
                elif value is not _NOT_GIVEN:
                    record[field.id] = value
            records.append(record)
        return records

    def _reasoning(self) -> Relevance:
        return self._cached("reasoning", lambda: assess(self.kb, self.case(nulls=True)))

    def _cached(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per state of the answers (every change bumps the version)."""
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self._version:
            return cast(T, hit[1])
        value = compute()
        self._cache[key] = (self._version, value)
        return value


def answer_from_case(question: Question, case: Mapping[str, Any]) -> Answer:
    """The answer a case mapping gives to a question, UNKNOWN where it says nothing.

    Replays a case as an interview (the tests' property, the benchmark).
    """
    value = case.get(question.fact)
    if value is None:
        return UNKNOWN
    if question.kind == "count":
        return len(value)
    if question.kind == "field":
        assert question.index is not None
        assert question.field is not None
        record = value[question.index]
        field_value = record.get(question.field)  # a Record or a mapping
        return UNKNOWN if field_value is None else field_value
    if question.kind == "set":
        return tuple(str(c.value) for c in question.choices if c.value in value)
    return value
