"""A case in, a :class:`~pnet_expert.explain.consultation.Consultation` out: validation, engine, result."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pnet_expert.core.case import Patient, validate_case
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.engine.session import compiled
from pnet_expert.explain.build import build
from pnet_expert.explain.consultation import Consultation
from pnet_expert.knowledge.loader import load_knowledge_base

KbArgument = KnowledgeBase | str | os.PathLike[str] | None
"""What ``kb=`` takes: a loaded knowledge base, the path of a knowledge base directory, or None."""


def recommend(case: Patient | Mapping[str, Any], kb: KbArgument = None) -> Consultation:
    """Every treatment option the source offers for a case, each with its reasons.

    ``case`` is a mapping of facts (a dict, or what ``read_case`` reads from a
    JSON, YAML or TOML file) or a :class:`~pnet_expert.core.case.Patient`. Only
    ``tumor_type`` is required. A fact left out, or given as None, is *unknown*:
    no rule fires on it, and it is never taken as false. The bundled knowledge
    base's facts (``knowledge_base/facts.yaml``)::

        tumor_type      gastrinoma | insulinoma | glucagonoma | vipoma | somatostatinoma | other
        tumors          the tumors found, [] for none so far; each {site: ..., size: ...}:
                          site  head | body | tail | duodenum  (required)
                          size  small | large                  (optional)
        spread          a list of lymph_nodes, liver, distant; [] when it has not spread
        tumor_found, resectable, liver_dominant, severe_symptoms, acid_symptoms,
        residual_after_surgery, refractory, progressing, recurrent
                        true | false
        id, title, description, notes
                        free text, shown in reports, never reasoned on

    A bad case raises :class:`~pnet_expert.core.errors.CaseError` naming each
    field, its value and what is allowed (``.diagnostics`` holds them, with
    codes). ``kb`` is a :class:`~pnet_expert.core.schema.KnowledgeBase`, the
    path of a knowledge base directory (``pnet-expert kb init DIR`` makes an
    editable copy; a broken one raises
    :class:`~pnet_expert.core.errors.KnowledgeBaseError` listing every problem
    with ``file:line:col``), or None for the bundled one. Load a directory once
    with :func:`~pnet_expert.knowledge.loader.load_knowledge_base` to consult
    many cases with it. The engine is compiled once per knowledge base and
    reused; this function is safe to call from several threads.

    The result offers options from one 2012 patient summary, for teaching: never
    medical advice. For example::

        >>> from pnet_expert import recommend
        >>> c = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "tail", "size": "small"}]})
        >>> c
        <Consultation of a case of insulinoma: 1 option (usually: tumor_resection); fired INS-01>
        >>> [(o.id, o.strength, o.rules) for o in c.options]
        [('tumor_resection', 'usually', ('INS-01',))]
        >>> print(c.options[0].because[0])
        INS-01: a single tumor in the pancreas with site tail, size small
        >>> "spread" in c.unknown_facts
        True

    Then ``print(c)`` for a summary, ``c.to_text()`` for the options with their
    reasons, ``c.explain(id)`` (HOW), ``c.why_not(id)`` (WHY NOT), ``c.to_dict()``
    (the JSON contract), ``c.to_html()`` and ``c.to_markdown()`` (reports).
    """
    kb = _knowledge_base(kb)
    if isinstance(case, Patient) and case.validated_for == kb.fingerprint:
        patient = case  # already checked against this knowledge base's facts and values
    else:
        patient = validate_case(case.to_dict() if isinstance(case, Patient) else case, kb)
    return build(kb, patient, compiled(kb).run(patient))


def _knowledge_base(kb: KbArgument) -> KnowledgeBase:
    """The knowledge base ``kb=`` names: itself, the one at a path, or the bundled one."""
    if isinstance(kb, KnowledgeBase):
        return kb
    if kb is None:
        return load_knowledge_base()
    if isinstance(kb, str | os.PathLike):
        return load_knowledge_base(os.fspath(kb))
    kind = type(kb).__name__
    message = f"kb must be a KnowledgeBase, the path of a knowledge base directory, or None; got {kind}"
    raise TypeError(message)
