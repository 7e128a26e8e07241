"""The questions of the interactive consultation, built from the knowledge base's fact specs.

A :class:`Question` carries the words the knowledge base gives for a fact (its
``question``, ``help`` and value labels in ``facts.yaml``), the answers it
allows, and the parsing of what a user types. Nothing here is written per
fact: a question's shape follows the fact's kind (boolean, choice, set,
records). A records fact (the tumors) is asked as its parts: how many, then
each record's fields.

``unknown`` (or ``?``) is an answer to every question but a required one: it
leaves the fact unknown, and unknown is not false. Answers are read by
:mod:`pnet_expert.core.matching`, as people type them: in any letter case, by
the value's id or its label, a unique start of either, or its number in the
list shown, spaces and ``_`` alike (``Gastrinoma``, ``lymph nodes liver``, ``2``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Literal, TypeAlias

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError
from pnet_expert.core.logic import FIELD_SLOT, field_slot
from pnet_expert.core.matching import Named, Wording, match, match_many, normal
from pnet_expert.core.schema import FactSpec, FieldSpec

UNKNOWN_WORDS = ("unknown", "?")
YES_WORDS = ("yes", "y", "true")
NO_WORDS = ("no", "n", "false")
NONE_WORD = "none"
MAX_RECORDS = 20
"""The most records (tumors) one answer may announce; a bound that keeps typos like 100 out."""


class Unknown(enum.Enum):
    """The answer "unknown": the fact was asked and is not known (distinct from not asked)."""

    UNKNOWN = "unknown"


UNKNOWN = Unknown.UNKNOWN

Answer: TypeAlias = bool | str | int | tuple[str, ...] | Unknown
"""A parsed answer: a boolean, a value id, a count of records, a set of value ids, or UNKNOWN."""

QuestionKind = Literal["boolean", "choice", "set", "count", "field"]


class AnswerError(InputError):
    """What was typed is not an answer to the question; the message names what is allowed."""


@attrs.frozen
class Choice:
    """One allowed answer: the value it stands for, the word to type, and its label."""

    value: bool | str
    word: str
    label: str

    def shown(self) -> str:
        """``word`` alone when the label says the same, else ``word (label)``."""
        return self.word if self.label.lower() == self.word.lower() else f"{self.word} ({self.label})"


@attrs.frozen
class Question:
    """One question of the interview.

    ``slot`` names what it fills: a fact (``spread``), the number of a records
    fact's records (``tumors``) or one field of one record (``tumors[0].size``),
    the same names the three-valued evaluator gives to what it does not know.
    """

    slot: str
    fact: str
    kind: QuestionKind
    text: str
    help: str
    choices: tuple[Choice, ...] = ()
    required: bool = False
    field: str | None = None
    index: int | None = None
    needed_in_record: bool = False
    """For a field: a record cannot be kept without it, so "unknown" makes the whole fact unknown."""

    @property
    def words(self) -> tuple[str, ...]:
        """Everything a user may type as a whole answer (for completion)."""
        words = [c.word for c in self.choices]
        if self.kind == "set":
            words.append(NONE_WORD)
        if not self.required:
            words.append(UNKNOWN_WORDS[0])
        return tuple(words)

    @property
    def numbered(self) -> bool:
        """Whether the choices are shown (and may be answered) by number: all but yes/no and counts."""
        return self.kind in ("choice", "set", "field")

    def allowed(self, numbers: bool = False) -> str:
        """The allowed answers, in words, as every question shows them (``numbers``: each with its number)."""
        unknown = "" if self.required else "; unknown or ? when not known"
        if self.kind == "count":
            return f"a number from 0 to {MAX_RECORDS}{unknown}"
        words = [
            f"{n} {c.shown()}" if numbers and self.numbered else c.shown()
            for n, c in enumerate(self.choices, 1)
        ]
        shown = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else "".join(words)
        if self.kind == "set":
            return (
                f"one or more of {', '.join(words)} (separated by spaces or commas), or {NONE_WORD}{unknown}"
            )
        return f"{shown}{unknown}"

    def parse(self, text: str) -> Answer:
        """The answer a line of text gives; AnswerError naming what is allowed when it gives none.

        Read as :mod:`pnet_expert.core.matching` reads typed words: any letter
        case, an id or a label, a unique start, or the number shown.
        """
        typed = text.strip()
        word = normal(typed)
        if word in UNKNOWN_WORDS:
            if self.required:
                raise self._error(codes.INPUT_REQUIRED_ANSWER, "it is required, so it cannot be unknown")
            return UNKNOWN
        if self.kind == "count":
            return self._count(typed)
        if self.kind == "boolean" and word in (*YES_WORDS, *NO_WORDS):
            return word in YES_WORDS
        try:
            if self.kind == "set":
                return self._set(typed)
            chosen = match(typed, self._named(), self._wording(), numbered=self.numbered)
        except AnswerError:
            raise
        except InputError as exc:
            raise AnswerError(*exc.diagnostics) from None
        return next(c.value for c in self.choices if c.word == chosen)

    def _named(self) -> tuple[Named, ...]:
        return tuple(Named(c.word, c.label) for c in self.choices)

    def _wording(self) -> Wording:
        return Wording(
            "an answer here", "answers", self.slot, codes.INPUT_NOT_AN_ANSWER, f"answer {self.allowed()}"
        )

    def typed(self, answer: Answer) -> str:
        """The words a user would type for an answer: ``parse`` reads them back as that answer.

        A session kept as text (a web form's answers) is these words, so that it is
        read back through the same parsing, with the same checks, as a typed answer.
        """
        if answer is UNKNOWN:
            return UNKNOWN_WORDS[0]
        if isinstance(answer, bool):
            return "yes" if answer else "no"
        if isinstance(answer, tuple):
            return " ".join(c.word for c in self.choices if c.value in answer) or NONE_WORD
        if isinstance(answer, int):
            return str(answer)
        return next((c.word for c in self.choices if c.value == answer), answer)

    def _count(self, typed: str) -> int:
        if typed.isdigit() and int(typed) <= MAX_RECORDS:
            return int(typed)
        if normal(typed) == NONE_WORD:
            return 0
        raise self._error(codes.INPUT_NOT_AN_ANSWER, f"{typed!r} is not an answer here")

    def _set(self, typed: str) -> tuple[str, ...]:
        if normal(typed) == NONE_WORD:
            return ()
        if not typed.strip(" ,;"):
            raise self._error(codes.INPUT_NOT_AN_ANSWER, "no answer given")
        if NONE_WORD in re.split(r"[\s,;]+", normal(typed)):
            message = f"{NONE_WORD!r} cannot go with other answers"
            raise self._error(codes.INPUT_NOT_AN_ANSWER, message)
        chosen = match_many(typed, self._named(), self._wording(), numbered=True)
        return tuple(str(c.value) for c in self.choices if c.word in chosen)

    def _error(self, code: str, message: str, suggestion: str = "") -> AnswerError:
        """What was typed cannot be taken: why, and what the question allows."""
        hint = f"answer {self.allowed()}"
        return AnswerError(Diagnostic(code, self.slot, message, suggestion=suggestion, hint=hint))


def fact_question(spec: FactSpec) -> Question:
    """The question for a boolean, choice or set fact, in the knowledge base's words."""
    choices: tuple[Choice, ...]
    if spec.kind == "boolean":
        choices = (Choice(True, "yes", "yes"), Choice(False, "no", "no"))
    else:
        choices = tuple(Choice(v.id, v.id, v.label) for v in spec.values)
    kind: QuestionKind = "boolean" if spec.kind == "boolean" else "set" if spec.kind == "set" else "choice"
    return Question(spec.id, spec.id, kind, spec.question, spec.help, choices, spec.required)


def count_question(spec: FactSpec) -> Question:
    """How many records a records fact has (its own ``question``: "How many tumors were found?")."""
    return Question(spec.id, spec.id, "count", spec.question, spec.help, required=spec.required)


def field_question(spec: FactSpec, field: FieldSpec, index: int) -> Question:
    """One field of one record ("Where is tumor 2?"): the field's question with ``{n}`` filled in."""
    return Question(
        field_slot(spec.id, index, field.id),
        spec.id,
        "field",
        field.question.replace("{n}", str(index + 1)),
        spec.help,
        tuple(Choice(v.id, v.id, v.label) for v in field.values),
        required=spec.required,
        field=field.id,
        index=index,
        needed_in_record=field.required,
    )


def question_for(facts: Mapping[str, FactSpec], slot: str) -> Question:
    """The question that fills a slot: a fact (``spread``), a records fact's count (``tumors``)
    or one field of one record (``tumors[0].site``); an InputError naming the slot when none does."""
    match = FIELD_SLOT.fullmatch(slot)
    name = match.group(1) if match else slot
    spec = facts.get(name)
    if spec is not None and match is None:
        return count_question(spec) if spec.kind == "records" else fact_question(spec)
    if spec is not None and match is not None and spec.kind == "records":
        index, field_id = int(match.group(2)), match.group(3)
        field = next((f for f in spec.fields if f.id == field_id), None)
        if field is not None and index < MAX_RECORDS:
            return field_question(spec, field, index)
    slots = [*facts, *(field_slot(s.id, 0, f.id) for s in facts.values() for f in s.fields)]
    raise InputError(
        Diagnostic(
            codes.INPUT_UNKNOWN_NAME,
            slot,
            f"{slot!r} is not a question of the interview",
            suggestion=closest(slot, slots),
            hint=f"the questions are: {', '.join(slots)} (a record's index from 0 to {MAX_RECORDS - 1})",
        )
    )
