"""Typed treatment names: ids or labels, any case, spaces or underscores, a unique start; several per line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnet_expert import InputError, KnowledgeBase, load_knowledge_base
from pnet_expert.core import codes
from pnet_expert.tutor.matching import MAX_LINE, match_treatment, read_answer

KB = load_knowledge_base()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("chemotherapy", "chemotherapy"),
        ("Chemoembolization", "chemoembolization"),
        ("regional chemotherapy", "regional_chemotherapy"),
        ("  HEPATIC_arterial   occlusion ", "hepatic_arterial_occlusion"),
        ("Surgery to remove the tumor", "tumor_resection"),
        ("combination chemo", "combination_chemotherapy"),
        ("hepatic", "hepatic_arterial_occlusion"),
        ("pancreatoduo", "pancreatoduodenectomy"),
        ("fluids", "fluid_electrolyte_replacement"),
        ("surg whole stomach", "total_gastrectomy"),
        ("a clinical trial", "clinical_trial"),
    ],
)
def test_a_name_is_matched(kb: KnowledgeBase, typed: str, expected: str) -> None:
    """Ids, labels, any case, spaces for underscores, a unique start, word starts in order."""
    assert match_treatment(typed, kb) == expected


@given(st.sampled_from(sorted(KB.treatments)), st.data())
def test_every_id_and_label_matches_itself_in_any_case(treatment: str, data: st.DataObject) -> None:
    """Every treatment's id and label, upper-cased or with spaces, names that treatment."""
    label = KB.treatments[treatment].label
    forms = [treatment, treatment.upper(), treatment.replace("_", " "), label, label.upper()]
    assert match_treatment(data.draw(st.sampled_from(forms)), KB) == treatment


def test_an_ambiguous_start_lists_the_candidates(kb: KnowledgeBase) -> None:
    """'chemo' could be two treatments: INPUT-E012 names both."""
    with pytest.raises(InputError) as caught:
        match_treatment("chemo", kb)
    (d,) = caught.value.diagnostics
    assert d.code == codes.INPUT_AMBIGUOUS
    assert (
        d.detail
        == "'chemo' could be 2 treatments: chemoembolization, chemotherapy; type more of it, or the id"
    )


def test_a_name_that_is_no_treatment_suggests_the_closest(kb: KnowledgeBase) -> None:
    """A misspelt id: INPUT-E003 with "did you mean"."""
    with pytest.raises(InputError) as caught:
        match_treatment("chemoembolisation", kb)
    (d,) = caught.value.diagnostics
    assert (d.code, d.suggestion) == (codes.INPUT_NOT_AN_ANSWER, "chemoembolization")


def test_a_line_holds_several_names_and_strengths(kb: KnowledgeBase) -> None:
    """Commas or semicolons separate names; 'NAME: STRENGTH' states a strength; each treatment once."""
    answer = read_answer(
        "Supportive care; chemoembolization: may include, hepatic, chemotherapy, supportive_care", kb
    )
    assert answer.treatments == (
        "supportive_care",
        "chemoembolization",
        "hepatic_arterial_occlusion",
        "chemotherapy",
    )
    assert answer.strengths == (("chemoembolization", "may include"),)
    assert not answer.none


def test_whole_ids_may_be_separated_by_spaces(kb: KnowledgeBase) -> None:
    """'ablation chemotherapy' names two treatments."""
    assert read_answer("ablation chemotherapy", kb).treatments == ("ablation", "chemotherapy")


def test_none_says_the_source_offers_nothing(kb: KnowledgeBase) -> None:
    """'none' is an answer of its own."""
    answer = read_answer(" None ", kb)
    assert answer.none
    assert answer.treatments == ()


def test_every_bad_name_of_a_line_is_reported_at_once(kb: KnowledgeBase) -> None:
    """Two bad names and a bad strength: three diagnostics, nothing taken."""
    with pytest.raises(InputError) as caught:
        read_answer("chemo, ablation: often, xyz", kb)
    assert [d.code for d in caught.value.diagnostics] == [
        codes.INPUT_AMBIGUOUS,
        codes.INPUT_NOT_AN_ANSWER,
        codes.INPUT_NOT_AN_ANSWER,
    ]


def test_a_line_is_bounded(kb: KnowledgeBase) -> None:
    """A line longer than the limit is refused, naming the limit."""
    with pytest.raises(InputError) as caught:
        read_answer("a" * (MAX_LINE + 1), kb)
    assert f"at most {MAX_LINE}" in str(caught.value)
