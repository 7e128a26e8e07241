"""tutor.grade: a student's options against the source's, with rules, reasons, WHY NOT and hints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers.strategies import valid_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from pnet_expert import CaseError, InputError, KnowledgeBase, recommend
from pnet_expert.core import codes
from pnet_expert.tutor import MAX_PROPOSED, grade

GASTRINOMA_LIVER = {"tumor_type": "gastrinoma", "spread": ["liver"]}


@settings(max_examples=120, deadline=None)
@given(valid_cases())
def test_the_engines_own_options_score_one(case: dict[str, Any]) -> None:
    """Grading exactly recommend's options scores 1.0, with nothing missed and nothing added."""
    offered = [o.id for o in recommend(case).treatments]
    result = grade(case, offered)
    assert result.score == 1.0
    assert result.perfect
    assert result.missed == ()
    assert result.not_offered == ()
    assert [c.treatment for c in result.correct] == offered


@settings(max_examples=120, deadline=None)
@given(valid_cases(), st.data())
def test_leaving_one_out_reports_exactly_that_one_missed(case: dict[str, Any], data: st.DataObject) -> None:
    """Remove one offered option: exactly it is missed, with the rules that offer it and their quotes."""
    consultation = recommend(case)
    if not consultation.treatments:
        return
    left_out = data.draw(st.sampled_from(consultation.treatments))
    result = grade(case, [o.id for o in consultation.treatments if o.id != left_out.id])
    (missed,) = result.missed
    assert missed.treatment == left_out.id
    assert missed.rules == left_out.rules
    assert [r.quote for r in missed.because] == [consultation.kb.rules[r].quote for r in left_out.rules]
    assert result.not_offered == ()
    assert result.score < 1.0


@settings(max_examples=120, deadline=None)
@given(valid_cases(), st.data())
def test_adding_one_not_offered_reports_it_with_why_not(case: dict[str, Any], data: st.DataObject) -> None:
    """Add one treatment the source does not offer: it is reported not offered, with every rule that could
    offer it, none fired, each with a condition not met or unknown."""
    consultation = recommend(case)
    kb = consultation.kb
    offered = [o.id for o in consultation.treatments]
    others = [t for t in kb.treatments if t not in offered]
    added = data.draw(st.sampled_from(others))
    result = grade(case, [*offered, added])
    (extra,) = result.not_offered
    assert extra.treatment == added
    assert extra.rules == tuple(r.id for r in kb.rules_offering(added))
    for check in extra.checks:
        assert not check.fired
        assert check.failed or check.unknown
    assert result.missed == ()
    assert result.score == len(offered) / (len(offered) + 1)
    why = extra.to_dict()["why_not"]
    assert [w["rule"] for w in why] == list(extra.rules)
    assert all(any(c["truth"] != "met" for c in w["conditions"]) for w in why)


def test_score_is_right_answers_over_everything_named_or_offered() -> None:
    """2 right, n - 2 missed, 1 added: 2 / (n + 1)."""
    offered = [o.id for o in recommend(GASTRINOMA_LIVER).treatments]
    n = len(offered)
    assert n > 3
    result = grade(GASTRINOMA_LIVER, [offered[0], offered[1], "acid_reducing_drug"])
    assert (len(result.correct), len(result.missed), len(result.not_offered)) == (2, n - 2, 1)
    assert result.score == pytest.approx(2 / (n + 1))


def test_nothing_offered_and_nothing_named_scores_one(kb: KnowledgeBase) -> None:
    """A gap case for which the source offers nothing: 'none' is the right answer."""
    case = {"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}]}
    assert recommend(case, kb).treatments == ()
    assert grade(case, [], kb).score == 1.0
    assert grade(case, ["tumor_resection"], kb).score == 0.0


def test_to_dict_is_json_ready_and_carries_rules_and_reasons() -> None:
    """The grade as JSON: each part with its rules; reasons quote the source; the disclaimer is there."""
    result = grade(GASTRINOMA_LIVER, ["chemoembolization", "acid_reducing_drug", "chemoembolization"])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["proposed"] == ["chemoembolization", "acid_reducing_drug"]
    (right,) = data["correct"]
    assert right["treatment"] == "chemoembolization"
    assert right["rules"] == ["GAS-09"]
    assert right["because"][0]["quote"] == "If the cancer has spread to the liver, treatment may include:"
    (wrong,) = data["not_offered"]
    assert wrong["rules"] == ["GAS-02"]
    assert wrong["why_not"][0]["conditions"][1]["truth"] == "unknown"
    offered = [o.id for o in recommend(GASTRINOMA_LIVER).treatments]
    assert [m["treatment"] for m in data["missed"]] == [t for t in offered if t != "chemoembolization"]
    assert data["offered"] == offered
    assert data["score"] == pytest.approx(1 / (len(offered) + 1))
    assert "not medical advice" in data["disclaimer"]
    assert data["knowledge_base"]["version"]


def test_hints_climb_from_the_fact_to_the_passage_to_the_rule() -> None:
    """A missed option's three hints: the fact that matters (not the answer), the quote, the rule and HOW."""
    result = grade(GASTRINOMA_LIVER, [])
    first, second, third = result.hints("chemoembolization")
    assert (first.level, first.kind) == (1, "fact")
    assert "where the cancer has spread: the liver" in first.text
    assert "chemoembolization" not in first.text.lower()
    assert second.kind == "passage"
    assert second.rules == ("GAS-09",)
    assert '"If the cancer has spread to the liver, treatment may include:"' in second.text
    assert third.kind == "rule"
    assert "GAS-09" in third.text
    assert "HOW:" in third.text
    assert "liver_metastases" in third.text


def test_hints_for_a_treatment_not_offered_say_why_not() -> None:
    """Not offered: the ladder names what the case lacks, the nearest rule's words, then WHY NOT."""
    first, second, third = grade(GASTRINOMA_LIVER, ["acid_reducing_drug"]).hints("acid_reducing_drug")
    assert "not known: symptoms caused by too much stomach acid" in first.text
    assert second.rules == ("GAS-02",)
    assert third.text.lstrip().startswith("WHY NOT: acid_reducing_drug")
    assert "unknown: acid_symptoms is true" in third.text


def test_an_unknown_treatment_id_is_named_with_did_you_mean() -> None:
    """An id that is no treatment: INPUT-E001 at its place in the list, with the closest id."""
    with pytest.raises(InputError) as caught:
        grade(GASTRINOMA_LIVER, ["chemoembolization", "chemoembolisation"])
    (d,) = caught.value.diagnostics
    assert (d.code, d.path, d.suggestion) == (
        codes.INPUT_UNKNOWN_NAME,
        "proposed_ids[1]",
        "chemoembolization",
    )
    assert str(d).startswith(
        "proposed_ids[1]: 'chemoembolisation' is not a treatment id (did you mean 'chemoembolization'?)"
    )


def test_text_instead_of_a_list_is_refused_word_for_word() -> None:
    """A single string would be read letter by letter: it is refused (INPUT-E011), with an example."""
    with pytest.raises(InputError) as caught:
        grade(GASTRINOMA_LIVER, "chemotherapy")
    assert caught.value.code == codes.INPUT_NOT_TREATMENT_IDS
    assert str(caught.value) == (
        "proposed_ids: expected a list of treatment ids, got text 'chemotherapy'; "
        "for example ['tumor_resection', 'chemotherapy'], or [] for none"
    )


@pytest.mark.parametrize("bad", [None, 7, {"chemotherapy": True}, [3], ["chemotherapy", None]])
def test_other_bad_lists_are_refused(bad: object) -> None:
    """Not a list of ids: INPUT-E011, never a traceback."""
    with pytest.raises(InputError) as caught:
        grade(GASTRINOMA_LIVER, bad)  # type: ignore[arg-type]
    assert caught.value.code == codes.INPUT_NOT_TREATMENT_IDS


def test_the_list_is_bounded() -> None:
    """More ids than the limit are refused, naming the limit."""
    with pytest.raises(InputError) as caught:
        grade(GASTRINOMA_LIVER, ["chemotherapy"] * (MAX_PROPOSED + 1))
    assert caught.value.code == codes.INPUT_NOT_TREATMENT_IDS
    assert f"at most {MAX_PROPOSED}" in str(caught.value)


def test_a_bad_case_and_a_bad_id_are_reported_together() -> None:
    """One attempt shows every problem: the case's (CASE-E003) and the list's (INPUT-E001)."""
    with pytest.raises(CaseError) as caught:
        grade({"tumor_type": "gastrinoma", "spread": ["lungs"]}, ["chemo"])
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [
        (codes.CASE_NOT_ONE_OF, "spread[0]"),
        (codes.INPUT_UNKNOWN_NAME, "proposed_ids[0]"),
    ]


def test_an_unknown_treatment_has_no_hints() -> None:
    """hints() of a name that is no treatment: INPUT-E001."""
    with pytest.raises(InputError) as caught:
        grade(GASTRINOMA_LIVER, []).hints("chemo")
    assert caught.value.code == codes.INPUT_UNKNOWN_NAME


def test_strength_notes_compare_the_stated_strength_with_the_sources() -> None:
    """A right option with a strength stated: right or not, as the source says."""
    case = {"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}]}
    result = grade(case, ["tumor_resection"])
    (note,) = result.strength_notes({"tumor_resection": "may include", "chemotherapy": "usually"})
    assert (note.source, note.right) == ("usually", False)


def test_a_knowledge_base_can_be_given(tiny_kb: KnowledgeBase) -> None:
    """grade(case, ids, kb) uses that knowledge base's rules and treatments."""
    result = grade({"tumor_type": "gastrinoma", "acid_symptoms": True}, ["acid_reducing_drug"], tiny_kb)
    assert [c.treatment for c in result.missed] == ["supportive_care"]
    assert result.consultation.fired_rules == ("GAS-01", "GAS-02")


def test_the_web_apps_grade_endpoint_serves_this_grade(kb: KnowledgeBase) -> None:
    """POST /api/grade (the web app) answers grade().to_dict(); a bad id: 422 naming the body's field."""
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from pnet_expert.web.app import create_app

    with TestClient(create_app(kb)) as client:
        body = {"case": GASTRINOMA_LIVER, "proposed": ["chemoembolization", "acid_reducing_drug"]}
        response = client.post("/api/grade", json=body)
        assert response.status_code == 200
        assert response.json() == json.loads(
            json.dumps(grade(GASTRINOMA_LIVER, body["proposed"], kb).to_dict())
        )
        bad = client.post("/api/grade", json={"case": GASTRINOMA_LIVER, "proposed": ["chemoembolisation"]})
        assert bad.status_code == 422
        assert [(d["code"], d["path"]) for d in bad.json()["diagnostics"]] == [
            (codes.INPUT_UNKNOWN_NAME, "proposed[0]")
        ]
