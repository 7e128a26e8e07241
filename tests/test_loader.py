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
    """The same, as printed."""
    return [str(d) for d in diagnostics(kb_dir)]


def found(kb_dir: Path) -> list[tuple[str, str, str]]:
    """(code, origin, path) of each diagnostic."""
    return [(d.code, str(d.origin), d.path) for d in diagnostics(kb_dir)]


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
    ("file", "old", "new", "code", "where", "path", "suggestion", "named"),
    [
        (
            "rules/insulinoma.yaml",
            "      - treatment: ablation\n    strength: may include\n    quote: >-\n      Radiofrequency",
            "      - treatment: ablaton\n    strength: may include\n    quote: >-\n      Radiofrequency",
            "KB-E101",
            "rules/insulinoma.yaml:75:9",
            "INS-06.offers[0].treatment",
            "ablation",
            ("'ablaton'",),
        ),
        (
            "rules/insulinoma.yaml",
            "  - id: INS-02",
            "  - id: INS-01",
            "KB-E110",
            "rules/insulinoma.yaml:23:5",
            "INS-01",
            "",
            ("first at rules/insulinoma.yaml:11:5",),
        ),
        (
            "rules/gastrinoma.yaml",
            "{fact: acid_symptoms, is: true}",
            "{fact: acid_symptom, is: true}",
            "KB-E101",
            "rules/gastrinoma.yaml:21:9",
            "GAS-02.when[0].fact",
            "acid_symptoms",
            ("'acid_symptom'", "declared: tumor_type"),
        ),
        (
            "rules/gastrinoma.yaml",
            "{fact: acid_symptoms, is: true}",
            "{fact: acid_symptoms, is: yes}",
            "KB-E102",
            "rules/gastrinoma.yaml:21:9",
            "GAS-02.when[0].is",
            "",
            ("'yes'", "allowed: true, false"),
        ),
        (
            "rules/gastrinoma.yaml",
            "    - {fact: tumor_type, is: gastrinoma}",
            "    - {fact: tumor_type, is: gastrinomas}",
            "KB-E102",
            "rules/gastrinoma.yaml:8:7",
            "gastrinoma.applies_when[0].is",
            "gastrinoma",
            ("'gastrinomas'",),
        ),
        (
            "rules/gastrinoma.yaml",
            "        where: {site: [head]}",
            "        where: {site: [neck]}",
            "KB-E102",
            "rules/gastrinoma.yaml:31:9",
            "GAS-03.when[0].where.site",
            "",
            ("'neck'", "allowed: head, body, tail, duodenum"),
        ),
        (
            "rules/gastrinoma.yaml",
            "        where: {site: [head]}",
            "        where: {colour: [head]}",
            "KB-E103",
            "rules/gastrinoma.yaml:31:9",
            "GAS-03.when[0].where.colour",
            "",
            ("'colour'", "it carries: site, size"),
        ),
        (
            "rules/gastrinoma.yaml",
            "      - finding: multiple_pancreatic_tumors\n    offers:\n      - treatment: distal",
            "      - finding: multiple_pancreatic_tumor\n    offers:\n      - treatment: distal",
            "KB-E101",
            "rules/gastrinoma.yaml:60:9",
            "GAS-05.when[0].finding",
            "multiple_pancreatic_tumors",
            ("'multiple_pancreatic_tumor'",),
        ),
        (
            "rules/gastrinoma.yaml",
            "    strength: usually\n    quote: >-\n      For a single tumor in the body",
            "    strength: often\n    quote: >-\n      For a single tumor in the body",
            "KB-E101",
            "rules/gastrinoma.yaml:47:5",
            "GAS-04.strength",
            "",
            ("'often'", "allowed: usually, may include"),
        ),
        (
            "rules/gastrinoma.yaml",
            'qualifiers: [rare]\n    strength: may include\n    quote: "For a single',
            'qualifiers: [seldom]\n    strength: may include\n    quote: "For a single',
            "KB-E101",
            "rules/gastrinoma.yaml:36:9",
            "GAS-03.offers[2].qualifiers",
            "",
            ("'seldom'", "allowed: rare; with or without systemic chemotherapy; palliative"),
        ),
        (
            "rules/gastrinoma.yaml",
            "      - [vagotomy_with_acid_reducing_drug, total_gastrectomy]",
            "      - [vagotomy_with_acid_reducing_drug, liver_resection]",
            "KB-E109",
            "rules/gastrinoma.yaml:68:5",
            "GAS-06.alternatives[0]",
            "",
            ("'liver_resection'",),
        ),
        (
            "rules/gastrinoma.yaml",
            "    strength: usually\n    quote: >-\n      For a single tumor in the body",
            "    strenght: usually\n    quote: >-\n      For a single tumor in the body",
            "KB-E003",
            "rules/gastrinoma.yaml:53:5",
            "rules[3]",
            "strength",
            ("'strenght'",),
        ),
        (
            "rules/gastrinoma.yaml",
            "{fact: acid_symptoms, is: true}",
            "{fact: spread, is: liver}",
            "KB-E104",
            "rules/gastrinoma.yaml:21:9",
            "GAS-02.when[0].is",
            "",
            ("set fact", "contains or contains_any"),
        ),
        (
            "facts.yaml",
            "      liver: the liver\n",
            "",
            "KB-E102",
            "findings.yaml:55:11",
            "FND-06.when[0].contains",
            "",
            ("'liver'", "spread"),
        ),
        (
            "findings.yaml",
            "          exactly: 1",
            "          exactly: 0",
            "KB-E105",
            "findings.yaml:10:11",
            "FND-01.when[0]",
            "",
            ("one or more",),
        ),
        (
            "cautions.yaml",
            "    exempt: [INS-02, GLU-02]",
            "    exempt: [INS-2, GLU-02]",
            "KB-E112",
            "cautions.yaml:11:5",
            "CAU-01.exempt[0]",
            "INS-02",
            ("'INS-2'", "not a recommendation rule"),
        ),
        (
            "cautions.yaml",
            "    exempt: [INS-02, GLU-02]",
            "    exempt: [INS-07, GLU-02]",
            "KB-E113",
            "cautions.yaml:11:5",
            "CAU-01.exempt[0]",
            "",
            ("INS-07", "combination_chemotherapy", "exempt only a rule"),
        ),
        (
            "cautions.yaml",
            "      - tumor_resection\n",
            "      - tumour_resection\n",
            "KB-E101",
            "cautions.yaml:11:5",
            "CAU-01.treatments[0]",
            "tumor_resection",
            ("'tumour_resection'",),
        ),
        (
            "cautions.yaml",
            "      - {fact: resectable, is: false}",
            "      - {fact: resectible, is: false}",
            "KB-E101",
            "cautions.yaml:14:9",
            "CAU-01.when[0].fact",
            "resectable",
            ("'resectible'",),
        ),
        (
            "source.yaml",
            "last_modified: 2012-02-06",
            "last_modified: February 2012",
            "KB-E009",
            "source.yaml:11:18",
            "source.last_modified",
            "",
            ("'February 2012'", "YYYY-MM-DD"),
        ),
        (
            "treatments.yaml",
            "  - id: clinical_trial",
            "  - id: ablation",
            "KB-E110",
            "treatments.yaml:47:5",
            "ablation",
            "",
            ("duplicate treatment id",),
        ),
        (
            "vocabulary.yaml",
            "  - id: usually\n",
            "  - id: usually\n    colour: red\n",
            "KB-E003",
            "vocabulary.yaml:5:5",
            "strengths[0]",
            "",
            ("'colour'",),
        ),
    ],
)
def test_broken_knowledge_base_is_refused_with_code_place_and_path(
    kb_copy: Path,
    file: str,
    old: str,
    new: str,
    code: str,
    where: str,
    path: str,
    suggestion: str,
    named: tuple[str, ...],
) -> None:
    """Each mistake: its code, file:line:col, path (the id it belongs to), "did you mean", what is allowed."""
    edit(kb_copy, file, old, new)
    every = diagnostics(kb_copy)
    matching = [d for d in every if (d.code, str(d.origin), d.path) == (code, where, path)]
    assert len(matching) == 1, every
    assert matching[0].suggestion == suggestion
    assert [word for word in named if word not in matching[0].detail] == []


def test_the_best_loader_messages_word_for_word(kb_copy: Path) -> None:
    """file:line:col, the id and field, the bad name, "did you mean", and what is allowed: exactly."""
    edit(kb_copy, "rules/insulinoma.yaml", "      - treatment: ablation\n", "      - treatment: ablaton\n")
    edit(
        kb_copy, "rules/gastrinoma.yaml", "{fact: acid_symptoms, is: true}", "{fact: acid_symptoms, is: yes}"
    )
    assert problems(kb_copy) == [
        "rules/gastrinoma.yaml:21:9: GAS-02.when[0].is: 'yes' is not a value of acid_symptoms; "
        "allowed: true, false",
        "rules/insulinoma.yaml:75:9: INS-06.offers[0].treatment: 'ablaton' is not a declared treatment "
        "(did you mean 'ablation'?)",
    ]


def test_every_problem_is_reported_at_once(kb_copy: Path) -> None:
    """Mistakes in several files are all reported by one load."""
    edit(kb_copy, "rules/insulinoma.yaml", "treatment: ablation", "treatment: ablaton")
    edit(kb_copy, "rules/glucagonoma.yaml", "strength: usually", "strength: often")
    edit(kb_copy, "treatments.yaml", "  - id: clinical_trial", "  - id: ablation")
    every = diagnostics(kb_copy)
    assert len(every) >= 3
    assert {(d.code, d.origin.file if d.origin else "") for d in every} >= {
        ("KB-E101", "rules/insulinoma.yaml"),
        ("KB-E101", "rules/glucagonoma.yaml"),
        ("KB-E110", "treatments.yaml"),
    }


def test_yaml_syntax_error_names_file_and_line(kb_copy: Path) -> None:
    """A YAML syntax error is reported with its position."""
    (kb_copy / "treatments.yaml").write_text("treatments:\n  - id: [\n")
    (first, *_) = diagnostics(kb_copy)
    assert (first.code, str(first.origin), first.path) == ("FILE-E007", "treatments.yaml:3:1", "")
    assert first.message.startswith("not valid YAML")


def test_missing_file_and_missing_rules(kb_copy: Path) -> None:
    """A missing file is named; so is an empty rules folder."""
    (kb_copy / "findings.yaml").unlink()
    for file in (kb_copy / "rules").glob("*.yaml"):
        file.unlink()
    every = found(kb_copy)
    assert ("KB-E202", "findings.yaml:1:1", "") in every
    assert ("KB-E203", "rules:1:1", "") in every


def test_section_list_must_match_rule_files(kb_copy: Path) -> None:
    """source.yaml lists every section, and every section lives in rules/<id>.yaml."""
    (kb_copy / "rules" / "other.yaml").rename(kb_copy / "rules" / "others.yaml")
    assert found(kb_copy) == [("KB-E207", "rules/others.yaml:4:3", "section.id")]


def test_not_a_directory(tmp_path: Path) -> None:
    """Loading from a path that is not a directory says so."""
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(tmp_path / "absent")
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("KB-E201", str(tmp_path / "absent"))]


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
    # INS-02 unread, the caution that exempts it names a rule that is not there.
    assert found == [("KB-E003", "rules[0]"), ("KB-E008", "rules[1].id"), ("KB-E112", "CAU-01.exempt[0]")]


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
