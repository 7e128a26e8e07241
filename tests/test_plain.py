"""The plain-Python evaluation: generated from the knowledge base, and in agreement with the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import public_cases, treatments_by_rule
from helpers.strategies import valid_cases
from hypothesis import HealthCheck, given, settings

from pnet_expert import KnowledgeBase, Patient, load_knowledge_base, recommend
from pnet_expert.core.case import validate_case
from pnet_expert.engine.session import compiled
from pnet_expert.verify.plain import compile_plain

KB = load_knowledge_base()
PLAIN = compile_plain(KB)


def _engine_view(kb: KnowledgeBase, patient: Patient) -> tuple[Any, ...]:
    """What the engine concludes: findings derived, rules fired, treatment -> offering rules."""
    findings = tuple(sorted({f.derived for f in compiled(kb).run(patient) if f.derived is not None}))
    consultation = recommend(patient, kb)
    options = {o.id: o.rules for o in consultation.treatments}
    return findings, consultation.fired_rules, options


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cases())
def test_plain_evaluation_agrees_with_the_engine(case: dict[str, Any]) -> None:
    """On every generated case, the engine and the plain evaluation find, fire and offer the same."""
    patient = validate_case(case, KB)
    plain = PLAIN.evaluate(patient)
    findings, fired, options = _engine_view(KB, patient)
    assert plain.findings == findings
    assert plain.fired_rules == fired
    assert dict(plain.options) == options


@pytest.mark.parametrize("public", public_cases(), ids=lambda c: c["id"])
def test_plain_evaluation_gives_the_public_answers(public: dict[str, Any]) -> None:
    """The public cases' expected options and rules, from the plain evaluation too."""
    result = PLAIN.evaluate(validate_case(public["case"], KB))
    assert {t: sorted(r) for t, r in result.options.items()} == public["expected_treatments"]
    assert list(result.fired_rules) == public["expected_rules"]
    assert treatments_by_rule(recommend(public["case"]).to_dict()) == public["expected_treatments"]


def test_the_function_is_generated_from_the_knowledge_base(tiny_kb: KnowledgeBase) -> None:
    """A three-rule knowledge base compiles to a function that knows those three rules and no other."""
    plain = compile_plain(tiny_kb)
    assert {"GAS-01", "GAS-02", "GAS-09"} <= {r for r in tiny_kb.rules}
    assert "INS-01" not in plain.source
    assert "GAS-09" in plain.source
    result = plain.evaluate(validate_case({"tumor_type": "gastrinoma", "spread": ["liver"]}, tiny_kb))
    assert result.fired_rules == ("GAS-01", "GAS-09")
    assert dict(result.options) == {"supportive_care": ("GAS-01",), "chemoembolization": ("GAS-09",)}


def test_an_edited_rule_changes_the_plain_evaluation(kb_copy: Path) -> None:
    """Edit a rule's condition in the data: the generated function follows, as the engine does."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    rules.write_text(
        rules.read_text().replace("{fact: acid_symptoms, is: true}", "{fact: acid_symptoms, is: false}")
    )
    edited = load_knowledge_base(kb_copy)
    patient = validate_case({"tumor_type": "gastrinoma", "acid_symptoms": False}, edited)
    assert "GAS-02" in compile_plain(edited).evaluate(patient).fired_rules
    assert "GAS-02" in recommend(patient, edited).fired_rules


def test_unknown_facts_fire_nothing_in_the_plain_evaluation() -> None:
    """Unknown is not false: with only the tumor type known, only the unconditioned rules hold."""
    result = PLAIN.evaluate(validate_case({"tumor_type": "vipoma"}, KB))
    assert result.findings == ()
    assert result.fired_rules == ("VIP-01", "VIP-02")
