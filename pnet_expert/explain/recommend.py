"""A case in, a :class:`~pnet_expert.explain.consultation.Consultation` out: validation, engine, result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pnet_expert.core.case import Patient, validate_case
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.engine.session import compiled
from pnet_expert.explain.build import build
from pnet_expert.explain.consultation import Consultation
from pnet_expert.knowledge.loader import load_knowledge_base


def recommend(case: Patient | Mapping[str, Any], kb: KnowledgeBase | None = None) -> Consultation:
    """Every treatment option the source offers for a case, each with its reasons.

    ``case`` is a :class:`~pnet_expert.core.case.Patient` or a mapping of facts
    (validated; a bad one raises :class:`~pnet_expert.core.errors.CaseError`).
    ``kb`` defaults to the bundled knowledge base. The engine is compiled once
    per knowledge base and reused; this function is safe to call from several
    threads.
    """
    kb = load_knowledge_base() if kb is None else kb
    if isinstance(case, Patient) and case.validated_for == kb.fingerprint:
        patient = case  # already checked against this knowledge base's facts and values
    else:
        patient = validate_case(case.to_dict() if isinstance(case, Patient) else case, kb)
    return build(kb, patient, compiled(kb).run(patient))
