"""Hypothesis strategies for cases: valid ones (from the knowledge base's fact specs) and broken ones."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from pnet_expert import CaseError, load_knowledge_base
from pnet_expert.case_validation import validate_case

KB = load_knowledge_base()


def _fact_value(fact_id: str) -> st.SearchStrategy[Any]:
    spec = KB.facts[fact_id]
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from(spec.value_ids)
    if spec.kind == "set":
        return st.lists(st.sampled_from(spec.value_ids), unique=True)
    site = spec.field("site").value_ids
    size = spec.field("size").value_ids
    tumor = st.builds(
        lambda s, z: {"site": s} if z is None else {"site": s, "size": z},
        st.sampled_from(site),
        st.none() | st.sampled_from(size),
    )
    return st.lists(tumor, max_size=4)


def _is_valid(case: dict[str, Any]) -> bool:
    try:
        validate_case(case, KB)
    except CaseError:
        return False
    return True


@st.composite
def raw_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A case mapping: tumor_type always, every other fact present or absent (unknown)."""
    case: dict[str, Any] = {"tumor_type": draw(_fact_value("tumor_type"))}
    for fact_id in KB.facts:
        if fact_id != "tumor_type" and draw(st.booleans()):
            case[fact_id] = draw(_fact_value(fact_id))
    return case


def valid_cases() -> st.SearchStrategy[dict[str, Any]]:
    """Cases that pass validation (the constraints between facts hold)."""
    return raw_cases().filter(_is_valid)
