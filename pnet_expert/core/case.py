"""A case: the facts a user gives about one patient, and their validation.

A :class:`Patient` holds only the facts that are known; a fact that was not
given (or given as null) is unknown, and unknown is not false. Validation is
against a knowledge base's fact specs, so the allowed values live in
``knowledge_base/facts.yaml``, not here; every problem is collected before
raising, so a user sees them all at once. A Patient is plain data: it needs no
loader. When no knowledge base is named, the default one comes from
:mod:`pnet_expert.core.defaults` (the front door provides the bundled one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from pnet_expert.core import codes, defaults
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import CaseError, one_of
from pnet_expert.core.logic import Evaluator, Truth
from pnet_expert.core.records import FactValue, Record, Tumor
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.core.show import BIDI_CONTROLS, kind_of, show
from pnet_expert.core.values import SUGGESTED, check_fact, control_character

__all__ = ["META_KEYS", "FactValue", "Patient", "Record", "Tumor", "validate_case"]

META_KEYS = ("id", "title", "description", "notes")
"""Free-text keys a case may carry; they are shown in reports (escaped), never reasoned on."""


@attrs.frozen
class Patient:
    """The known facts of one case, in the knowledge base's order, and its free text.

    Build one with :meth:`from_dict` (which validates); read a fact with
    :meth:`get` or as an attribute (``patient.spread``), None when unknown.
    """

    known: tuple[tuple[str, FactValue], ...]
    meta: tuple[tuple[str, str], ...] = ()
    validated_for: str = attrs.field(default="", eq=False, repr=False, kw_only=True)
    """The fingerprint of the knowledge base this case was validated against ("" if none)."""

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], kb: KnowledgeBase | None = None) -> Patient:
        """Validate a case mapping and build a Patient.

        Raises :class:`~pnet_expert.core.errors.CaseError` naming each bad field, its
        value and what is allowed. ``kb`` defaults to the bundled knowledge base.
        """
        return validate_case(mapping, kb if kb is not None else defaults.knowledge_base())

    @property
    def facts(self) -> dict[str, FactValue]:
        """The known facts as a mapping."""
        return dict(self.known)

    @property
    def tumor_type(self) -> str:
        """The one required fact."""
        value = self.get("tumor_type")
        return value if isinstance(value, str) else ""

    def get(self, fact: str) -> FactValue | None:
        """A fact's value, or None when it is unknown."""
        for name, value in self.known:
            if name == fact:
                return value
        return None

    def is_known(self, fact: str) -> bool:
        """Whether the case states this fact."""
        return any(name == fact for name, _ in self.known)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def to_dict(self) -> dict[str, Any]:
        """The case as plain data (known facts and free text), as a case file holds it."""
        out: dict[str, Any] = dict(self.meta)
        for name, value in self.known:
            if isinstance(value, tuple):
                out[name] = [v.to_dict() if isinstance(v, Record) else v for v in value]
            else:
                out[name] = value
        return out

    def fact_dict(self) -> dict[str, Any]:
        """The known facts only, as plain data (no free text)."""
        meta = {key for key, _ in self.meta}
        return {k: v for k, v in self.to_dict().items() if k not in meta}


def validate_case(mapping: object, kb: KnowledgeBase) -> Patient:
    """Validate a case mapping against ``kb``; raise CaseError listing every problem."""
    if not isinstance(mapping, Mapping):
        problem = f"expected a mapping of facts (like {{tumor_type: gastrinoma}}), got {kind_of(mapping)}"
        raise CaseError(Diagnostic(codes.CASE_NOT_A_MAPPING, "case", problem))
    problems: list[Diagnostic] = []
    values: dict[str, FactValue] = {}
    meta: dict[str, str] = {}
    allowed_keys = [*kb.facts, *META_KEYS]
    for key, value in mapping.items():
        if not isinstance(key, str):
            problems.append(
                Diagnostic(codes.CASE_KEY_NOT_A_WORD, "case", f"a key must be a word, got {show(key)}")
            )
        elif key in META_KEYS:
            if value is None:
                continue
            if not isinstance(value, str):
                problems.append(Diagnostic(codes.CASE_NOT_TEXT, key, f"expected text, got {kind_of(value)}"))
            elif (bad := control_character(value)) is not None:
                # A terminal would obey it (colours, titles, cursor moves), and TOML cannot hold it.
                problems.append(
                    Diagnostic(
                        codes.CASE_CONTROL_CHARACTER,
                        key,
                        f"holds a control character ({bad!r}{_what(bad)})",
                        hint="text may hold new lines and tabs only",
                    )
                )
            else:
                meta[key] = value
        elif key in kb.facts:
            checked = check_fact(kb.facts[key], value, problems)
            if checked is not None:
                values[key] = checked
        else:
            problems.append(
                Diagnostic(
                    codes.CASE_UNKNOWN_KEY,
                    key,
                    f"unknown key {show(key)}",
                    # "did you mean" for the first few: a hostile case of 50,000 keys costs no more
                    suggestion=closest(key, allowed_keys) if len(problems) < SUGGESTED else "",
                    hint=f"the keys are: {', '.join(allowed_keys)}",
                )
            )
    for spec in kb.facts.values():
        if spec.required and mapping.get(spec.id) is None and not any(p.path == spec.id for p in problems):
            hint = f"it is required: one of {one_of(spec.value_ids)}"
            problems.append(Diagnostic(codes.CASE_MISSING, spec.id, "missing", hint=hint))
    if problems:
        raise CaseError.of(placed(mapping, problems))
    patient = Patient(
        known=tuple((name, values[name]) for name in kb.facts if name in values),
        meta=tuple((key, meta[key]) for key in META_KEYS if key in meta),
        validated_for=kb.fingerprint,
    )
    _constraints(patient, kb, mapping)
    return patient


def placed(mapping: object, problems: list[Diagnostic]) -> list[Diagnostic]:
    """Each problem placed at ``file:line:col`` when the case came from a file that can say where.

    A case read by :mod:`pnet_expert.files.casefile` has ``origin_of(path, key)``;
    a plain mapping has not, and its problems stay as they are. An unknown key is
    placed at the key itself, every other problem at its value.
    """
    origin_of = getattr(mapping, "origin_of", None)
    if origin_of is None:
        return problems
    return [
        d
        if d.origin is not None
        else attrs.evolve(d, origin=origin_of(d.path, d.code == codes.CASE_UNKNOWN_KEY))
        for d in problems
    ]


def _what(character: str) -> str:
    """What an unsafe character is, when its escape does not say it."""
    if character in BIDI_CONTROLS:
        return ", a bidirectional control: it would reorder the text around it"
    if "\ud800" <= character <= "\udfff":
        return ", half of a surrogate pair: not a character, and no file can hold it"
    return ""


def _constraints(patient: Patient, kb: KnowledgeBase, mapping: object) -> None:
    """Reject a case that breaks a constraint of facts.yaml (each named by its field)."""
    problems = []
    evaluator = Evaluator(kb, patient)
    for constraint in kb.constraints:
        holds, _ = evaluator.all(constraint.if_)
        if holds is Truth.TRUE and evaluator.one(constraint.then).truth is Truth.FALSE:
            value = patient.to_dict().get(constraint.field)
            problems.append(
                Diagnostic(
                    codes.CASE_CONTRADICTION,
                    constraint.field,
                    f"{show(value)} contradicts the other facts: {constraint.message}",
                )
            )
    if problems:
        raise CaseError.of(placed(mapping, problems))
