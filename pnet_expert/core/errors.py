"""The errors pnet_expert raises on purpose.

One root, :class:`PnetError`, plus the builtin that fits, so that a caller may
catch either. Every message says what is wrong, where, and what is allowed; the
command line and the REPL print them without a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Self

import attrs


class PnetError(Exception):
    """Every error pnet_expert raises on purpose."""


@attrs.frozen(str=False)
class Problem:
    """One thing wrong with an input: the field it is in and what is wrong with it."""

    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}" if self.field else self.problem


class InputError(PnetError, ValueError):
    """Something a user gave (a case, a name, a file) is not acceptable.

    It carries every :class:`Problem` found, so that one attempt shows them all;
    ``field`` and ``problem`` are those of the first.
    """

    def __init__(self, field: str, problem: str, *more: Problem) -> None:
        self.problems: tuple[Problem, ...] = (Problem(field, problem), *more)
        super().__init__(str(self))

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> Self:
        """Build one error from a non-empty list of problems."""
        first, *rest = problems
        return cls(first.field, first.problem, *rest)

    @property
    def field(self) -> str:
        """The field of the first problem."""
        return self.problems[0].field

    @property
    def problem(self) -> str:
        """What is wrong with that field."""
        return self.problems[0].problem

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class CaseError(InputError):
    """A case (its facts or its file) is invalid; nothing about it was guessed."""


class KnowledgeBaseError(PnetError, ValueError):
    """The knowledge base did not load: every problem, each with its file and line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"the knowledge base has {count} problem{'s' if count != 1 else ''}:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" when a close choice exists, else ""."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def one_of(choices: Iterable[object]) -> str:
    """Render the allowed values as 'a, b, c' for messages."""
    return ", ".join(_show(c) for c in choices)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
