"""Values as messages show them: as a user writes them in a case file, and never too much of them.

One function for every message that quotes a value (a case's, a knowledge
base's): ``true``/``false``, ``null``, ``'text'``, ``[a, b]``, ``{key: value}``.
Plain words for explanations and reports are :mod:`pnet_expert.core.words`'s.

A message quotes a value to name it, not to echo it: a long text is cut, a
long list shows its first items, a value nested deeper than a few levels (or
holding itself) shows ``...``, and an integer of thousands of digits is said in
words (Python will not even print one past 4,300 digits). Text is quoted with
``repr``, so a control character shows as its escape (``'\\x1b'``), never raw;
:func:`printable` does the same for text that is shown unquoted.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")

TEXT = 80
"""The characters of a text a message quotes."""
ITEMS = 8
"""The items of a list or mapping a message quotes."""
DEPTH = 3
"""The levels of lists and mappings a message quotes."""
DIGITS = 40
"""The digits of an integer a message quotes."""


def show(value: object, quote: bool = True, _depth: int = 0) -> str:
    """A value as a message quotes it; with ``quote=False`` text is bare, as in 'one of head, body, tail'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value if len(value) <= TEXT else value[:TEXT] + "..."
        return repr(text) if quote else printable(text)
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, list | tuple | Mapping):
        if _depth >= DEPTH:
            return "[...]" if isinstance(value, list | tuple) else "{...}"
        if isinstance(value, Mapping):
            pairs = _first(value.items())
            items = [f"{show(k, False, _depth + 1)}: {show(v, quote, _depth + 1)}" for k, v in pairs]
            return "{" + ", ".join(items + _more(len(value))) + "}"
        items = [show(v, quote, _depth + 1) for v in _first(value)]
        return "[" + ", ".join(items + _more(len(value))) + "]"
    try:
        text = repr(value) if quote else str(value)
    except Exception:  # a caller's object that cannot say what it is
        text = f"<{type(value).__name__}>"
    return text if len(text) <= TEXT else text[:TEXT] + "..."


def _first(items: Iterable[T]) -> list[T]:
    return list(itertools.islice(items, ITEMS))


def _more(count: int) -> list[str]:
    return [f"... {count - ITEMS:,} more"] if count > ITEMS else []


def _integer(value: int) -> str:
    if -(10**DIGITS) < value < 10**DIGITS:
        return repr(value)
    digits = int(value.bit_length() * 0.30103) + 1
    return f"<an integer of about {digits:,} digits>"


def kind_of(value: object) -> str:
    """What a value is, for 'expected ..., got ...': 'a list', the value itself, or its type's name."""
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str | int | float | bool):
        return show(value)
    return type(value).__name__


BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The characters that reorder text in a terminal or a page (Unicode's Bidi_Control)."""


def unsafe(character: str) -> bool:
    """A character no output should carry raw: a control (but new line and tab), a bidirectional
    control, or half of a surrogate pair (no file or terminal can take it)."""
    if character in "\n\t":
        return False
    if character in BIDI_CONTROLS:
        return True
    return unicodedata.category(character) in ("Cc", "Cs")


def printable(text: str) -> str:
    """Text with every unsafe character shown as its escape (``\\x1b``, ``\\u202e``): it prints as written."""
    if text.isprintable():
        return text
    return "".join(repr(c)[1:-1] if unsafe(c) else c for c in text)
