"""The verifier's reasoning, cross-checked against the engine on random valid cases."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import edit
from helpers.strategies import KB, raw_cases, valid_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.core.case import validate_case
from pnet_expert.core.errors import CaseError
from pnet_expert.knowledge.loader import bundled_path
from pnet_expert.verify.diff import KbDiff, diff_knowledge_bases
from pnet_expert.verify.gaps import source_gaps
from pnet_expert.verify.subsumption import subsumptions

GAPS = source_gaps(KB)
SUBSUMED = subsumptions(KB)


def _valid(case: dict[str, Any]) -> bool:
    try:
        validate_case(case, KB)
    except CaseError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(GAPS), raw_cases())
def test_every_case_of_a_gap_kind_is_a_gap(gap: Any, extra: dict[str, Any]) -> None:
    """Whatever the other facts, a case of a gap kind fires no rule of its section (the engine agrees)."""
    case = {**extra, **dict(gap.facts)}
    if not _valid(case):
        return
    consultation = recommend(case)
    assert not set(KB.sections[gap.section].rules) & set(consultation.fired_rules)
    assert consultation.gaps


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(valid_cases())
def test_a_subsumed_rule_never_fires_alone(case: dict[str, Any]) -> None:
    """On every valid case, a subsumed rule fires only with the rule that subsumes it."""
    fired = set(recommend(case).fired_rules)
    for s in SUBSUMED:
        assert s.rule not in fired or s.by in fired


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, KbDiff]:
    """A copy in which GAS-09 no longer offers chemoembolization, and its diff with the bundled one."""
    target = tmp_path_factory.mktemp("edited") / "kb"
    shutil.copytree(bundled_path(), target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    edit(
        target / "rules" / "gastrinoma.yaml",
        "      - treatment: ablation\n      - treatment: chemoembolization\n",
        "      - treatment: ablation\n",
    )
    new = load_knowledge_base(Path(target))
    return new, diff_knowledge_bases(KB, new)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(valid_cases())
def test_options_change_exactly_on_the_kinds_the_diff_reports(
    edited: tuple[KnowledgeBase, KbDiff], case: dict[str, Any]
) -> None:
    """A case's options differ between the two knowledge bases iff it is of a reported kind."""
    new, diff = edited
    before, after = recommend(case, KB), recommend(case, new)
    changed = [(o.id, o.strength, o.qualifiers) for o in before.treatments] != [
        (o.id, o.strength, o.qualifiers) for o in after.treatments
    ]
    offering = tuple(r for r in before.fired_rules if KB.rules[r].offers_treatment("chemoembolization"))
    of_a_kind = any(k.fired_before == offering for k in diff.impact)
    assert changed == of_a_kind
