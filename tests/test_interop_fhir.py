"""FHIR R4 bundles shaped by mCODE: case -> bundle -> case is lossless; unreadable bundles are named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from helpers.strategies import KB, valid_cases
from hypothesis import given, settings

from pnet_expert import CaseError
from pnet_expert.cli import main
from pnet_expert.core.case import validate_case
from pnet_expert.interop.fhir import MAX_ENTRIES, to_bundle, to_case
from pnet_expert.interop.terminology import codesystem, terminology

SNOMED = "http://snomed.info/sct"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
CASE = {
    "id": "g-1",
    "title": "A gastrinoma",
    "tumor_type": "gastrinoma",
    "tumors": [{"site": "duodenum"}, {"site": "head", "size": "large"}],
    "spread": ["lymph_nodes", "liver", "distant"],
    "liver_dominant": True,
    "resectable": False,
}


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@settings(max_examples=200, deadline=None)
@given(valid_cases())
def test_case_to_bundle_to_case_is_lossless(case: dict[str, Any]) -> None:
    """Every valid case comes back from its bundle as the same validated case."""
    assert to_case(to_bundle(case, KB), KB) == validate_case(case, KB).to_dict()


def test_the_bundle_speaks_mcode_icdo3_and_snomed() -> None:
    """Primary: ICD-O-3 histology and SNOMED sites; spread: secondary Conditions by SNOMED body site."""
    bundle = to_bundle(CASE, KB)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    t = terminology()
    conditions = _resources(bundle, "Condition")
    primary = [c for c in conditions if t.profile("primary") in c["meta"]["profile"]]
    assert len(primary) == 1
    histology = primary[0]["extension"][0]
    assert histology["url"] == t.profile("histology")
    assert histology["valueCodeableConcept"]["coding"][0] == {
        "system": ICDO3,
        "code": "8153/3",
        "display": "Gastrinoma, malignant",
    }
    assert [s["coding"][0]["code"] for s in primary[0]["bodySite"]] == ["38848004", "64163001"]
    secondary = [c for c in conditions if t.profile("secondary") in c["meta"]["profile"]]
    assert [c["code"]["coding"][0]["code"] for c in secondary] == ["128462008"] * 3
    sites = [c["bodySite"][0]["coding"][0] for c in secondary]
    assert [(s["system"], s["code"]) for s in sites] == [
        (SNOMED, "59441001"),
        (SNOMED, "10200004"),
        (t.url, "spread.distant"),
    ]
    bodies = _resources(bundle, "BodyStructure")
    assert [b["location"]["coding"][0]["code"] for b in bodies] == ["38848004", "64163001"]
    observations = {o["code"]["coding"][0]["code"]: o for o in _resources(bundle, "Observation")}
    assert observations["resectable"]["valueBoolean"] is False
    assert observations["tumors.size"]["valueCodeableConcept"]["coding"][0]["code"] == "tumors.size.large"
    assert "acid_symptoms" not in observations


def test_every_histology_is_the_icdo3_code_the_issue_names() -> None:
    """Each tumor type is the ICD-O-3 morphology the issue names (8153/3 gastrinoma, ..., 8150/3 other)."""
    expected = {
        "gastrinoma": "8153/3",
        "insulinoma": "8151/3",
        "glucagonoma": "8152/3",
        "vipoma": "8155/3",
        "somatostatinoma": "8156/3",
        "other": "8150/3",
    }
    for tumor_type, code in expected.items():
        bundle = to_bundle({"tumor_type": tumor_type}, KB)
        (primary,) = _resources(bundle, "Condition")
        assert primary["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == code


def test_known_empty_lists_differ_from_unknown() -> None:
    """tumors: [] and spread: [] are Lists with emptyReason 'nilknown'; unknown facts have no resource."""
    empty = to_bundle({"tumor_type": "gastrinoma", "tumors": [], "spread": []}, KB)
    lists = _resources(empty, "List")
    assert [lst["emptyReason"]["coding"][0]["code"] for lst in lists] == ["nilknown", "nilknown"]
    unknown = to_bundle({"tumor_type": "gastrinoma"}, KB)
    assert [e["resource"]["resourceType"] for e in unknown["entry"]] == ["Patient", "Condition"]
    assert to_case(unknown, KB) == {"tumor_type": "gastrinoma"}


def _broken(edit: Any) -> dict[str, Any]:
    bundle = copy.deepcopy(to_bundle(CASE, KB))
    edit(bundle)
    return bundle


def _set_histology(bundle: dict[str, Any], code: str) -> None:
    bundle["entry"][1]["resource"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = code


@pytest.mark.parametrize(
    ("edit", "code", "where"),
    [
        (lambda b: b.update(resourceType="Patient"), "FHIR-E001", "bundle"),
        (lambda b: b.update(entry={"x": 1}), "FHIR-E001", "bundle.entry"),
        (
            lambda b: b["entry"].append({"resource": {"resourceType": "Medication"}}),
            "FHIR-E002",
            "Medication",
        ),
        (lambda b: _set_histology(b, "9999/3"), "FHIR-E003", "bundle.entry[1] (Condition/primary).extension"),
        (lambda b: b["entry"][1]["resource"].pop("extension"), "FHIR-E002", "(Condition/primary).extension"),
        (lambda b: b["entry"].append(copy.deepcopy(b["entry"][-1])), "FHIR-E004", "Observation"),
        (lambda b: b.update(entry=b["entry"] * (MAX_ENTRIES // 10)), "FHIR-E005", "bundle.entry"),
    ],
)
def test_an_unreadable_bundle_names_the_resource_and_element(edit: Any, code: str, where: str) -> None:
    """Each way a bundle can be unreadable gets its code, naming the entry, resource and element."""
    with pytest.raises(CaseError) as caught:
        to_case(_broken(edit), KB)
    assert caught.value.code == code
    assert where in caught.value.field


def test_an_unknown_code_says_which_it_is_and_what_is_known() -> None:
    """A wrong histology code is shown with its system, and the codes the mapping reads are listed."""
    with pytest.raises(CaseError) as caught:
        to_case(_broken(lambda b: _set_histology(b, "9999/3")), KB)
    (diagnostic,) = caught.value.diagnostics
    assert (
        diagnostic.path
        == "bundle.entry[1] (Condition/primary).extension[histology].valueCodeableConcept.coding"
    )
    assert diagnostic.message == f"'{ICDO3}|9999/3' is not a code this mapping reads"
    assert f"{ICDO3}|8153/3" in diagnostic.hint


def test_a_bundle_breaking_a_constraint_is_refused_as_the_case_would_be() -> None:
    """Contradictions between facts are refused by the case's validation (CASE-E012)."""
    bundle = to_bundle({"tumor_type": "gastrinoma", "liver_dominant": True}, KB)
    bundle["entry"] = [e for e in bundle["entry"]]
    bundle["entry"].append(
        copy.deepcopy(to_bundle({"tumor_type": "gastrinoma", "spread": []}, KB)["entry"][-1])
    )
    with pytest.raises(CaseError) as caught:
        to_case(bundle, KB)
    assert caught.value.code == "CASE-E012"


def test_the_codesystem_is_made_from_facts_yaml() -> None:
    """Every project code the bundles use is in the CodeSystem, with facts.yaml's words."""
    system = codesystem(KB)
    assert system["resourceType"] == "CodeSystem"
    assert system["url"] == terminology().url
    concepts = {c["code"]: c for c in system["concept"]}
    assert concepts["resectable"]["display"] == KB.facts["resectable"].label
    assert {"tumors.size", "tumors.size.small", "spread.distant", "case.title"} <= set(concepts)
    assert "spread.liver" not in concepts
    used = {
        c["code"]
        for e in to_bundle(CASE, KB)["entry"]
        for c in json.loads(json.dumps(e))["resource"].get("code", {}).get("coding", [])
        if c["system"] == terminology().url
    }
    assert used <= set(concepts)


def test_the_fhir_commands_round_trip_a_case_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """fhir to-bundle writes a bundle, to-case reads it back, codesystem prints; bad input exits 2."""
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE))
    bundle = tmp_path / "bundle.json"
    assert main(["fhir", "to-bundle", str(case), "-o", str(bundle)]) == 0
    assert main(["fhir", "to-case", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == validate_case(CASE, KB).to_dict()
    assert main(["fhir", "codesystem"]) == 0
    assert json.loads(capsys.readouterr().out)["resourceType"] == "CodeSystem"
    bundle.write_text(json.dumps({"resourceType": "Patient"}))
    assert main(["fhir", "to-case", str(bundle)]) == 2
    assert "[FHIR-E001]" in capsys.readouterr().err
    assert main(["fhir", "to-case", str(tmp_path / "none.json")]) == 2
    assert "[FILE-E001]" in capsys.readouterr().err
