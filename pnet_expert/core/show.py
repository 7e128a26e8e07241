"""Values as messages show them: as a user writes them in a case file.

One function for every message that quotes a value (a case's, a knowledge
base's): ``true``/``false``, ``null``, ``'text'``, ``[a, b]``, ``{key: value}``.
Plain words for explanations and reports are :mod:`pnet_expert.core.words`'s.
"""

from __future__ import annotations

from collections.abc import Mapping


def show(value: object, quote: bool = True) -> str:
    """A value as a message quotes it; with ``quote=False`` text is bare, as in 'one of head, body, tail'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value) if quote else value
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v, quote) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {show(v, quote)}" for k, v in value.items()) + "}"
    return repr(value) if quote else str(value)


def kind_of(value: object) -> str:
    """What a value is, for 'expected ..., got ...': 'a list', the value itself, or its type's name."""
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str | int | float | bool):
        return show(value)
    return type(value).__name__
