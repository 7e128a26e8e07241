"""Check one fact's value against its spec: no coercion, every problem recorded.

``"yes"`` is not true, ``1`` is not true, ``"liver"`` is not ``["liver"]``. A
value given as null is unknown, the same as a value left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import one_of
from pnet_expert.core.limits import RECORDS_PER_FACT, exceeded
from pnet_expert.core.records import FactValue, Record
from pnet_expert.core.schema import FactSpec
from pnet_expert.core.show import show, unsafe

SUGGESTED = 100
"""The problems of one case that get a "did you mean": past them (a hostile case of 50,000 unknown
keys) the comparisons would cost seconds for nothing."""


def check_fact(spec: FactSpec, value: Any, problems: list[Diagnostic]) -> FactValue | None:
    """Check one fact's value; record problems and return None when it is bad or null."""
    if value is None:
        return None
    name = spec.id
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return value
        problems.append(
            Diagnostic(
                codes.CASE_NOT_BOOLEAN,
                name,
                f"{show(value)} is not true or false (leave the fact out or use null when unknown)",
            )
        )
        return None
    if spec.kind == "choice":
        return _choice(name, value, spec.value_ids, problems)  # type: ignore[arg-type]
    if spec.kind == "set":
        return _set(spec, value, problems)
    return _records(spec, value, problems)


def _choice(field: str, value: Any, allowed: tuple[str, ...], problems: list[Diagnostic]) -> str | None:
    if isinstance(value, str) and value in allowed:
        return value
    message = f"{show(value)} is not one of {one_of(allowed)}"
    problems.append(Diagnostic(codes.CASE_NOT_ONE_OF, field, message, suggestion=closest(value, allowed)))
    return None


def _set(spec: FactSpec, value: Any, problems: list[Diagnostic]) -> tuple[str, ...] | None:
    allowed: tuple[str, ...] = spec.value_ids  # type: ignore[assignment]
    if not isinstance(value, list | tuple):
        problems.append(
            Diagnostic(
                codes.CASE_NOT_A_LIST,
                spec.id,
                f"expected a list of {one_of(allowed)} (or [] for none), got {show(value)}",
            )
        )
        return None
    if len(value) > 2 * len(allowed):
        # Each value at most once: a longer list cannot be a set of them. Up to twice as long,
        # each item is checked (a bad value or a repeat named where it is); past that, one problem.
        message = f"holds {len(value):,} items; a set holds each of its {len(allowed)} values at most once"
        problems.append(Diagnostic(codes.CASE_TOO_MANY, spec.id, message, hint=f"allowed: {one_of(allowed)}"))
        return None
    before = len(problems)
    seen: list[str] = []
    for i, item in enumerate(value):
        checked = _choice(f"{spec.id}[{i}]", item, allowed, problems)
        if checked is None:
            continue
        if checked in seen:
            problems.append(Diagnostic(codes.CASE_LISTED_TWICE, spec.id, f"{checked!r} is listed twice"))
        seen.append(checked)
    if len(problems) > before:
        return None
    return tuple(v for v in allowed if v in seen)


def _records(spec: FactSpec, value: Any, problems: list[Diagnostic]) -> tuple[Record, ...] | None:
    example = ", ".join(f"{f.id}: {f.value_ids[0]}" for f in spec.fields)
    if not isinstance(value, list | tuple):
        problems.append(
            Diagnostic(
                codes.CASE_NOT_A_LIST,
                spec.id,
                f"expected a list of records like [{{{example}}}] (or [] for none), got {show(value)}",
            )
        )
        return None
    if len(value) > RECORDS_PER_FACT:
        message = exceeded("records_per_fact", f"{len(value):,} records")
        problems.append(Diagnostic(codes.CASE_TOO_MANY, spec.id, message))
        return None
    before = len(problems)
    fields = {f.id: f for f in spec.fields}
    field_ids = tuple(fields)
    out = []
    for i, item in enumerate(value):
        where = f"{spec.id}[{i}]"
        if isinstance(item, Record):
            item = item.to_dict()
        if not isinstance(item, Mapping):
            message = f"expected a record like {{{example}}}, got {show(item)}"
            problems.append(Diagnostic(codes.CASE_NOT_A_RECORD, where, message))
            continue
        record: dict[str, str | None] = {}
        for key, field_value in item.items():
            field = fields.get(key) if isinstance(key, str) else None
            if field is None:
                problems.append(
                    Diagnostic(
                        codes.CASE_UNKNOWN_KEY,
                        where,
                        f"unknown key {show(key)}",
                        suggestion=closest(key, fields) if len(problems) < SUGGESTED else "",
                        hint=f"the keys are: {one_of(fields)}",
                    )
                )
            elif field_value is not None:
                record[field.id] = _choice(f"{where}.{field.id}", field_value, field.value_ids, problems)
        for field in spec.fields:
            if field.required and item.get(field.id) is None:
                problems.append(
                    Diagnostic(
                        codes.CASE_MISSING,
                        f"{where}.{field.id}",
                        "missing",
                        hint=f"it is required: one of {one_of(field.value_ids)}",
                    )
                )
        # The fields in the spec's order, whatever the case's order: equal records are equal.
        known = []
        for name in field_ids:
            if (checked := record.get(name)) is not None:
                known.append((name, checked))
        out.append(Record(tuple(known), field_ids))
    if len(problems) > before:
        return None
    return tuple(out)


def control_character(text: str) -> str | None:
    """The first character in a text that no output should carry raw (:func:`~pnet_expert.core.show.unsafe`):
    a control character other than a new line or a tab, a bidirectional control (U+202E reorders
    a terminal's line), or half of a surrogate pair (no file can hold it)."""
    if text.isprintable():
        return None
    return next((ch for ch in text if unsafe(ch)), None)
