"""Cases: validation of each rule of the case contract (codes, paths, the best messages word for word)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from pnet_expert import CaseError, KnowledgeBase, Patient, Tumor
from pnet_expert.files.casefile import read_case, write_case


def error_of(case: Any) -> CaseError:
    with pytest.raises(CaseError) as caught:
        Patient.from_dict(case)
    return caught.value


def test_minimal_case_has_only_tumor_type_known() -> None:
    """A case with only tumor_type is valid; every other fact is unknown (None), not false."""
    patient = Patient.from_dict({"tumor_type": "insulinoma"})
    assert patient.tumor_type == "insulinoma"
    assert patient.known == (("tumor_type", "insulinoma"),)
    assert patient.get("resectable") is None
    assert patient.resectable is None
    assert not patient.is_known("spread")


def test_null_means_unknown() -> None:
    """A fact given as null is unknown, the same as a fact left out."""
    patient = Patient.from_dict({"tumor_type": "vipoma", "resectable": None, "spread": None, "notes": None})
    assert patient == Patient.from_dict({"tumor_type": "vipoma"})


def test_facts_are_kept_in_knowledge_base_order_and_sets_canonical() -> None:
    """Known facts are stored in the KB's order; a set's values in the KB's value order."""
    patient = Patient.from_dict({"spread": ["liver", "lymph_nodes"], "tumor_type": "gastrinoma"})
    assert patient.known == (("tumor_type", "gastrinoma"), ("spread", ("lymph_nodes", "liver")))


def test_tumors_become_tumor_records_and_round_trip() -> None:
    """Tumors are Tumor records (unknown size left out) and to_dict gives the case back."""
    case = {
        "id": "c1",
        "title": "A title",
        "tumor_type": "insulinoma",
        "tumors": [{"site": "head", "size": "small"}, {"site": "tail"}],
        "spread": [],
        "resectable": False,
    }
    patient = Patient.from_dict(case)
    assert patient.tumors == (Tumor("head", "small"), Tumor("tail"))
    assert patient.to_dict() == case
    assert Patient.from_dict(patient.to_dict()) == patient


def test_tumor_objects_are_accepted() -> None:
    """Tumor objects may be given in place of mappings."""
    patient = Patient.from_dict({"tumor_type": "glucagonoma", "tumors": [Tumor("body", "large")]})
    assert patient.tumors == (Tumor("body", "large"),)


@pytest.mark.parametrize(
    ("case", "code", "path", "suggestion", "named"),
    [
        ({}, "CASE-E005", "tumor_type", "", ("gastrinoma", "insulinoma", "somatostatinoma", "other")),
        ({"tumor_type": None}, "CASE-E005", "tumor_type", "", ("required",)),
        ({"tumor_type": "gastrinom"}, "CASE-E003", "tumor_type", "gastrinoma", ("'gastrinom'", "vipoma")),
        ({"tumor_type": 3}, "CASE-E003", "tumor_type", "", ("3", "gastrinoma")),
        (
            {"tumor_type": "gastrinoma", "sevre_symptoms": True},
            "CASE-E004",
            "sevre_symptoms",
            "severe_symptoms",
            ("'sevre_symptoms'", "tumor_type", "notes"),
        ),
        (
            {"tumor_type": "gastrinoma", "spread": ["lungs"]},
            "CASE-E003",
            "spread[0]",
            "",
            ("'lungs'", "distant"),
        ),
        ({"tumor_type": "gastrinoma", "spread": ["livr"]}, "CASE-E003", "spread[0]", "liver", ("'livr'",)),
        ({"tumor_type": "gastrinoma", "spread": ["liver", "liver"]}, "CASE-E008", "spread", "", ("'liver'",)),
        (
            {"tumor_type": "gastrinoma", "spread": "liver"},
            "CASE-E007",
            "spread",
            "",
            ("'liver'", "lymph_nodes"),
        ),
        (
            {"tumor_type": "gastrinoma", "acid_symptoms": "yes"},
            "CASE-E006",
            "acid_symptoms",
            "",
            ("'yes'", "null"),
        ),
        ({"tumor_type": "gastrinoma", "acid_symptoms": 1}, "CASE-E006", "acid_symptoms", "", ("1",)),
        ({"tumor_type": "gastrinoma", "tumors": "head"}, "CASE-E007", "tumors", "", ("'head'", "site: head")),
        (
            {"tumor_type": "gastrinoma", "tumors": ["head"]},
            "CASE-E009",
            "tumors[0]",
            "",
            ("'head'", "size: small"),
        ),
        (
            {"tumor_type": "gastrinoma", "tumors": [{"sit": "head"}]},
            "CASE-E004",
            "tumors[0]",
            "site",
            ("'sit'",),
        ),
        (
            {"tumor_type": "gastrinoma", "tumors": [{"size": "small"}]},
            "CASE-E005",
            "tumors[0].site",
            "",
            ("duodenum",),
        ),
        (
            {"tumor_type": "gastrinoma", "tumors": [{"site": "neck"}]},
            "CASE-E003",
            "tumors[0].site",
            "",
            ("'neck'",),
        ),
        (
            {"tumor_type": "gastrinoma", "tumors": [{"site": "head", "size": "big"}]},
            "CASE-E003",
            "tumors[0].size",
            "",
            ("'big'", "small, large"),
        ),
        (
            {"tumor_type": "gastrinoma", "tumor_found": False, "tumors": [{"site": "head"}]},
            "CASE-E012",
            "tumors",
            "",
            ("[{site: 'head'}]", "tumors must be empty when tumor_found is false"),
        ),
        (
            {"tumor_type": "gastrinoma", "tumor_found": True, "tumors": []},
            "CASE-E012",
            "tumor_found",
            "",
            ("true", "tumors must list the tumor found", "no tumor is found"),
        ),
        (
            {"tumor_type": "gastrinoma", "liver_dominant": True, "spread": ["lymph_nodes"]},
            "CASE-E012",
            "liver_dominant",
            "",
            ("true", "so spread must include liver"),
        ),
        ({"tumor_type": "gastrinoma", "title": 5}, "CASE-E010", "title", "", ("5",)),
        ({"tumor_type": "gastrinoma", 7: True}, "CASE-E002", "case", "", ("7",)),
        (["gastrinoma"], "CASE-E001", "case", "", ("a list",)),
    ],
)
def test_invalid_case(case: Any, code: str, path: str, suggestion: str, named: tuple[str, ...]) -> None:
    """Each invalid input of the case contract: its code and path; its words name the bad value and what is
    allowed."""
    diagnostic = error_of(case).diagnostics[0]
    assert (diagnostic.code, diagnostic.path, diagnostic.suggestion) == (code, path, suggestion)
    assert [word for word in named if word not in diagnostic.detail] == []


def test_the_best_messages_word_for_word() -> None:
    """The README's examples, exactly: the field, the bad value, what is allowed, "did you mean"."""
    assert str(error_of({"tumor_type": "gastrinoma", "spread": ["lungs"]})) == (
        "spread[0]: 'lungs' is not one of lymph_nodes, liver, distant"
    )
    assert str(error_of({"tumor_type": "gastrinoma", "sevre_symptoms": True})) == (
        "sevre_symptoms: unknown key 'sevre_symptoms' (did you mean 'severe_symptoms'?); the keys are: "
        "tumor_type, tumor_found, tumors, spread, resectable, liver_dominant, severe_symptoms, "
        "acid_symptoms, residual_after_surgery, refractory, progressing, recurrent, id, title, description, "
        "notes"
    )
    assert str(error_of({})) == (
        "tumor_type: missing; it is required: one of gastrinoma, insulinoma, glucagonoma, vipoma, "
        "somatostatinoma, other"
    )


def test_every_problem_is_reported_at_once() -> None:
    """Several problems in one case are all reported, each with its field."""
    error = error_of({"tumor_type": "x", "spread": ["lungs"], "acid_symptoms": "no", "sevre": 1})
    assert [(d.code, d.path) for d in error.diagnostics] == [
        ("CASE-E003", "tumor_type"),
        ("CASE-E003", "spread[0]"),
        ("CASE-E006", "acid_symptoms"),
        ("CASE-E004", "sevre"),
    ]
    assert [p.field for p in error.problems] == ["tumor_type", "spread[0]", "acid_symptoms", "sevre"]
    assert (error.code, error.field) == ("CASE-E003", "tumor_type")
    assert isinstance(error, ValueError)


def test_contradiction_only_when_both_facts_known() -> None:
    """A constraint needs both facts known: liver_dominant without spread is fine (unknown is not false)."""
    Patient.from_dict({"tumor_type": "gastrinoma", "liver_dominant": True})
    Patient.from_dict({"tumor_type": "gastrinoma", "tumor_found": False})
    Patient.from_dict({"tumor_type": "gastrinoma", "tumor_found": False, "tumors": []})
    Patient.from_dict({"tumor_type": "gastrinoma", "tumor_found": True})
    Patient.from_dict({"tumor_type": "gastrinoma", "tumors": []})


def test_tumor_found_with_no_tumor_listed_is_refused_word_for_word() -> None:
    """Reading RD-08: tumor_found true with tumors [] is a contradiction naming tumor_found."""
    with pytest.raises(CaseError) as info:
        Patient.from_dict({"tumor_type": "gastrinoma", "tumor_found": True, "tumors": []})
    assert [(d.code, d.path) for d in info.value.diagnostics] == [("CASE-E012", "tumor_found")]
    assert str(info.value) == (
        "tumor_found: true contradicts the other facts: tumor_found is true, so tumors must list the tumor "
        'found: an empty list of tumors is "no tumor is found"'
    )


# ---------------------------------------------------------------- files


def test_reads_json_yaml_and_toml(tmp_path: Path) -> None:
    """The same case reads the same from .json, .yaml, .yml and .toml."""
    case = {"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}], "resectable": False}
    for suffix in (".json", ".yaml", ".yml", ".toml"):
        path = tmp_path / f"case{suffix}"
        write_case(path, case)
        assert Patient.from_dict(read_case(path)) == Patient.from_dict(case), suffix


def test_reads_standard_input_json_and_yaml() -> None:
    """'-' reads JSON or YAML from standard input."""
    assert read_case("-", io.StringIO('{"tumor_type": "other"}')) == {"tumor_type": "other"}
    assert read_case("-", io.StringIO("tumor_type: other\nspread: []\n")) == {
        "tumor_type": "other",
        "spread": [],
    }


def test_yaml_yes_is_not_true(tmp_path: Path) -> None:
    """YAML 1.1's yes/no are not booleans here: 'yes' is reported, not silently taken as true."""
    path = tmp_path / "case.yaml"
    path.write_text("tumor_type: gastrinoma\nacid_symptoms: yes\n")
    with pytest.raises(CaseError) as caught:
        Patient.from_dict(read_case(path))
    assert (caught.value.code, caught.value.field) == ("CASE-E006", "acid_symptoms")


@pytest.mark.parametrize(
    ("name", "text", "code", "place", "named"),
    [
        ("case.json", '{"tumor_type": "x", "tumor_type": "y"}', "FILE-E009", None, ("'tumor_type'", "twice")),
        ("case.yaml", "tumor_type: x\ntumor_type: y\n", "FILE-E009", "2:1", ("'tumor_type' is given twice",)),
        ("case.json", "{bad", "FILE-E006", "1:2", ("not valid JSON",)),
        ("case.yaml", "tumor_type: [", "FILE-E007", "2:1", ("not valid YAML",)),
        ("case.toml", "tumor_type = ", "FILE-E008", "1:14", ("not valid TOML: Invalid value",)),
        ("case.txt", "tumor_type: x", "FILE-E005", None, ("'.txt'", ".json, .yaml, .yml, .toml or -")),
        ("case.json", "[1, 2]", "CASE-E001", None, ("got list",)),
    ],
)
def test_bad_case_files(
    tmp_path: Path, name: str, text: str, code: str, place: str | None, named: tuple[str, ...]
) -> None:
    """A case file that cannot be read has its code, names the file (at file:line:col when the parser says
    where), and says what is wrong."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CaseError) as caught:
        read_case(path)
    (problem,) = caught.value.diagnostics
    assert problem.code == code
    if place is None:
        assert (problem.path, problem.origin) == (str(path), None)
    else:
        assert (problem.path, str(problem.origin)) == ("", f"{path}:{place}")
    assert [word for word in named if word not in problem.detail] == []


def test_missing_file(tmp_path: Path) -> None:
    """A missing case file is a CaseError naming it."""
    with pytest.raises(CaseError) as caught:
        read_case(tmp_path / "nope.yaml")
    assert (caught.value.code, caught.value.field) == ("FILE-E001", str(tmp_path / "nope.yaml"))


def test_write_is_atomic_and_leaves_no_temporary(tmp_path: Path) -> None:
    """Saving writes the whole file and leaves no temporary file behind."""
    path = tmp_path / "saved.yaml"
    write_case(path, {"tumor_type": "gastrinoma", "spread": ["liver"]})
    write_case(path, {"tumor_type": "insulinoma"})
    assert read_case(path) == {"tumor_type": "insulinoma"}
    assert [p.name for p in tmp_path.iterdir()] == ["saved.yaml"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_patient_built_by_hand_is_validated_before_consulting() -> None:
    """A Patient not made by from_dict is checked by recommend, never trusted (no KeyError in the engine)."""
    from pnet_expert import recommend

    with pytest.raises(CaseError) as caught:
        recommend(Patient(known=(("tumor_type", "gastrinoma"), ("bogus", True))))
    assert (caught.value.code, caught.value.field) == ("CASE-E004", "bogus")
    assert recommend(Patient(known=(("tumor_type", "other"),))).fired_rules == ("OTH-01",)


def test_control_characters_in_case_text_are_refused() -> None:
    """Case text cannot carry terminal escapes (they would act in a terminal); new lines and tabs are fine."""
    (diagnostic,) = error_of({"tumor_type": "other", "title": "\x1b]0;pwned\x07red"}).diagnostics
    assert (diagnostic.code, diagnostic.path) == ("CASE-E011", "title")
    assert "'\\x1b'" in diagnostic.message
    assert diagnostic.hint == "text may hold new lines and tabs only"
    Patient.from_dict({"tumor_type": "other", "notes": "line one\n\tline two"})


def test_toml_leaves_unknown_facts_out(tmp_path: Path) -> None:
    """TOML has no null: a fact given as null (unknown) is left out of a TOML case file."""
    path = tmp_path / "case.toml"
    write_case(path, {"tumor_type": "other", "resectable": None, "description": "a\tb"})
    assert read_case(path) == {"tumor_type": "other", "description": "a\tb"}


def test_errors_survive_pickling(kb: KnowledgeBase) -> None:
    """A CaseError or KnowledgeBaseError sent between processes keeps its type and diagnostics."""
    import pickle

    from pnet_expert.core.errors import KnowledgeBaseError

    with pytest.raises(CaseError) as caught:
        Patient.from_dict({"tumor_type": "gastrinoma", "spread": ["lungs"]}, kb)
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is CaseError
    assert again.diagnostics == caught.value.diagnostics
    kb_error = KnowledgeBaseError(caught.value.diagnostics)
    assert pickle.loads(pickle.dumps(kb_error)).diagnostics == kb_error.diagnostics
