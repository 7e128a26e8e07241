"""A fixed, seeded set of valid cases, generated from the knowledge base's fact specs.

The same shape as ``tests/helpers/strategies.py`` (every fact present or unknown
with even odds, up to four tumors, optional fields sometimes unknown), drawn with
``random.Random(seed)`` so that every run times the very same cases. Cases that
break a constraint of the knowledge base are drawn again, so every case is valid.
"""

from __future__ import annotations

import random
from typing import Any

from pnet_expert import CaseError, KnowledgeBase, load_knowledge_base
from pnet_expert.core.case import validate_case
from pnet_expert.core.schema import FactSpec


def _value(rng: random.Random, spec: FactSpec) -> Any:
    if spec.kind == "boolean":
        return rng.random() < 0.5
    if spec.kind == "choice":
        return rng.choice(spec.value_ids)
    if spec.kind == "set":
        values = list(spec.value_ids)
        return rng.sample(values, rng.randint(0, len(values)))
    # Each field from its spec: a required one always given, an optional one unknown at times.
    choices = [(f.id, f.value_ids if f.required else (None, *f.value_ids)) for f in spec.fields]
    records = []
    for _ in range(rng.randint(0, 4)):
        drawn = ((name, rng.choice(values)) for name, values in choices)
        records.append({name: value for name, value in drawn if value is not None})
    return records


def generate(count: int, seed: int, kb: KnowledgeBase | None = None) -> list[dict[str, Any]]:
    """``count`` valid case mappings, the same ones for the same seed."""
    kb = kb or load_knowledge_base()
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    while len(out) < count:
        case: dict[str, Any] = {"tumor_type": rng.choice(kb.facts["tumor_type"].value_ids)}
        for fact_id, spec in kb.facts.items():
            if fact_id != "tumor_type" and rng.random() < 0.5:
                case[fact_id] = _value(rng, spec)
        try:
            validate_case(case, kb)
        except CaseError:
            continue
        out.append(case)
    return out
