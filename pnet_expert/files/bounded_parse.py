"""Parse JSON and TOML text within the limits: never a RecursionError, never a value nested past the limit.

Python's parsers recurse once per level of nesting: a hundred thousand ``[``
make them raise RecursionError (an internal error, were it let through), and a
few hundred levels that they do accept would make every later step that walks
the value recurse as deep. So both are caught here, and a value nested deeper
than ``nesting_depth`` is refused before anything reads it. (YAML is bounded in
:mod:`pnet_expert.files.strict_yaml`, on its nodes, aliases included.)

Plain functions raising :class:`~pnet_expert.files.safe_read.ReadProblem`, or
the parser's own error for text that is not JSON or TOML, for the case files,
the batch lines and the web app's request bodies alike.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

from pnet_expert.core import codes
from pnet_expert.core.limits import INTEGER_DIGITS, NESTING_DEPTH, exceeded
from pnet_expert.files.safe_read import ReadProblem


def _too_deep() -> ReadProblem:
    return ReadProblem(codes.FILE_PAST_LIMIT, exceeded("nesting_depth", "nested too deeply"))


_TOO_BIG = 10**INTEGER_DIGITS


def _too_long(digits: int | None = None) -> ReadProblem:
    found = f"an integer of {digits:,} digits" if digits else "an integer too long"
    return ReadProblem(codes.FILE_PAST_LIMIT, exceeded("integer_digits", found))


def _bounded_int(text: str) -> int:
    """JSON's integers, each at most ``integer_digits`` long (read before Python converts it)."""
    digits = len(text.lstrip("-"))
    if digits > INTEGER_DIGITS:
        raise _too_long(digits)
    return int(text)


def check_nesting(value: Any) -> None:
    """Refuse a value whose lists and mappings nest deeper than ``nesting_depth``, or that holds an
    integer longer than ``integer_digits`` (walked, not recursed)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) >= _TOO_BIG:
            raise _too_long()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > NESTING_DEPTH:
            raise _too_deep()
        stack.extend((child, depth + 1) for child in children)


def load_json(text: str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """``json.loads`` within the limits (json.JSONDecodeError for text that is not JSON)."""
    try:
        value = json.loads(text, object_pairs_hook=object_pairs_hook, parse_int=_bounded_int)
    except RecursionError:
        raise _too_deep() from None
    check_nesting(value)
    return value


def load_toml(text: str) -> Any:
    """``tomllib.loads`` within the limits (tomllib.TOMLDecodeError for text that is not TOML)."""
    try:
        value = tomllib.loads(text)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:  # Python's own bound (4,300 digits) on turning text into an integer
        if "integer string conversion" in str(exc):
            raise _too_long() from None
        raise
    check_nesting(value)
    return value
