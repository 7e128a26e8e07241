"""Records come from the knowledge base: a field added in facts.yaml works everywhere, with no Python.

The edited copy of the knowledge base gives each tumor an optional ``grade``
(low or high), lets the single-tumor finding carry it, and adds two insulinoma
rules that read it: one through the finding, one through a count.
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest
from helpers import append, edit
from helpers.strategies import valid_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from pnet_expert import CaseError, KnowledgeBase, KnowledgeBaseError, Patient, Record, Tumor, recommend
from pnet_expert.consult.interview import Interview
from pnet_expert.core import codes
from pnet_expert.core.logic import Evaluator, Truth
from pnet_expert.engine.session import compiled
from pnet_expert.files.casefile import read_case, write_case
from pnet_expert.knowledge.loader import bundled_path, load_knowledge_base
from pnet_expert.verify.check import check_knowledge_base
from pnet_expert.verify.plain import compile_plain
from pnet_expert.verify.words import records_words

GRADE = """\
      - id: grade
        required: false
        label: grade
        question: Is tumor {n} of low or high grade?
        values:
          low: low grade
          high: high grade
"""

GRADE_RULES = """
  - id: INS-90
    when:
      - finding: single_pancreatic_tumor
        where: {grade: [high]}
    offers:
      - treatment: targeted_therapy
    strength: may include
    quote: For one high-grade tumor in the pancreas, treatment may include targeted therapy.

  - id: INS-91
    when:
      - count: tumors
        where: {grade: [high]}
        at_least: 1
    offers:
      - treatment: clinical_trial
    strength: may include
    quote: For high-grade tumors, treatment may include a clinical trial.
"""

HIGH = {"site": "tail", "size": "small", "grade": "high"}


def add_grade(kb_dir: Path) -> Path:
    """The knowledge base at kb_dir with a tumor's grade, carried by FND-01 and read by INS-90 and INS-91."""
    edit(kb_dir / "facts.yaml", "          large: large\n", "          large: large\n" + GRADE)
    edit(kb_dir / "findings.yaml", "carry: [site, size]", "carry: [site, size, grade]")
    append(kb_dir / "rules" / "insulinoma.yaml", GRADE_RULES)
    return kb_dir


@pytest.fixture
def grade_dir(kb_copy: Path) -> Path:
    """A copy of the knowledge base whose tumors have a grade."""
    return add_grade(kb_copy)


@pytest.fixture
def grade_kb(grade_dir: Path) -> KnowledgeBase:
    """That knowledge base, loaded."""
    return load_knowledge_base(grade_dir)


@pytest.fixture(scope="module")
def grade_kb_once(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The knowledge base with grades, made once for the property below."""
    target = tmp_path_factory.mktemp("grade") / "kb"
    shutil.copytree(bundled_path(), target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return load_knowledge_base(add_grade(target))


def test_a_case_with_the_new_field_validates(grade_kb: KnowledgeBase) -> None:
    """The grade is a field like the others: validated by facts.yaml, read by name, in the spec's order."""
    patient = Patient.from_dict(
        {"tumor_type": "insulinoma", "tumors": [{"grade": "high", "site": "tail", "size": "small"}]}, grade_kb
    )
    (tumor,) = patient.tumors
    assert (tumor.get("grade"), tumor.grade, tumor.site) == ("high", "high", "tail")
    assert tumor.to_dict() == HIGH
    assert list(tumor.to_dict()) == ["site", "size", "grade"]
    with pytest.raises(CaseError) as caught:
        Patient.from_dict({"tumor_type": "insulinoma", "tumors": [{"site": "tail", "grade": "hi"}]}, grade_kb)
    assert str(caught.value) == "tumors[0].grade: 'hi' is not one of low, high (did you mean 'high'?)"


def test_rules_on_the_new_field_fire(grade_kb: KnowledgeBase) -> None:
    """A finding carries the grade and a count filters on it; both rules fire through recommend()."""
    c = recommend({"tumor_type": "insulinoma", "tumors": [HIGH]}, grade_kb)
    assert {"INS-01", "INS-90", "INS-91"} <= set(c.fired_rules)
    assert c.is_offered("targeted_therapy")
    assert c.is_offered("clinical_trial")
    (single,) = [f for f in c.findings if f.finding == "single_pancreatic_tumor"]
    assert single.attributes == HIGH
    (reason,) = c.option("clinical_trial").because  # type: ignore[union-attr]
    assert reason.facts == {"tumor_type": "insulinoma", "tumors": [HIGH]}


def test_an_unknown_grade_fires_nothing_and_why_not_names_it(grade_kb: KnowledgeBase) -> None:
    """Unknown is not false: without a grade neither rule fires, and WHY NOT names the record's grade."""
    c = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "tail", "size": "small"}]}, grade_kb)
    assert "INS-90" not in c.fired_rules
    assert "INS-91" not in c.fired_rules
    assert c.rule_check("INS-90").unknown_facts == ("tumors[0].grade",)
    assert c.rule_check("INS-91").unknown_facts == ("tumors[0].grade",)
    assert "not known: tumors[0].grade not given" in c.why_not("targeted_therapy")
    low = recommend({"tumor_type": "insulinoma", "tumors": [{**HIGH, "grade": "low"}]}, grade_kb)
    assert "NOT met" in low.why_not("clinical_trial")


_plain = functools.cache(compile_plain)


@given(st.data())
@settings(max_examples=100, deadline=None)
def test_engine_logic_and_plain_evaluation_agree_with_grades(
    grade_kb_once: KnowledgeBase, data: st.DataObject
) -> None:
    """With grades, a rule fires exactly when the logic says TRUE, and the plain evaluation agrees."""
    kb = grade_kb_once
    case = data.draw(valid_cases(kb))
    patient = Patient.from_dict(case, kb)
    consultation = recommend(patient, kb)
    evaluator = Evaluator(kb, patient)
    for rule in kb.rules.values():
        truth, _ = evaluator.all(kb.conditions_of(rule))
        assert (truth is Truth.TRUE) == (rule.id in consultation.fired_rules), rule.id
    plain = _plain(kb).evaluate(patient)
    assert plain.fired_rules == consultation.fired_rules
    assert plain.findings == tuple(sorted({f.derived for f in compiled(kb).run(patient) if f.derived}))


def test_kb_check_reaches_the_new_rules(grade_dir: Path) -> None:
    """kb check reasons over grades too: the new rules fire on their smallest cases; the only errors are
    their quotes, which the knowledge base's own source text does not hold (it says nothing of grades)."""
    report = check_knowledge_base(grade_dir)
    assert [(d.code, d.path) for d in report.errors] == [("CHECK-E101", "INS-90"), ("CHECK-E101", "INS-91")]
    reach = {r.rule: r for r in report.reach}
    assert reach["INS-90"].confirmed
    assert reach["INS-90"].example == {
        "tumor_type": "insulinoma",
        "tumors": [{"site": "head", "grade": "high"}],
    }
    assert reach["INS-91"].example == {
        "tumor_type": "insulinoma",
        "tumors": [{"site": "head", "grade": "high"}],
    }


def test_kb_check_words_say_the_new_field(grade_kb: KnowledgeBase) -> None:
    """Words from facts.yaml: a known field that the words do not name is still said."""
    spec = grade_kb.facts["tumors"]
    records = Patient.from_dict({"tumor_type": "insulinoma", "tumors": [HIGH, HIGH]}, grade_kb).tumors
    assert records_words(spec, records) == "two small tumors in the tail of the pancreas (grade: high grade)"


def test_the_interview_asks_the_grade_when_a_rule_waits_on_it(grade_kb: KnowledgeBase) -> None:
    """Like the size: asked for an insulinoma's tumor, whose rules read it, never for a gastrinoma's."""
    interview = Interview(grade_kb)
    answers = {"tumor_type": "insulinoma", "tumors": "1", "tumors[0].site": "tail", "tumors[0].size": "small"}
    while (question := interview.next_question()) is not None and question.slot != "tumors[0].grade":
        interview.answer_text(question, answers.get(question.slot, "unknown"))
    assert question is not None, "the grade was never asked"
    assert question.text == "Is tumor 1 of low or high grade?"
    interview.answer_text(question, "high")
    assert interview.consultation().is_offered("targeted_therapy")
    elsewhere = Interview(grade_kb)
    answers["tumor_type"] = "gastrinoma"  # its rules read a tumor's site only
    while (question := elsewhere.next_question()) is not None:
        assert question.field != "grade"
        elsewhere.answer_text(question, answers.get(question.slot, "unknown"))


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_json_and_case_files_keep_the_new_field(grade_kb: KnowledgeBase, tmp_path: Path, suffix: str) -> None:
    """The grade survives the JSON of a consultation and every case-file format."""
    c = recommend({"tumor_type": "insulinoma", "tumors": [HIGH, {"site": "head"}]}, grade_kb)
    data = json.loads(c.to_json())
    assert data["case"]["tumors"] == [HIGH, {"site": "head"}]
    assert Patient.from_dict(data["case"], grade_kb) == c.patient
    path = tmp_path / f"case{suffix}"
    write_case(path, c.patient.to_dict())
    assert Patient.from_dict(read_case(path), grade_kb) == c.patient


def test_the_loader_checks_record_fields(kb_copy: Path) -> None:
    """A field id the engine uses, no required field, words naming no field: each problem is named."""
    facts = kb_copy / "facts.yaml"
    edit(facts, "        required: true\n        label: site", "        required: false\n        label: site")
    edit(
        facts,
        "          large: large\n",
        "          large: large\n" + GRADE.replace("id: grade", "id: index"),
    )
    edit(facts, '"{size} tumor in {site}"', '"{grade} tumor in {site}"')
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_copy)
    found = [(d.code, d.path) for d in caught.value.diagnostics]
    assert found == [
        (codes.KB_RECORD_FIELDS, "tumors.fields"),
        (codes.KB_RECORD_FIELDS, "tumors.fields.index"),
        (codes.KB_NOT_A_FIELD, "tumors.words"),
    ]
    assert [d.detail for d in caught.value.diagnostics] == [
        "a records fact needs a required field (it names each record)",
        "'index' cannot be a field id (the engine's facts and records use it); "
        "not any of: fact, field_ids, get, index, known, name, to_dict, without",
        "{grade} is not a field of tumors; fields: site, size, index",
    ]


def test_tumor_still_makes_records(kb: KnowledgeBase) -> None:
    """The old Tumor(site, size) builds the Record that validation gives, and every record is a Tumor."""
    patient = Patient.from_dict(
        {"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}]}, kb
    )
    assert patient.tumors == (Tumor("head", "small"),)
    assert Tumor(site="head", size="small") == Tumor("head", "small")
    assert isinstance(patient.tumors[0], Tumor)
    assert isinstance(Tumor("head"), Record)
    assert Tumor("head").size is None
    assert Tumor("head").to_dict() == {"site": "head"}
    (tail,) = Patient.from_dict({"tumor_type": "vipoma", "tumors": [{"site": "tail"}]}, kb).tumors
    assert hash(Tumor("tail")) == hash(tail)


def test_a_record_reads_only_its_fields() -> None:
    """A field that is not known reads None; a name that is no field is an AttributeError; records sort."""
    record = Record((("site", "body"),), ("site", "size"))
    assert record.size is None
    with pytest.raises(AttributeError):
        _ = record.colour
    assert repr(record) == "Record(site='body')"
    assert sorted([Tumor("tail"), Tumor("body", "large"), Tumor("body")]) == [
        Tumor("body"),
        Tumor("body", "large"),
        Tumor("tail"),
    ]
