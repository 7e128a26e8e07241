"""The library's front door: ``recommend(case) -> Consultation``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .case import Patient
from .case_validation import validate_case
from .engine.session import compiled
from .explain.consultation import Consultation, build
from .knowledge.loader import load_knowledge_base
from .knowledge.schema import KnowledgeBase


def recommend(case: Patient | Mapping[str, Any], kb: KnowledgeBase | None = None) -> Consultation:
    """Every treatment option the source offers for a case, each with its reasons.

    ``case`` is a :class:`Patient` or a mapping of facts (validated; a bad one
    raises :class:`~pnet_expert.errors.CaseError`). ``kb`` defaults to the
    bundled knowledge base. The engine is compiled once per knowledge base and
    reused; this function is safe to call from several threads.
    """
    kb = load_knowledge_base() if kb is None else kb
    if isinstance(case, Patient) and case.validated_for == kb.fingerprint:
        patient = case  # already checked against this knowledge base's facts and values
    else:
        patient = validate_case(case.to_dict() if isinstance(case, Patient) else case, kb)
    return build(kb, patient, compiled(kb).run(patient))
