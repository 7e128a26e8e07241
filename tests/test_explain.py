"""Explanations: the JSON contract, HOW unfolded to the case facts, WHY NOT, gaps."""

from __future__ import annotations

import json

import pytest

from pnet_expert import Consultation, InputError, KnowledgeBase, recommend

LIVER_SEVERE = {
    "id": "liver-severe",
    "tumor_type": "gastrinoma",
    "tumors": [{"site": "duodenum"}],
    "spread": ["lymph_nodes", "liver"],
    "liver_dominant": True,
    "severe_symptoms": True,
}


@pytest.fixture(scope="module")
def liver() -> Consultation:
    return recommend(LIVER_SEVERE)


def test_json_contract_keys(liver: Consultation) -> None:
    """to_dict() has the JSON contract's keys, and is plain JSON."""
    d = liver.to_dict()
    assert {"case", "knowledge_base", "treatments", "fired_rules", "gaps"} <= set(d)
    assert d["case"] == LIVER_SEVERE
    assert d["knowledge_base"]["source"]["last_modified"] == "2012-02-06"
    assert {"name", "version", "source"} <= set(d["knowledge_base"])
    assert d["fired_rules"] == ["GAS-01", "GAS-07", "GAS-09", "GAS-11"]
    assert d["gaps"] == []
    assert d["cautions"] == []
    assert d["silences"] == []
    assert json.loads(json.dumps(d)) == d
    for option in d["treatments"]:
        assert {"id", "label", "strength", "qualifiers", "because"} <= set(option)
        for reason in option["because"]:
            assert {
                "rule",
                "section",
                "strength",
                "qualifiers",
                "alternatives",
                "quote",
                "facts",
                "findings",
            } <= set(reason)


def test_spec_example_chemoembolization(liver: Consultation) -> None:
    """The JSON contract's example: chemoembolization, qualifiers merged, GAS-09 shown as spread [liver]."""
    option = next(t for t in liver.to_dict()["treatments"] if t["id"] == "chemoembolization")
    assert option["strength"] == "may include"
    assert option["qualifiers"] == ["with or without systemic chemotherapy"]
    gas09, gas11 = option["because"]
    assert gas09["rule"] == "GAS-09"
    assert gas09["section"] == "gastrinoma"
    assert gas09["qualifiers"] == []
    assert gas09["alternatives"] is False
    assert gas09["quote"].startswith("If the cancer has spread to the liver, treatment may include:")
    assert gas09["facts"] == {"tumor_type": "gastrinoma", "spread": ["liver"]}
    assert gas09["findings"] == [
        {"finding": "liver_metastases", "rule": "FND-06", "facts": {"spread": ["liver"]}}
    ]
    assert gas11["qualifiers"] == ["with or without systemic chemotherapy"]
    assert gas11["facts"] == {"tumor_type": "gastrinoma", "liver_dominant": True, "severe_symptoms": True}


def test_options_are_grouped_usually_first(liver: Consultation) -> None:
    """Options come 'usually' first, each treatment once."""
    strengths = [o.strength for o in liver.treatments]
    assert strengths == sorted(strengths, key=lambda s: s != "usually")
    ids = [o.id for o in liver.treatments]
    assert len(ids) == len(set(ids))


def test_alternatives_are_marked() -> None:
    """Either/or offers are marked, each naming the other."""
    c = recommend({"tumor_type": "glucagonoma", "tumors": [{"site": "head"}, {"site": "tail"}]})
    resection = c.option("tumor_resection")
    assert resection is not None
    assert resection.because[0].alternatives == ("distal_pancreatectomy",)
    assert resection.to_dict()["because"][0]["alternatives"] is True


def test_rec02_alternatives_only_for_the_last_two() -> None:
    """REC-02: regional chemotherapy stands alone; hepatic arterial occlusion or chemoembolization."""
    c = recommend({"tumor_type": "insulinoma", "recurrent": True, "spread": ["liver"]})
    assert c.option("regional_chemotherapy").because[0].alternatives == ()  # type: ignore[union-attr]
    assert c.option("chemoembolization").because[0].alternatives == ("hepatic_arterial_occlusion",)  # type: ignore[union-attr]


def test_finding_attributes_and_record_facts() -> None:
    """A finding carries its site and size, and its facts are the tumors it came from."""
    c = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "tail", "size": "small"}], "spread": []})
    reason = c.option("tumor_resection").because[0]  # type: ignore[union-attr]
    use = reason.findings[0]
    assert use.finding == "single_pancreatic_tumor"
    assert use.attributes == {"site": "tail", "size": "small"}
    assert use.facts == {"tumors": [{"site": "tail", "size": "small"}]}
    assert reason.facts == {"tumor_type": "insulinoma", "tumors": [{"site": "tail", "size": "small"}]}


def test_several_firings_of_one_rule_merge() -> None:
    """Two duodenal tumors: GAS-07 has one reason, resting on both tumors."""
    c = recommend(
        {"tumor_type": "gastrinoma", "tumors": [{"site": "duodenum"}, {"site": "duodenum", "size": "small"}]}
    )
    option = c.option("pancreatoduodenectomy")
    assert option is not None
    assert len(option.because) == 1
    assert option.because[0].facts["tumors"] == [{"site": "duodenum"}, {"site": "duodenum", "size": "small"}]


def test_disjunction_records_every_option_that_held() -> None:
    """GAS-10 with distant spread and refractory: one reason resting on both."""
    c = recommend({"tumor_type": "gastrinoma", "spread": ["distant"], "refractory": True})
    reason = c.option("chemotherapy").because[0]  # type: ignore[union-attr]
    assert reason.facts == {"tumor_type": "gastrinoma", "spread": ["distant"], "refractory": True}
    assert [f.finding for f in reason.findings] == ["spread_beyond_liver"]


def test_explain_unfolds_to_case_facts(liver: Consultation) -> None:
    """HOW names each rule, its quote, and the chain rule ← finding ← facts."""
    text = liver.explain("chemoembolization")
    assert "HOW: chemoembolization" in text
    assert "GAS-09" in text
    assert "GAS-11" in text
    assert '"If the cancer has spread to the liver, treatment may include:"' in text
    assert "liver_metastases (the cancer has spread to the liver) ← FND-06 ← spread = [liver]" in text
    assert "liver_dominant = true, severe_symptoms = true" in text
    assert "not medical advice" in text


def test_explain_of_an_option_not_offered_says_why_not(liver: Consultation) -> None:
    """HOW for a treatment not offered says so and gives WHY NOT."""
    text = liver.explain("clinical_trial")
    assert "clinical_trial (A clinical trial of a new therapy) is not offered for this case." in text
    assert "WHY NOT: clinical_trial" in text


def test_why_not_names_failed_and_unknown_conditions(liver: Consultation) -> None:
    """WHY NOT lists each rule that could offer it, with conditions not met and unknown."""
    text = liver.why_not("regional_chemotherapy")
    assert "It is not offered for this case." in text
    assert "REC-02" in text
    assert "unknown: progressive_or_recurrent" in text
    assert "progressing, recurrent not given" in text
    assert "met: liver_metastases" in text
    text = liver.why_not("insulin_lowering_drug")
    assert "NOT met: tumor_type is insulinoma (type of tumor) — here tumor_type = gastrinoma" in text


def test_why_not_checks_are_structured(liver: Consultation) -> None:
    """why_not_checks gives each rule's outcome for programs."""
    checks = {c.rule.id: c for c in liver.why_not_checks("hepatic_arterial_occlusion")}
    assert set(checks) == {"GAS-11", "INS-08", "GLU-07", "REC-02"}
    assert checks["GAS-11"].fired
    assert not checks["REC-02"].fired
    assert checks["REC-02"].unknown_facts == ("progressing", "recurrent")
    assert [c.text for c in checks["INS-08"].failed] == ["tumor_type is insulinoma (type of tumor)"]


def test_unknown_treatment_is_an_input_error(liver: Consultation) -> None:
    """An unknown treatment id names the value and suggests the nearest."""
    with pytest.raises(InputError) as error:
        liver.explain("chemoembolisation")
    (diagnostic,) = error.value.diagnostics
    assert (diagnostic.code, diagnostic.path, diagnostic.suggestion) == (
        "INPUT-E001",
        "treatment",
        "chemoembolization",
    )
    assert "'chemoembolisation'" in diagnostic.message
    with pytest.raises(InputError) as error:
        liver.rule_check("GAS-99")
    assert (error.value.code, error.value.field, error.value.diagnostics[0].suggestion) == (
        "INPUT-E001",
        "rule",
        "GAS-09",
    )


def test_gap_for_small_insulinoma_in_the_body() -> None:
    """Reading RD-01: one small insulinoma in the body fires no rule; the gap says so and what could change
    it, and shows the reading in full."""
    c = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}], "spread": []})
    assert c.treatments == ()
    (gap,) = c.gaps
    assert "The source's Insulinoma section offers no option for this case" in gap
    assert "resectable (INS-07)" in gap
    assert "(INS-08)" not in gap  # liver_dominant cannot be true while spread is known to be []
    assert "INS-01 nearly applies: see reading RD-01" in gap
    assert "Reading RD-01: one small tumor in the head or tail" in c.to_text()
    assert "The bullet names the head and the tail only." in " ".join(c.to_text().split())
    detail = c.to_dict()["gap_details"][0]
    assert "RD-01" in detail["readings"]
    assert "RD-01" in [r["id"] for r in c.to_dict()["readings"]]
    assert detail["section"] == "insulinoma"
    assert {"rule": "INS-07", "unknown": ["resectable"]} in detail["waiting_on"]


def test_gap_names_what_could_still_change_it() -> None:
    """With spread and resectable unknown, the liver rules and the spread rules (reading RD-07) are still
    open and the gap names their facts."""
    c = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}]})
    (gap,) = c.gaps
    assert "liver_dominant, severe_symptoms (INS-08)" in gap
    assert "spread, resectable (INS-05)" in gap


def test_gap_for_large_glucagonoma_in_the_tail() -> None:
    """Reading RD-01: glucagonoma has no rule for one large tumor in the body or tail."""
    c = recommend(
        {
            "tumor_type": "glucagonoma",
            "tumors": [{"site": "tail", "size": "large"}],
            "spread": [],
            "resectable": True,
            "liver_dominant": False,
        }
    )
    (gap,) = c.gaps
    assert "see reading RD-01" in gap
    assert "no bullet for one large tumor in the body or tail" in " ".join(c.to_text().split())
    assert "Not given" not in gap


def test_a_gap_even_when_recurrent_rules_fire() -> None:
    """The gap concerns the type's own section: REC options do not hide it."""
    c = recommend(
        {"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}], "recurrent": True}
    )
    assert "REC-01" in c.fired_rules
    assert len(c.gaps) == 1


def test_no_gap_when_the_section_offers_something() -> None:
    """A case whose own section fired has no gap."""
    assert recommend({"tumor_type": "other"}).gaps == ()


def test_text_output_has_groups_reasons_and_disclaimer(liver: Consultation) -> None:
    """The text rendering groups by strength, gives a reason per option, and ends with the disclaimer."""
    text = liver.to_text()
    assert text.index("Usually") < text.index("May include")
    assert "GAS-07: a tumor in the duodenum" in text
    assert "Unknown (not given, never taken as false): tumor_found, resectable" in text
    assert " ".join(text.split()).endswith("decisions about treatment belong to patients and their doctors.")


def test_unknown_facts_listed(liver: Consultation) -> None:
    """The consultation names the facts the case does not state."""
    assert liver.unknown_facts == (
        "tumor_found",
        "resectable",
        "acid_symptoms",
        "residual_after_surgery",
        "refractory",
        "progressing",
        "recurrent",
    )


def test_tiny_knowledge_base(tiny_kb: KnowledgeBase) -> None:
    """A knowledge base of three rules consults on its own: the engine is built from the data."""
    c = recommend({"tumor_type": "gastrinoma", "acid_symptoms": True, "spread": ["liver"]}, tiny_kb)
    assert c.fired_rules == ("GAS-01", "GAS-02", "GAS-09")
    assert c.kb is tiny_kb
    assert recommend({"tumor_type": "insulinoma"}, tiny_kb).fired_rules == ()
