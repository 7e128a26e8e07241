"""One shape for every problem pnet_expert reports: a :class:`Diagnostic`.

A bad case, a broken knowledge base, an unreadable file, a name mistyped on the
command line and a finding of ``kb check`` are all diagnostics: a stable
``code`` (declared in :mod:`pnet_expert.core.codes`, listed in
docs/diagnostics.md), its ``severity``, where it was written (``origin``,
``file:line:col``, when there is a file), the ``path`` of the value inside
(``INS-06.offers[0].treatment``, ``spread[0]``), the ``message`` (what is
wrong, naming the bad value), and the remedy when there is one: the
``suggestion`` of a "did you mean" and a ``hint`` (what is allowed). Tests and
tools read the code and the path; people read the text, which renders as
``file:line:col: path: message (did you mean 'x'?); hint``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import attrs

from pnet_expert.core import codes
from pnet_expert.core.codes import Severity
from pnet_expert.core.show import printable

__all__ = ["Diagnostic", "Origin", "Severity", "closest"]


@attrs.frozen
class Origin:
    """Where something was written: a file (relative to the knowledge base's root), a line, a column."""

    file: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def _registered(instance: object, attribute: attrs.Attribute[str], code: str) -> None:
    del instance, attribute
    if code not in codes.REGISTRY:
        message = f"{code!r} is not a declared diagnostic code (pnet_expert.core.codes)"
        raise ValueError(message)


@attrs.frozen(str=False)
class Diagnostic:
    """One problem (or piece of information): what kind, where, what, and what to do about it."""

    code: str = attrs.field(validator=_registered)
    path: str
    message: str
    origin: Origin | None = attrs.field(default=None, kw_only=True)
    suggestion: str = attrs.field(default="", kw_only=True)
    """The allowed word closest to the bad one, shown as "did you mean"; "" when none is close."""
    hint: str = attrs.field(default="", kw_only=True)
    """What is allowed, or what to do instead ("allowed: true, false"); "" when the message says it all."""

    @property
    def severity(self) -> Severity:
        """error, warning or info, as the code's letter says."""
        return codes.severity_of(self.code)

    @property
    def detail(self) -> str:
        """The message with its remedy: ``message (did you mean 'x'?); hint``, no place."""
        text = self.message
        if self.suggestion:
            text += f" (did you mean {self.suggestion!r}?)"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def __str__(self) -> str:
        """``file:line:col: path: detail``, each part only when there is one; a control character
        anywhere in it (a key or a file name as the user wrote it) shown as its escape, never raw."""
        place = [str(self.origin)] if self.origin is not None else []
        return printable(": ".join([*place, *([self.path] if self.path else []), self.detail]))

    def tagged(self) -> str:
        """The text with its code in front, as the command line prints it: ``[KB-E101] ...``."""
        return f"[{self.code}] {self}"

    def to_dict(self) -> dict[str, Any]:
        """As JSON: every part, null where there is none, and the text as printed."""
        return {
            "code": self.code,
            "severity": self.severity,
            "origin": str(self.origin) if self.origin is not None else None,
            "path": self.path or None,
            "message": self.message,
            "suggestion": self.suggestion or None,
            "hint": self.hint or None,
            "text": str(self),
        }


def closest(word: object, choices: Iterable[object]) -> str:
    """The choice closest to a mistyped word (for "did you mean"), or "" when none is close.

    Never the word itself (in any letter case): "'none' is not an answer here (did
    you mean 'none'?)" helps nobody.
    """
    if not isinstance(word, str) or len(word) > 64:  # no name is that long; comparing it would take long
        return ""
    others = [str(c) for c in choices if str(c).lower() != word.lower()]
    close = difflib.get_close_matches(word, others, n=1, cutoff=0.6)
    return close[0] if close else ""
