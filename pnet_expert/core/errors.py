"""The errors pnet_expert raises on purpose, each carrying its diagnostics.

One root, :class:`PnetError`, plus the builtin that fits, so that a caller may
catch either. Every error carries every :class:`~pnet_expert.core.diagnostics.Diagnostic`
found (``.diagnostics``), so that one attempt shows them all, each with its
stable code; the command line and the REPL print them without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Self

import attrs

from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.show import show


class PnetError(Exception):
    """Every error pnet_expert raises on purpose."""

    diagnostics: tuple[Diagnostic, ...] = ()

    def tagged_lines(self) -> list[str]:
        """The error as the command line prints it: one line per problem, its code in front."""
        return [d.tagged() for d in self.diagnostics] or str(self).splitlines()


@attrs.frozen(str=False)
class Problem:
    """A diagnostic seen as ``(field, problem)``: how :attr:`InputError.problems` has always read."""

    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}" if self.field else self.problem


class InputError(PnetError, ValueError):
    """Something a user gave (a case, a name, a file) is not acceptable.

    It carries every diagnostic found; ``field``, ``problem`` and ``code`` are
    those of the first, and ``problems`` shows them all as (field, problem).
    """

    def __init__(self, first: Diagnostic, *more: Diagnostic) -> None:
        self.diagnostics = (first, *more)
        super().__init__(str(self))

    @classmethod
    def of(cls, diagnostics: Sequence[Diagnostic]) -> Self:
        """Build one error from a non-empty list of diagnostics."""
        first, *rest = diagnostics
        return cls(first, *rest)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickled as its diagnostics (a worker process may hand an error back)."""
        return (type(self).of, (self.diagnostics,))

    @property
    def code(self) -> str:
        """The code of the first problem."""
        return self.diagnostics[0].code

    @property
    def field(self) -> str:
        """The field (path) of the first problem."""
        return self.diagnostics[0].path

    @property
    def problem(self) -> str:
        """What is wrong with that field, and what is allowed."""
        return self.diagnostics[0].detail

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem as (field, problem)."""
        return tuple(Problem(d.path, d.detail) for d in self.diagnostics)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class CaseError(InputError):
    """A case (its facts or its file) is invalid; nothing about it was guessed."""


class KnowledgeBaseError(PnetError, ValueError):
    """The knowledge base did not load: every problem, each with its file and line."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__(str(self))

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickled as its diagnostics (a worker process may hand an error back)."""
        return (type(self), (self.diagnostics,))

    @property
    def problems(self) -> tuple[str, ...]:
        """Every problem as the text printed (``file:line:col: path: message``)."""
        return tuple(str(d) for d in self.diagnostics)

    def _head(self) -> str:
        count = len(self.diagnostics)
        return f"the knowledge base has {count} problem{'s' if count != 1 else ''}:"

    def __str__(self) -> str:
        return "\n".join([self._head(), *(f"  {p}" for p in self.problems)])

    def tagged_lines(self) -> list[str]:
        """The head line, then one line per problem with its code."""
        return [self._head(), *(f"  {d.tagged()}" for d in self.diagnostics)]


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" when a close choice exists, else "" (for messages that are no diagnostic)."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""


def one_of(choices: Iterable[object]) -> str:
    """Render the allowed values as 'a, b, c' for messages."""
    return ", ".join(show(c, quote=False) for c in choices)
