"""The bundled knowledge base as data: the contract's ids and rules, verbatim quotes, the readings."""

from __future__ import annotations

import pytest
from helpers import SOURCE_TEXT, fold

from pnet_expert import KnowledgeBase
from pnet_expert.core.schema import AnyOf, FactTest, FindingTest, iter_tests
from pnet_expert.knowledge.source_words import SourceWords

CONTRACT_FACTS = [
    "tumor_type",
    "tumor_found",
    "tumors",
    "spread",
    "resectable",
    "liver_dominant",
    "severe_symptoms",
    "acid_symptoms",
    "residual_after_surgery",
    "refractory",
    "progressing",
    "recurrent",
]
CONTRACT_FINDINGS = [
    "single_pancreatic_tumor",
    "multiple_pancreatic_tumors",
    "duodenal_tumor",
    "no_tumor_found",
    "any_spread",
    "liver_metastases",
    "distant_spread",
    "spread_beyond_liver",
    "unresectable",
    "liver_dominant_severe",
    "progressive_or_recurrent",
]
CONTRACT_TREATMENTS = [
    "supportive_care",
    "acid_reducing_drug",
    "tumor_resection",
    "vagotomy_with_acid_reducing_drug",
    "total_gastrectomy",
    "distal_pancreatectomy",
    "pancreatoduodenectomy",
    "head_tumor_resection_and_distal_pancreatectomy",
    "liver_resection",
    "ablation",
    "chemoembolization",
    "hepatic_arterial_occlusion",
    "chemotherapy",
    "combination_chemotherapy",
    "regional_chemotherapy",
    "hormone_therapy",
    "targeted_therapy",
    "insulin_lowering_drug",
    "fluid_electrolyte_replacement",
    "tumor_and_lymph_node_resection",
    "debulking_surgery",
    "clinical_trial",
]
CHEMO = "with or without systemic chemotherapy"
# the rules contract: rule -> (offers with qualifiers, strength, either/or groups)
CONTRACT_RULES: dict[str, tuple[dict[str, tuple[str, ...]], str, list[set[str]]]] = {
    "GAS-01": ({"supportive_care": ()}, "may include", []),
    "GAS-02": ({"acid_reducing_drug": ()}, "may include", []),
    "GAS-03": (
        {"tumor_resection": (), "vagotomy_with_acid_reducing_drug": (), "total_gastrectomy": ("rare",)},
        "may include",
        [],
    ),
    "GAS-04": ({"distal_pancreatectomy": ()}, "usually", []),
    "GAS-05": ({"distal_pancreatectomy": ()}, "usually", []),
    "GAS-06": (
        {"vagotomy_with_acid_reducing_drug": (), "total_gastrectomy": ("rare",)},
        "may include",
        [{"vagotomy_with_acid_reducing_drug", "total_gastrectomy"}],
    ),
    "GAS-07": ({"pancreatoduodenectomy": ()}, "usually", []),
    "GAS-08": ({"vagotomy_with_acid_reducing_drug": (), "total_gastrectomy": ("rare",)}, "may include", []),
    "GAS-09": ({"liver_resection": (), "ablation": (), "chemoembolization": ()}, "may include", []),
    "GAS-10": ({"chemotherapy": (), "hormone_therapy": ()}, "may include", []),
    "GAS-11": ({"hepatic_arterial_occlusion": (CHEMO,), "chemoembolization": (CHEMO,)}, "may include", []),
    "INS-01": ({"tumor_resection": ()}, "usually", []),
    "INS-02": ({"pancreatoduodenectomy": ()}, "usually", []),
    "INS-03": ({"distal_pancreatectomy": ()}, "usually", []),
    "INS-04": ({"head_tumor_resection_and_distal_pancreatectomy": ()}, "usually", []),
    "INS-05": ({"tumor_resection": ()}, "may include", []),
    "INS-06": ({"ablation": ()}, "may include", []),
    "INS-07": (
        {
            "combination_chemotherapy": (),
            "insulin_lowering_drug": ("palliative",),
            "hormone_therapy": (),
            "ablation": (),
        },
        "may include",
        [],
    ),
    "INS-08": ({"hepatic_arterial_occlusion": (CHEMO,), "chemoembolization": (CHEMO,)}, "may include", []),
    "GLU-01": ({"tumor_resection": ()}, "usually", []),
    "GLU-02": ({"pancreatoduodenectomy": ()}, "usually", []),
    "GLU-03": (
        {"tumor_resection": (), "distal_pancreatectomy": ()},
        "usually",
        [{"tumor_resection", "distal_pancreatectomy"}],
    ),
    "GLU-04": ({"tumor_resection": ()}, "may include", []),
    "GLU-05": ({"ablation": ()}, "may include", []),
    "GLU-06": ({"combination_chemotherapy": (), "hormone_therapy": (), "ablation": ()}, "may include", []),
    "GLU-07": ({"hepatic_arterial_occlusion": (CHEMO,), "chemoembolization": (CHEMO,)}, "may include", []),
    "VIP-01": ({"fluid_electrolyte_replacement": ()}, "may include", []),
    "VIP-02": ({"tumor_and_lymph_node_resection": ()}, "may include", []),
    "VIP-03": ({"debulking_surgery": ("palliative",)}, "may include", []),
    "VIP-04": ({"tumor_resection": ()}, "may include", []),
    "VIP-05": ({"ablation": ()}, "may include", []),
    "VIP-06": ({"chemotherapy": (), "targeted_therapy": ()}, "may include", []),
    "SOM-01": ({"tumor_resection": ()}, "may include", []),
    "SOM-02": ({"debulking_surgery": ("palliative",)}, "may include", []),
    "SOM-03": ({"chemotherapy": (), "targeted_therapy": ()}, "may include", []),
    "OTH-01": ({"tumor_resection": ()}, "may include", []),
    "OTH-02": (
        {"debulking_surgery": ("palliative",), "hormone_therapy": ("palliative",)},
        "may include",
        [{"debulking_surgery", "hormone_therapy"}],
    ),
    "OTH-03": ({"chemotherapy": (), "targeted_therapy": ()}, "may include", []),
    "REC-01": (
        {"tumor_resection": (), "chemotherapy": (), "hormone_therapy": (), "targeted_therapy": ()},
        "may include",
        [],
    ),
    "REC-02": (
        {"regional_chemotherapy": (), "hepatic_arterial_occlusion": (CHEMO,), "chemoembolization": (CHEMO,)},
        "may include",
        [{"hepatic_arterial_occlusion", "chemoembolization"}],
    ),
    "REC-03": ({"clinical_trial": ()}, "may include", []),
}
SECTIONS = {
    "GAS": "gastrinoma",
    "INS": "insulinoma",
    "GLU": "glucagonoma",
    "VIP": "vipoma",
    "SOM": "somatostatinoma",
    "OTH": "other",
    "REC": "recurrent",
}
# The rules whose reading of an unclear passage must be cited, and the reading (readings.yaml) each cites.
READINGS = {
    "INS-01": "RD-01",
    "GLU-01": "RD-01",
    "GLU-02": "RD-01",
    "INS-02": "RD-02",
    "GAS-10": "RD-03",
    "GAS-01": "RD-04",
    "VIP-01": "RD-04",
    "VIP-02": "RD-04",
    "SOM-01": "RD-04",
    "OTH-01": "RD-04",
    "INS-06": "RD-05",
    "GLU-05": "RD-05",
    "VIP-05": "RD-05",
    "VIP-06": "RD-06",
    "SOM-03": "RD-06",
    "OTH-03": "RD-06",
}


def test_ids_are_the_spec_ids(kb: KnowledgeBase) -> None:
    """Facts, findings, treatments and rules carry exactly the contract's ids, in the contract's order."""
    assert list(kb.facts) == CONTRACT_FACTS
    assert list(kb.findings) == CONTRACT_FINDINGS
    assert list(kb.treatments) == CONTRACT_TREATMENTS
    assert list(kb.rules) == list(CONTRACT_RULES)


@pytest.mark.parametrize("rule_id", list(CONTRACT_RULES))
def test_rule_matches_spec(kb: KnowledgeBase, rule_id: str) -> None:
    """Each rule offers the contract's treatments with its qualifiers, strength, section and alternatives."""
    rule = kb.rules[rule_id]
    offers, strength, alternatives = CONTRACT_RULES[rule_id]
    assert {o.treatment: o.qualifiers for o in rule.offers} == offers
    assert rule.strength == strength
    assert rule.section == SECTIONS[rule_id[:3]]
    assert [set(g) for g in rule.alternatives] == alternatives


def test_type_sections_require_their_tumor_type(kb: KnowledgeBase) -> None:
    """Every rule of a type section requires tumor_type to be that type; REC rules apply to every type."""
    for rule in kb.rules.values():
        section = kb.sections[rule.section]
        types = [t for t in section.applies_when if isinstance(t, FactTest) and t.fact == "tumor_type"]
        if rule.section == "recurrent":
            assert section.kind == "general"
            assert not types
        else:
            assert section.kind == "type"
            assert [t.values for t in types] == [(rule.section,)]


def test_conditions_follow_spec_for_disjunctions(kb: KnowledgeBase) -> None:
    """The the contract's 'or' conditions are disjunctions: GAS-10, VIP-03, VIP-06, SOM-03, OTH-03."""
    with_any = {r.id for r in kb.rules.values() if any(isinstance(c, AnyOf) for c in r.when)}
    assert with_any == {"GAS-10", "VIP-03", "VIP-06", "SOM-03", "OTH-03"}


def test_ins02_and_glu02_need_no_resectability(kb: KnowledgeBase) -> None:
    """Reading RD-02: INS-02 and GLU-02 test no resectable fact nor the unresectable finding."""
    for rule_id in ("INS-02", "GLU-02"):
        tests = list(iter_tests(kb.rules[rule_id].when))
        assert all(not (isinstance(t, FactTest) and t.fact == "resectable") for t in tests)
        assert all(not (isinstance(t, FindingTest) and t.finding == "unresectable") for t in tests)


@pytest.mark.parametrize(("rule_id", "reading"), list(READINGS.items()))
def test_readings_are_recorded(kb: KnowledgeBase, rule_id: str, reading: str) -> None:
    """Each rule a reading of an unclear passage bears on cites it by id; the reading names the rule back."""
    assert reading in kb.rules[rule_id].readings
    assert rule_id in kb.readings[reading].rules


def test_the_ten_readings_are_data_in_full(kb: KnowledgeBase) -> None:
    """readings.yaml holds RD-01 to RD-10, each with every part written and its passage the source's words."""
    source = SourceWords.of(SOURCE_TEXT.read_text())  # a passage may run from a bullet into its sub-bullets
    assert list(kb.readings) == [f"RD-{n:02}" for n in range(1, 11)]
    for reading in kb.readings.values():
        assert reading.title
        assert reading.reading
        assert reading.why
        assert reading.other_reading
        assert reading.would_change
        assert reading.passage
        assert all(source.contains(p) for p in reading.passage)
        assert reading.rules or reading.explains


@pytest.mark.parametrize("rule_id", list(CONTRACT_RULES))
def test_quotes_are_the_sources_words(kb: KnowledgeBase, rule_id: str) -> None:
    """A rule's quote and sub-bullets are, link markup removed and white space folded, the source's words."""
    source = fold(SOURCE_TEXT.read_text())
    rule = kb.rules[rule_id]
    assert fold(rule.quote) in source
    for bullet in rule.sub_bullets:
        assert fold(bullet) in source


def test_source_metadata(kb: KnowledgeBase) -> None:
    """The source and version every output shows."""
    about = kb.about()
    assert about["source"]["last_modified"] == "2012-02-06"  # type: ignore[index]
    assert "Islet Cell Tumors" in kb.source.title
    assert kb.version
    assert "not medical advice" in kb.disclaimer


def test_every_fact_has_a_question_and_help(kb: KnowledgeBase) -> None:
    """The interview's questions come from the knowledge base."""
    for fact in kb.facts.values():
        assert fact.question.endswith("?")
        assert fact.help
