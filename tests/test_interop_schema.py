"""JSON Schema of a case and of a result: made from the knowledge base, agreeing with validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import EXAMPLES, public_cases
from helpers.strategies import KB, raw_cases, valid_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pnet_expert import CaseError, KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.cli import main
from pnet_expert.core.case import validate_case
from pnet_expert.files.casefile import read_case
from pnet_expert.interop.schema import PENDING_KEYS, RESULT_KEYS, case_schema, result_schema

CASE = jsonschema.Draft202012Validator(case_schema(KB))
RESULT = jsonschema.Draft202012Validator(result_schema(KB))


def _errors(validator: jsonschema.Draft202012Validator, instance: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(instance)]


def _result_errors(result: dict[str, Any]) -> list[str]:
    """The result's errors against the schema."""
    return _errors(RESULT, result)


def test_both_schemas_are_valid_draft_2020_12() -> None:
    """Each schema is itself valid JSON Schema 2020-12 and says so."""
    for schema in (case_schema(KB), result_schema(KB)):
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@settings(max_examples=150, deadline=None)
@given(valid_cases())
def test_the_case_schema_accepts_every_valid_case(case: dict[str, Any]) -> None:
    """Every case validation accepts, the schema accepts."""
    assert _errors(CASE, case) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(raw_cases(), st.sampled_from(["bad_key", "bad_type", "bad_value", "repeat", "no_site", "control"]))
def test_the_case_schema_refuses_wrong_shapes_as_validation_does(case: dict[str, Any], how: str) -> None:
    """A case broken in one of the ways the schema knows is refused by the schema and by validation."""
    broken = dict(case)
    if how == "bad_key":
        broken["sevre_symptoms"] = True
    elif how == "bad_type":
        broken["resectable"] = "yes"
    elif how == "bad_value":
        broken["spread"] = ["lungs"]
    elif how == "repeat":
        broken["spread"] = ["liver", "liver"]
    elif how == "no_site":
        broken["tumors"] = [{"size": "small"}]
    else:
        broken["title"] = "a\x1b[31mred"
    assert _errors(CASE, broken)
    with pytest.raises(CaseError):
        validate_case(broken, KB)


@settings(max_examples=200, deadline=None)
@given(raw_cases())
def test_the_schema_refuses_only_what_validation_refuses_or_contradictions(case: dict[str, Any]) -> None:
    """A case the schema accepts is valid, or breaks a constraint between facts (CASE-E012) only."""
    if _errors(CASE, case):
        return
    codes: set[str] = set()
    try:
        validate_case(case, KB)
    except CaseError as exc:
        codes = {d.code for d in exc.diagnostics}
    assert codes <= {"CASE-E012"}


@pytest.mark.parametrize(
    ("case", "word"),
    [
        ({}, "tumor_type"),
        ({"tumor_type": None}, "None"),
        ({"tumor_type": "gastrinoma", "tumors": "head"}, "head"),
        ({"tumor_type": "gastrinoma", "tumors": [{"site": "head", "colour": "red"}]}, "colour"),
        ({"tumor_type": "gastrinoma", "id": 5}, "5"),
        ({"tumor_type": "gastrinoma", "resectable": 1}, "1"),
    ],
)
def test_bad_shapes_are_refused(case: dict[str, Any], word: str) -> None:
    """Missing required facts, nulls where required, wrong types and unknown fields are refused."""
    errors = _errors(CASE, case)
    assert errors
    assert any(word in e for e in errors)


def test_unknown_facts_may_be_null_or_absent() -> None:
    """Null is unknown, for facts and for optional record fields alike."""
    case = {
        "tumor_type": "insulinoma",
        "spread": None,
        "tumors": [{"site": "body", "size": None}],
        "notes": None,
    }
    assert _errors(CASE, case) == []
    validate_case(case, KB)


def test_the_description_says_contradictions_are_outside_the_schema() -> None:
    """The case schema names each constraint it cannot check and the code validation gives it."""
    description = case_schema(KB)["description"]
    assert "CASE-E012" in description
    assert all(c.id in description for c in KB.constraints)
    assert _errors(CASE, {"tumor_type": "gastrinoma", "liver_dominant": True, "spread": []}) == []


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cases())
def test_every_result_fits_the_result_schema(case: dict[str, Any]) -> None:
    """recommend(case).to_dict() on generated cases validates against the result schema."""
    assert _result_errors(recommend(case, KB).to_dict()) == []


def test_public_and_example_results_fit_the_result_schema() -> None:
    """The public cases and the example case files give results the result schema accepts."""
    cases = [c["case"] for c in public_cases()]
    cases += [dict(read_case(p)) for p in sorted((EXAMPLES / "cases").glob("*.yaml"))]
    assert cases
    for case in cases:
        assert _errors(CASE, case) == []
        assert _result_errors(recommend(case, KB).to_dict()) == []


def test_the_result_schema_requires_the_contract_keys_and_describes_the_pending_ones() -> None:
    """The JSON contract's keys are required (cautions and silences once given); others may be added."""
    schema = result_schema(KB)
    assert set(schema["required"]) == set(RESULT_KEYS) - set(PENDING_KEYS)
    assert set(PENDING_KEYS) <= set(schema["properties"])
    assert "additionalProperties" not in schema
    result = recommend({"tumor_type": "gastrinoma"}).to_dict()
    result.update({"cautions": [], "silences": [], "a_key_added_later": 1})
    assert _errors(RESULT, result) == []
    result["cautions"] = [{"treatment": "aspirin", "rules": ["GAS-01"], "text": "x"}]
    assert _errors(RESULT, result)


def test_cautions_and_silences_are_given_and_required() -> None:
    """to_dict() gives cautions and silences (issue 11): nothing is pending, the schema requires every key,
    and a result with a caution and a silence validates."""
    assert PENDING_KEYS == ()
    assert set(result_schema(KB)["required"]) == set(RESULT_KEYS)
    case = {"tumor_type": "gastrinoma", "tumors": [{"site": "head"}], "spread": ["lymph_nodes"]}
    result = recommend({**case, "resectable": False}).to_dict()
    assert [c["treatment"] for c in result["cautions"]] == ["tumor_resection"]
    assert [s["facts"] for s in result["silences"]] == [{"spread": ["lymph_nodes"]}]
    assert _result_errors(result) == []
    assert _errors(RESULT, {**result, "silences": [{"section": "gastrinoma", "text": "x"}]})


def test_a_wrong_result_is_refused() -> None:
    """A result with an unknown rule or treatment id, or without its treatments, is refused."""
    result = recommend({"tumor_type": "gastrinoma", "spread": ["liver"]}).to_dict()
    result.update({"cautions": [], "silences": []})
    assert _errors(RESULT, {**result, "fired_rules": ["GAS-99"]})
    assert _errors(RESULT, {**result, "treatments": [{**result["treatments"][0], "id": "aspirin"}]})
    del result["treatments"]
    assert _errors(RESULT, result)


def test_an_edited_knowledge_base_gets_its_own_schema(kb_copy: Path) -> None:
    """A value added to facts.yaml is in the edited knowledge base's case schema, not in the bundled one's."""
    facts = kb_copy / "facts.yaml"
    facts.write_text(
        facts.read_text().replace(
            "      distant: other distant parts of the body\n",
            "      distant: other distant parts of the body\n      bone: the bones\n",
        )
    )
    edited: KnowledgeBase = load_knowledge_base(kb_copy)
    case = {"tumor_type": "gastrinoma", "spread": ["bone"]}
    assert _errors(jsonschema.Draft202012Validator(case_schema(edited)), case) == []
    assert _errors(CASE, case)
    assert "bone" in str(result_schema(edited))


def test_the_schema_command_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pnet-expert schema case prints the schema; -o writes it; a bad --kb is exit 2 with its code."""
    import json

    assert main(["schema", "case"]) == 0
    assert json.loads(capsys.readouterr().out) == case_schema(KB)
    out = tmp_path / "result.schema.json"
    assert main(["schema", "result", "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == result_schema(KB)
    assert main(["schema", "case", "--kb", str(tmp_path / "nowhere")]) == 2
    assert "[KB-E201]" in capsys.readouterr().err
