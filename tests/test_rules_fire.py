"""Every rule of the rules contract fires on a case written for it, and only where its conditions hold."""

from __future__ import annotations

from typing import Any

import pytest

from pnet_expert import KnowledgeBase, recommend

# One case per rule, written from the rule's conditions in the rules contract.
FIRES: dict[str, dict[str, Any]] = {
    "GAS-01": {"tumor_type": "gastrinoma"},
    "GAS-02": {"tumor_type": "gastrinoma", "acid_symptoms": True},
    "GAS-03": {"tumor_type": "gastrinoma", "tumors": [{"site": "head"}]},
    "GAS-04": {"tumor_type": "gastrinoma", "tumors": [{"site": "tail", "size": "large"}]},
    "GAS-05": {"tumor_type": "gastrinoma", "tumors": [{"site": "head"}, {"site": "body"}]},
    "GAS-06": {
        "tumor_type": "gastrinoma",
        "tumors": [{"site": "head"}, {"site": "tail"}],
        "residual_after_surgery": True,
    },
    "GAS-07": {"tumor_type": "gastrinoma", "tumors": [{"site": "duodenum"}, {"site": "duodenum"}]},
    "GAS-08": {"tumor_type": "gastrinoma", "tumors": []},
    "GAS-09": {"tumor_type": "gastrinoma", "spread": ["liver"]},
    "GAS-10": {"tumor_type": "gastrinoma", "refractory": True},
    "GAS-11": {"tumor_type": "gastrinoma", "liver_dominant": True, "severe_symptoms": True},
    "INS-01": {"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}]},
    "INS-02": {"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "large"}]},
    "INS-03": {"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "large"}]},
    "INS-04": {"tumor_type": "insulinoma", "tumors": [{"site": "body"}, {"site": "tail"}]},
    "INS-05": {"tumor_type": "insulinoma", "spread": ["lymph_nodes"], "resectable": True},
    "INS-06": {"tumor_type": "insulinoma", "spread": ["distant"], "resectable": False},
    "INS-07": {"tumor_type": "insulinoma", "resectable": False},
    "INS-08": {
        "tumor_type": "insulinoma",
        "liver_dominant": True,
        "severe_symptoms": True,
        "spread": ["liver"],
    },
    "GLU-01": {"tumor_type": "glucagonoma", "tumors": [{"site": "tail", "size": "small"}]},
    "GLU-02": {"tumor_type": "glucagonoma", "tumors": [{"site": "head", "size": "large"}]},
    "GLU-03": {"tumor_type": "glucagonoma", "tumors": [{"site": "head"}, {"site": "head"}]},
    "GLU-04": {"tumor_type": "glucagonoma", "spread": ["liver"], "resectable": True},
    "GLU-05": {"tumor_type": "glucagonoma", "spread": ["lymph_nodes"], "resectable": False},
    "GLU-06": {"tumor_type": "glucagonoma", "resectable": False},
    "GLU-07": {"tumor_type": "glucagonoma", "liver_dominant": True, "severe_symptoms": True},
    "VIP-01": {"tumor_type": "vipoma"},
    "VIP-02": {"tumor_type": "vipoma"},
    "VIP-03": {"tumor_type": "vipoma", "resectable": False},
    "VIP-04": {"tumor_type": "vipoma", "spread": ["lymph_nodes"], "resectable": True},
    "VIP-05": {"tumor_type": "vipoma", "spread": ["lymph_nodes"], "resectable": False},
    "VIP-06": {"tumor_type": "vipoma", "progressing": True},
    "SOM-01": {"tumor_type": "somatostatinoma"},
    "SOM-02": {"tumor_type": "somatostatinoma", "spread": ["distant"]},
    "SOM-03": {"tumor_type": "somatostatinoma", "progressing": True},
    "OTH-01": {"tumor_type": "other"},
    "OTH-02": {"tumor_type": "other", "spread": ["liver"]},
    "OTH-03": {"tumor_type": "other", "progressing": True},
    "REC-01": {"tumor_type": "other", "recurrent": True},
    "REC-02": {"tumor_type": "vipoma", "progressing": True, "spread": ["liver"]},
    "REC-03": {"tumor_type": "somatostatinoma", "recurrent": True},
}

# Cases where a rule must NOT fire, each pinning a reading or the unknown-is-not-false rule.
DOES_NOT_FIRE: list[tuple[str, dict[str, Any], str]] = [
    (
        "INS-01",
        {"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}]},
        "5.1: body not named",
    ),
    ("INS-01", {"tumor_type": "insulinoma", "tumors": [{"site": "head"}]}, "size unknown"),
    ("GLU-02", {"tumor_type": "glucagonoma", "tumors": [{"site": "tail", "size": "large"}]}, "5.1: no rule"),
    (
        "GAS-03",
        {"tumor_type": "gastrinoma", "tumors": [{"site": "head"}, {"site": "duodenum"}, {"site": "tail"}]},
        "two pancreatic tumors are not a single one",
    ),
    ("GAS-08", {"tumor_type": "gastrinoma", "tumors": [{"site": "head"}]}, "5.8: a tumor is found"),
    ("GAS-08", {"tumor_type": "gastrinoma"}, "5.8: tumors unknown is not []"),
    ("GAS-10", {"tumor_type": "gastrinoma", "spread": ["lymph_nodes"]}, "5.3: lymph nodes are not distant"),
    (
        "GAS-10",
        {"tumor_type": "gastrinoma", "spread": ["lymph_nodes", "liver"]},
        "5.3: the liver is not beyond it",
    ),
    ("INS-05", {"tumor_type": "insulinoma", "spread": ["lymph_nodes"]}, "5.7: resectability unknown"),
    (
        "INS-05",
        {"tumor_type": "insulinoma", "spread": ["liver"], "resectable": False},
        "5.7: cannot be removed",
    ),
    ("GLU-04", {"tumor_type": "glucagonoma", "spread": ["lymph_nodes"]}, "5.7: resectability unknown"),
    ("VIP-04", {"tumor_type": "vipoma", "spread": ["liver"], "resectable": False}, "5.7: cannot be removed"),
    ("INS-06", {"tumor_type": "insulinoma", "spread": ["liver"]}, "resectability unknown"),
    ("INS-07", {"tumor_type": "insulinoma", "resectable": True}, "resectable"),
    ("GAS-11", {"tumor_type": "gastrinoma", "liver_dominant": True}, "severe symptoms unknown"),
    ("REC-01", {"tumor_type": "gastrinoma", "progressing": False, "recurrent": False}, "neither"),
    ("REC-02", {"tumor_type": "gastrinoma", "recurrent": True}, "liver metastases unknown"),
    ("VIP-03", {"tumor_type": "vipoma", "spread": ["lymph_nodes"], "resectable": True}, "nothing distant"),
    ("GAS-09", {"tumor_type": "insulinoma", "spread": ["liver"]}, "another section"),
]


def test_every_spec_rule_has_a_case(kb: KnowledgeBase) -> None:
    """The table above covers all 41 rules."""
    assert set(FIRES) == set(kb.rules)


@pytest.mark.parametrize("rule_id", list(FIRES))
def test_rule_fires(rule_id: str) -> None:
    """The rule fires on its case, and offers each of its treatments there."""
    consultation = recommend(FIRES[rule_id])
    assert rule_id in consultation.fired_rules
    rule = consultation.kb.rules[rule_id]
    for offer in rule.offers:
        option = consultation.option(offer.treatment)
        assert option is not None
        assert rule_id in option.rules


@pytest.mark.parametrize(
    ("rule_id", "case", "why"), DOES_NOT_FIRE, ids=[f"{r}-{w}" for r, _, w in DOES_NOT_FIRE]
)
def test_rule_does_not_fire(rule_id: str, case: dict[str, Any], why: str) -> None:
    """The rule does not fire where a condition fails or is unknown."""
    assert rule_id not in recommend(case).fired_rules, why


def test_progressing_feeds_both_sections() -> None:
    """Reading RD-06: 'progressing' fires the type section's rule and the REC rules."""
    fired = recommend({"tumor_type": "vipoma", "progressing": True}).fired_rules
    assert {"VIP-06", "REC-01", "REC-03"} <= set(fired)


def test_gas10_fires_for_spread_beyond_the_liver_only() -> None:
    """Reading RD-03 (revised): GAS-10 fires for spread beyond the liver; the liver alone, GAS-09 only."""
    liver = recommend({"tumor_type": "gastrinoma", "spread": ["liver"]}).fired_rules
    assert "GAS-09" in liver
    assert "GAS-10" not in liver
    beyond = recommend({"tumor_type": "gastrinoma", "spread": ["liver", "distant"]})
    assert {"GAS-09", "GAS-10"} <= set(beyond.fired_rules)
    (reason,) = beyond.option("chemotherapy").because  # type: ignore[union-attr]
    assert [f.finding for f in reason.findings] == ["spread_beyond_liver"]
    assert reason.findings[0].facts == {"spread": ["distant"]}


def test_no_tumor_found_holds_for_an_empty_list_or_tumor_found_false() -> None:
    """Reading RD-08: tumors [] and tumor_found false are one state; each fires GAS-08 and says which fact."""
    for case, facts in (
        ({"tumors": []}, {"tumors": []}),
        ({"tumor_found": False}, {"tumor_found": False}),
        ({"tumor_found": False, "tumors": []}, {"tumor_found": False, "tumors": []}),
    ):
        c = recommend({"tumor_type": "gastrinoma", **case})
        assert "GAS-08" in c.fired_rules
        (use,) = [f for f in c.findings if f.finding == "no_tumor_found"]
        assert use.facts == facts


def test_surgery_and_ablation_sub_bullets_contrast_on_resectable() -> None:
    """Reading RD-07: removable fires the surgery sub-bullet, not removable the ablation, unknown neither."""
    for rule, ablation, tumor_type in (
        ("INS-05", "INS-06", "insulinoma"),
        ("GLU-04", "GLU-05", "glucagonoma"),
        ("VIP-04", "VIP-05", "vipoma"),
    ):
        case = {"tumor_type": tumor_type, "spread": ["lymph_nodes"]}
        assert {rule, ablation}.isdisjoint(recommend(case).fired_rules)
        assert {rule, ablation} & set(recommend({**case, "resectable": True}).fired_rules) == {rule}
        assert {rule, ablation} & set(recommend({**case, "resectable": False}).fired_rules) == {ablation}
