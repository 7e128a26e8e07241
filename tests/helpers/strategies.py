"""Hypothesis strategies for cases: valid ones (from the knowledge base's fact specs) and broken ones."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from pnet_expert import CaseError, KnowledgeBase, load_knowledge_base
from pnet_expert.core.case import validate_case

KB = load_knowledge_base()


def _fact_value(fact_id: str, kb: KnowledgeBase = KB) -> st.SearchStrategy[Any]:
    spec = kb.facts[fact_id]
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from(spec.value_ids)
    if spec.kind == "set":
        return st.lists(st.sampled_from(spec.value_ids), unique=True)
    fields = {
        f.id: st.sampled_from(f.value_ids) if f.required else st.none() | st.sampled_from(f.value_ids)
        for f in spec.fields
    }
    record = st.fixed_dictionaries(fields).map(lambda r: {k: v for k, v in r.items() if v is not None})
    return st.lists(record, max_size=4)


def _is_valid(case: dict[str, Any], kb: KnowledgeBase = KB) -> bool:
    try:
        validate_case(case, kb)
    except CaseError:
        return False
    return True


@st.composite
def raw_cases(draw: st.DrawFn, kb: KnowledgeBase = KB) -> dict[str, Any]:
    """A case mapping: tumor_type always, every other fact present or absent (unknown)."""
    case: dict[str, Any] = {"tumor_type": draw(_fact_value("tumor_type", kb))}
    for fact_id in kb.facts:
        if fact_id != "tumor_type" and draw(st.booleans()):
            case[fact_id] = draw(_fact_value(fact_id, kb))
    return case


def seeded_cases(count: int, seed: int) -> list[dict[str, Any]]:
    """A fixed list of valid cases from a seeded random generator (for tests that need a plain batch)."""
    import random

    rnd = random.Random(seed)
    out: list[dict[str, Any]] = []
    while len(out) < count:
        case: dict[str, Any] = {"tumor_type": rnd.choice(KB.facts["tumor_type"].value_ids)}
        for fact_id, spec in KB.facts.items():
            if fact_id == "tumor_type" or rnd.random() < 0.5:
                continue
            if spec.kind == "boolean":
                case[fact_id] = rnd.random() < 0.5
            elif spec.kind == "set":
                case[fact_id] = rnd.sample(spec.value_ids, rnd.randint(0, len(spec.value_ids)))
            elif spec.kind == "records":
                case[fact_id] = [
                    {f.id: rnd.choice(f.value_ids) for f in spec.fields if f.required or rnd.random() < 0.6}
                    for _ in range(rnd.randint(0, 3))
                ]
        if _is_valid(case):
            out.append(case)
    return out


def valid_cases(kb: KnowledgeBase = KB) -> st.SearchStrategy[dict[str, Any]]:
    """Cases that pass validation (the constraints between facts hold): the bundled KB's, or another's."""
    return raw_cases(kb).filter(lambda case: _is_valid(case, kb))
