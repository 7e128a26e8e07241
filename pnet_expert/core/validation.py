"""Check a case mapping against a knowledge base's fact specs and build a Patient.

Every problem is collected before raising, so a user sees them all at once.
Nothing is coerced: ``"yes"`` is not true, ``1`` is not true, ``"liver"`` is not
``["liver"]``. A fact given as null is unknown, the same as a fact left out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from pnet_expert.core.case import META_KEYS, FactValue, Patient, Tumor
from pnet_expert.core.errors import CaseError, Problem, did_you_mean, one_of
from pnet_expert.core.logic import Evaluator, Truth
from pnet_expert.core.schema import FactSpec, KnowledgeBase


def validate_case(mapping: object, kb: KnowledgeBase) -> Patient:
    """Validate a case mapping against ``kb``; raise CaseError listing every problem."""
    if not isinstance(mapping, Mapping):
        problem = f"expected a mapping of facts (like {{tumor_type: gastrinoma}}), got {_kind(mapping)}"
        raise CaseError(field="case", problem=problem)
    problems: list[Problem] = []
    values: dict[str, FactValue] = {}
    meta: dict[str, str] = {}
    allowed_keys = [*kb.facts, *META_KEYS]
    for key, value in mapping.items():
        if not isinstance(key, str):
            problems.append(Problem("case", f"a key must be a word, got {key!r}"))
        elif key in META_KEYS:
            if value is None:
                continue
            if not isinstance(value, str):
                problems.append(Problem(key, f"expected text, got {_kind(value)}"))
            elif (bad := _control_character(value)) is not None:
                # A terminal would obey it (colours, titles, cursor moves), and TOML cannot hold it.
                problem = f"holds a control character ({bad!r}); text may hold new lines and tabs only"
                problems.append(Problem(key, problem))
            else:
                meta[key] = value
        elif key in kb.facts:
            checked = _fact(kb.facts[key], value, problems)
            if checked is not None:
                values[key] = checked
        else:
            problems.append(
                Problem(
                    key,
                    f"unknown key {key!r}{did_you_mean(key, allowed_keys)}; "
                    f"the keys are: {', '.join(allowed_keys)}",
                )
            )
    for spec in kb.facts.values():
        if spec.required and mapping.get(spec.id) is None and not any(p.field == spec.id for p in problems):
            problems.append(Problem(spec.id, f"missing; it is required: one of {one_of(spec.value_ids)}"))
    if problems:
        raise CaseError.of(problems)
    patient = Patient(
        known=tuple((name, values[name]) for name in kb.facts if name in values),
        meta=tuple((key, meta[key]) for key in META_KEYS if key in meta),
        validated_for=kb.fingerprint,
    )
    _constraints(patient, kb)
    return patient


def _fact(spec: FactSpec, value: Any, problems: list[Problem]) -> FactValue | None:
    """Check one fact's value; record problems and return None when it is bad or null."""
    if value is None:
        return None
    name = spec.id
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return value
        problems.append(
            Problem(
                name,
                f"{_show(value)} is not true or false (leave the fact out or use null when unknown)",
            )
        )
        return None
    if spec.kind == "choice":
        return _choice(name, value, spec.value_ids, problems)  # type: ignore[arg-type]
    if spec.kind == "set":
        return _set(spec, value, problems)
    return _records(spec, value, problems)


def _choice(field: str, value: Any, allowed: tuple[str, ...], problems: list[Problem]) -> str | None:
    if isinstance(value, str) and value in allowed:
        return value
    problems.append(
        Problem(field, f"{_show(value)} is not one of {one_of(allowed)}{did_you_mean(value, allowed)}")
    )
    return None


def _set(spec: FactSpec, value: Any, problems: list[Problem]) -> tuple[str, ...] | None:
    allowed: tuple[str, ...] = spec.value_ids  # type: ignore[assignment]
    if not isinstance(value, list | tuple):
        problems.append(
            Problem(
                spec.id,
                f"expected a list of {one_of(allowed)} (or [] for none), got {_show(value)}",
            )
        )
        return None
    before = len(problems)
    seen: list[str] = []
    for i, item in enumerate(value):
        checked = _choice(f"{spec.id}[{i}]", item, allowed, problems)
        if checked is None:
            continue
        if checked in seen:
            problems.append(Problem(spec.id, f"{checked!r} is listed twice"))
        seen.append(checked)
    if len(problems) > before:
        return None
    return tuple(v for v in allowed if v in seen)


def _records(spec: FactSpec, value: Any, problems: list[Problem]) -> tuple[Tumor, ...] | None:
    example = ", ".join(f"{f.id}: {f.value_ids[0]}" for f in spec.fields)
    if not isinstance(value, list | tuple):
        problems.append(
            Problem(
                spec.id,
                f"expected a list of records like [{{{example}}}] (or [] for none), got {_show(value)}",
            )
        )
        return None
    before = len(problems)
    out = []
    for i, item in enumerate(value):
        where = f"{spec.id}[{i}]"
        if isinstance(item, Tumor):
            item = item.to_dict()
        if not isinstance(item, Mapping):
            problems.append(Problem(where, f"expected a record like {{{example}}}, got {_show(item)}"))
            continue
        fields = {f.id: f for f in spec.fields}
        record: dict[str, str | None] = {}
        for key, field_value in item.items():
            field = fields.get(key) if isinstance(key, str) else None
            if field is None:
                problems.append(
                    Problem(
                        where,
                        f"unknown key {key!r}{did_you_mean(key, fields)}; the keys are: {one_of(fields)}",
                    )
                )
            elif field_value is not None:
                record[field.id] = _choice(f"{where}.{field.id}", field_value, field.value_ids, problems)
        for field in spec.fields:
            if field.required and item.get(field.id) is None:
                problems.append(
                    Problem(
                        f"{where}.{field.id}",
                        f"missing; it is required: one of {one_of(field.value_ids)}",
                    )
                )
        site = record.get("site")
        if site is not None:
            out.append(Tumor(site, record.get("size")))
    if len(problems) > before:
        return None
    return tuple(out)


def _constraints(patient: Patient, kb: KnowledgeBase) -> None:
    """Reject a case that breaks a constraint of facts.yaml (each named by its field)."""
    problems = []
    evaluator = Evaluator(kb, patient)
    for constraint in kb.constraints:
        holds, _ = evaluator.all(constraint.if_)
        if holds is Truth.TRUE and evaluator.one(constraint.then).truth is Truth.FALSE:
            value = patient.to_dict().get(constraint.field)
            problems.append(
                Problem(
                    constraint.field,
                    f"{_show(value)} contradicts the other facts: {constraint.message}",
                )
            )
    if problems:
        raise CaseError.of(problems)


def _control_character(text: str) -> str | None:
    """The first control character in a text, other than a new line or a tab."""
    return next((ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t"), None)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _kind(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str | int | float | bool):
        return _show(value)
    return type(value).__name__
