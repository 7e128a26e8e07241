"""The loader: a broken knowledge base is refused, every problem named with file:line:col and its id."""

from __future__ import annotations

from pathlib import Path

import pytest

from pnet_expert import KnowledgeBaseError, load_knowledge_base
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.schema import FACT_OPS
from pnet_expert.knowledge.conditions import OP_VALUES


def edit(kb_dir: Path, file: str, old: str, new: str) -> None:
    path = kb_dir / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def diagnostics(kb_dir: Path) -> list[Diagnostic]:
    """Every diagnostic of a load that fails."""
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_dir)
    return list(caught.value.diagnostics)


def problems(kb_dir: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_dir)
    return list(caught.value.problems)


def test_bundled_copy_loads_and_equals_nothing_but_itself(kb_copy: Path) -> None:
    """A copy of the bundled knowledge base loads, with the same fingerprint."""
    copy = load_knowledge_base(kb_copy)
    bundled = load_knowledge_base()
    assert copy.fingerprint == bundled.fingerprint
    assert list(copy.rules) == list(bundled.rules)
    assert copy is not bundled


def test_bundled_is_loaded_once() -> None:
    """load_knowledge_base() returns the same object every time."""
    assert load_knowledge_base() is load_knowledge_base()


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "rules/insulinoma.yaml",
            "      - treatment: ablation\n    strength: may include\n    quote: >-\n      Radiofrequency",
            "      - treatment: ablaton\n    strength: may include\n    quote: >-\n      Radiofrequency",
            "rules/insulinoma.yaml:77:9: INS-06.offers[0].treatment: 'ablaton' is not a declared treatment "
            "(did you mean 'ablation'?)",
        ),
        (
            "rules/insulinoma.yaml",
            "  - id: INS-02",
            "  - id: INS-01",
            "rules/insulinoma.yaml:25:5: INS-01: duplicate rule id (first at rules/insulinoma.yaml:11:5)",
        ),
        (
            "rules/gastrinoma.yaml",
            "{fact: acid_symptoms, is: true}",
            "{fact: acid_symptom, is: true}",
            "GAS-02.when[0].fact: 'acid_symptom' is not a declared fact (did you mean 'acid_symptoms'?)",
        ),
        (
            "rules/gastrinoma.yaml",
            "{fact: acid_symptoms, is: true}",
            "{fact: acid_symptoms, is: yes}",
            "GAS-02.when[0].is: 'yes' is not a value of acid_symptoms; allowed: true, false",
        ),
        (
            "rules/gastrinoma.yaml",
            "    - {fact: tumor_type, is: gastrinoma}",
            "    - {fact: tumor_type, is: gastrinomas}",
            "gastrinoma.applies_when[0].is: 'gastrinomas' is not a value of tumor_type "
            "(did you mean 'gastrinoma'?)",
        ),
        (
            "rules/gastrinoma.yaml",
            "        where: {site: [head]}",
            "        where: {site: [neck]}",
            "GAS-03.when[0].where.site: 'neck' is not a value of site; allowed: head, body, tail, duodenum",
        ),
        (
            "rules/gastrinoma.yaml",
            "        where: {site: [head]}",
            "        where: {colour: [head]}",
            "GAS-03.when[0].where.colour: 'colour' is not an attribute of single_pancreatic_tumor "
            "(it carries: site, size)",
        ),
        (
            "rules/gastrinoma.yaml",
            "      - finding: multiple_pancreatic_tumors\n    offers:\n      - treatment: distal",
            "      - finding: multiple_pancreatic_tumor\n    offers:\n      - treatment: distal",
            "GAS-05.when[0].finding: 'multiple_pancreatic_tumor' is not a declared finding "
            "(did you mean 'multiple_pancreatic_tumors'?)",
        ),
        (
            "rules/gastrinoma.yaml",
            "    strength: usually\n    quote: >-\n      For a single tumor in the body",
            "    strength: often\n    quote: >-\n      For a single tumor in the body",
            "GAS-04.strength: 'often' is not a strength; allowed: usually, may include",
        ),
        (
            "rules/gastrinoma.yaml",
            'qualifiers: [rare]\n    strength: may include\n    quote: "For a single',
            'qualifiers: [seldom]\n    strength: may include\n    quote: "For a single',
            "GAS-03.offers[2].qualifiers: 'seldom' is not a qualifier; allowed: rare; "
            "with or without systemic chemotherapy; palliative",
        ),
        (
            "rules/gastrinoma.yaml",
            "      - [vagotomy_with_acid_reducing_drug, total_gastrectomy]",
            "      - [vagotomy_with_acid_reducing_drug, liver_resection]",
            "GAS-06.alternatives[0]: 'liver_resection' is not among the rule's offers",
        ),
        (
            "rules/gastrinoma.yaml",
            "    strength: usually\n    quote: >-\n      For a single tumor in the body",
            "    strenght: usually\n    quote: >-\n      For a single tumor in the body",
            "rules[3]: unknown key 'strenght' (did you mean 'strength'?)",
        ),
        (
            "rules/gastrinoma.yaml",
            "{fact: acid_symptoms, is: true}",
            "{fact: spread, is: liver}",
            "GAS-02.when[0].is: a set fact is tested with contains or contains_any",
        ),
        (
            "facts.yaml",
            "      liver: the liver\n",
            "",
            "FND-06.when[0].contains: 'liver' is not a value of spread",
        ),
        (
            "findings.yaml",
            "          exactly: 1",
            "          exactly: 0",
            "FND-01.when[0]: a rule can only count one or more records",
        ),
        (
            "source.yaml",
            "last_modified: 2012-02-06",
            "last_modified: February 2012",
            "source.last_modified: 'February 2012' is not a date YYYY-MM-DD",
        ),
        (
            "treatments.yaml",
            "  - id: clinical_trial",
            "  - id: ablation",
            "ablation: duplicate treatment id",
        ),
        (
            "vocabulary.yaml",
            "  - id: usually\n",
            "  - id: usually\n    colour: red\n",
            "vocabulary.yaml:5:5: strengths[0]: unknown key 'colour'",
        ),
    ],
)
def test_broken_knowledge_base_is_refused_with_a_precise_message(
    kb_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    """Each kind of mistake is reported with its file, position and id, and what is allowed."""
    edit(kb_copy, file, old, new)
    found = problems(kb_copy)
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_at_once(kb_copy: Path) -> None:
    """Mistakes in several files are all reported by one load."""
    edit(kb_copy, "rules/insulinoma.yaml", "treatment: ablation", "treatment: ablaton")
    edit(kb_copy, "rules/glucagonoma.yaml", "strength: usually", "strength: often")
    edit(kb_copy, "treatments.yaml", "  - id: clinical_trial", "  - id: ablation")
    found = problems(kb_copy)
    assert len(found) >= 3
    assert {p.split(":")[0] for p in found} >= {
        "rules/insulinoma.yaml",
        "rules/glucagonoma.yaml",
        "treatments.yaml",
    }


def test_yaml_syntax_error_names_file_and_line(kb_copy: Path) -> None:
    """A YAML syntax error is reported with its position."""
    (kb_copy / "treatments.yaml").write_text("treatments:\n  - id: [\n")
    found = problems(kb_copy)
    assert found[0].startswith("treatments.yaml:3:1: not valid YAML")


def test_missing_file_and_missing_rules(kb_copy: Path) -> None:
    """A missing file is named; so is an empty rules folder."""
    (kb_copy / "findings.yaml").unlink()
    for file in (kb_copy / "rules").glob("*.yaml"):
        file.unlink()
    found = problems(kb_copy)
    assert any(p.startswith("findings.yaml:1:1: file is missing") for p in found)
    assert any("no rule files (rules/*.yaml)" in p for p in found)


def test_section_list_must_match_rule_files(kb_copy: Path) -> None:
    """source.yaml lists every section, and every section lives in rules/<id>.yaml."""
    (kb_copy / "rules" / "other.yaml").rename(kb_copy / "rules" / "others.yaml")
    found = problems(kb_copy)
    assert any("section 'other' belongs in rules/other.yaml" in p for p in found), found


def test_not_a_directory(tmp_path: Path) -> None:
    """Loading from a path that is not a directory says so."""
    with pytest.raises(KnowledgeBaseError, match="no knowledge base here"):
        load_knowledge_base(tmp_path / "absent")


def test_error_is_a_value_error() -> None:
    """KnowledgeBaseError is a ValueError too, so callers may catch either."""
    assert issubclass(KnowledgeBaseError, ValueError)


def test_tiny_knowledge_base_loads(tiny_kb_dir: Path) -> None:
    """The three-rule fixture loads with one section."""
    kb = load_knowledge_base(tiny_kb_dir)
    assert list(kb.rules) == ["GAS-01", "GAS-02", "GAS-09"]
    assert list(kb.sections) == ["gastrinoma"]


# ---------------------------------------------------------------- reading: one item at a time


def test_a_broken_item_stops_at_its_first_problem_and_the_file_goes_on(kb_copy: Path) -> None:
    """Two problems in INS-01 give one diagnostic (the first); INS-02's own problem is still found."""
    edit(
        kb_copy,
        "rules/insulinoma.yaml",
        "    strength: usually\n    quote: >-\n      For one small",
        "    strength: [usually]\n    colour: red\n    quote: >-\n      For one small",
    )
    edit(kb_copy, "rules/insulinoma.yaml", "  - id: INS-02", "  - id: ins-02")
    found = [(d.code, d.path) for d in diagnostics(kb_copy)]
    assert found == [("KB-E003", "rules[0]"), ("KB-E008", "rules[1].id")]


def test_every_bad_condition_of_a_rule_is_reported(kb_copy: Path) -> None:
    """Each condition is read on its own: both bad conditions of INS-06 are named; the rule is left out."""
    edit(
        kb_copy,
        "rules/insulinoma.yaml",
        "      - finding: any_spread\n      - finding: unresectable\n",
        "      - finding: [any_spread]\n      - {fact: resectable}\n",
    )
    found = [(d.code, d.path) for d in diagnostics(kb_copy)]
    assert found == [("KB-E001", "INS-06.when[0].finding"), ("KB-E014", "INS-06.when[1]")]


def test_every_fact_test_has_a_reader() -> None:
    """The condition parser reads the values of every test schema.FACT_OPS declares, and no other."""
    assert tuple(OP_VALUES) == FACT_OPS
