"""kb check on broken copies of the knowledge base: each fault is found, with its code, place and rule."""

from __future__ import annotations

from pathlib import Path

from helpers import NEVER, SOURCE_TEXT, append, edit

from pnet_expert import KnowledgeBase
from pnet_expert.verify.check import CheckReport, check_knowledge_base


def errors(report: CheckReport) -> list[str]:
    """The errors as kb check prints them."""
    return [str(issue) for issue in report.errors]


def found(report: CheckReport) -> list[tuple[str, str, str]]:
    """(code, file:line:col, path) of each error."""
    return [(d.code, str(d.origin or ""), d.path) for d in report.errors]


def line_of(file: Path, text: str, nth: int = 1) -> int:
    """The line number of the nth line holding a text."""
    lines = [i for i, line in enumerate(file.read_text().splitlines(), 1) if text in line]
    return lines[nth - 1]


def test_duplicate_id(kb_copy: Path) -> None:
    """Two rules with one id: the loader's message, with both places."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    edit(rules, "  - id: GAS-03\n", "  - id: GAS-02\n")
    report = check_knowledge_base(kb_copy)
    first, second = line_of(rules, "- id: GAS-02"), line_of(rules, "- id: GAS-02", 2)
    assert found(report) == [("KB-E110", f"rules/gastrinoma.yaml:{second}:5", "GAS-02")]
    assert f"(first at rules/gastrinoma.yaml:{first}:5)" in report.errors[0].message
    assert not report.ok
    assert [(r.check, r.status) for r in report.summary()] == [
        ("load", "FAILED"),
        ("quotes", "skipped"),
        ("coverage", "skipped"),
        ("reachability", "skipped"),
        ("subsumption", "skipped"),
        ("gaps", "skipped"),
        ("cautions", "skipped"),
    ]


def test_undeclared_treatment(kb_copy: Path) -> None:
    """A treatment no one declared: named, with a "did you mean"."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    edit(rules, "treatment: acid_reducing_drug", "treatment: acid_reducer")
    line = line_of(rules, "treatment: acid_reducer")
    report = check_knowledge_base(kb_copy)
    assert found(report) == [("KB-E101", f"rules/gastrinoma.yaml:{line}:9", "GAS-02.offers[0].treatment")]
    assert report.errors[0].suggestion == "acid_reducing_drug"


def test_value_outside_the_domain(kb_copy: Path) -> None:
    """A value a fact cannot take: named, with the values allowed."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    edit(rules, "      - finding: liver_metastases\n", "      - {fact: spread, contains: lungs}\n")
    line = line_of(rules, "contains: lungs")
    report = check_knowledge_base(kb_copy)
    assert found(report) == [("KB-E102", f"rules/gastrinoma.yaml:{line}:9", "GAS-09.when[0].contains")]
    assert report.errors[0].hint == "allowed: lymph_nodes, liver, distant"


def test_every_load_problem_at_once(kb_copy: Path) -> None:
    """Several faults in several files: all reported in one run."""
    edit(kb_copy / "rules" / "gastrinoma.yaml", "treatment: acid_reducing_drug", "treatment: acid_reducer")
    edit(kb_copy / "rules" / "insulinoma.yaml", "strength: usually", "strength: always")
    every = found(check_knowledge_base(kb_copy))
    assert [(code, where.split(":")[0], path) for code, where, path in every] == [
        ("KB-E101", "rules/gastrinoma.yaml", "GAS-02.offers[0].treatment"),
        ("KB-E101", "rules/insulinoma.yaml", "INS-01.strength"),
    ]


def test_misquoted_rule(kb_copy: Path) -> None:
    """A quote that is not the source's words: where it leaves them, and the bullet left uncited (exactly)."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    edit(rules, "treatment may be a drug that", "treatment may be a pill that")
    report = check_knowledge_base(kb_copy, SOURCE_TEXT)
    line = line_of(rules, "- id: GAS-02")
    assert errors(report) == [
        f"rules/gastrinoma.yaml:{line}:5: GAS-02: quote is not the source's words: 'For symptoms caused by "
        "too much stomach acid, treatment may be a pill that decreases the amount of acid made by the "
        "stomach.' (it agrees with the source up to '...o much stomach acid, treatment may be a ', then has "
        "'pill that decreases the amount...' where the source has 'drug that decreases the amount...')",
        f"{SOURCE_TEXT}:81:1: no rule cites this bullet (under 'Gastrinoma'): 'For symptoms caused by too "
        "much stomach acid, treatment may be a drug that decreases the amount of acid made by the stomach.'",
    ]
    assert [code for code, _, _ in found(report)] == ["CHECK-E101", "CHECK-E201"]
    summary = {r.check: (r.status, r.detail) for r in report.summary()}
    assert summary["quotes"] == (
        "FAILED",
        "1 of 102 quotes, sub-bullets and readings' passages is not the source's words",
    )
    assert summary["coverage"] == ("FAILED", "77 of 78 bullets cited")


def test_misquoted_sub_bullet(kb_copy: Path) -> None:
    """A sub-bullet is checked like a quote, and named by its index."""
    edit(
        kb_copy / "rules" / "gastrinoma.yaml", "      - Chemoembolization.\n", "      - Chemo-embolisation.\n"
    )
    report = check_knowledge_base(kb_copy, SOURCE_TEXT)
    (error,) = [d for d in report.errors if d.path == "GAS-09"]
    assert error.code == "CHECK-E101"
    assert error.message.startswith("sub_bullets[2] is not the source's words: 'Chemo-embolisation.'")


def test_a_deleted_rule_leaves_its_bullet_uncited(kb_copy: Path) -> None:
    """Coverage: the source's bullet that no rule cites any more is named, with its line."""
    rules = kb_copy / "rules" / "recurrent.yaml"
    text = rules.read_text()
    rules.write_text(text[: text.index("  - id: REC-03")])
    report = check_knowledge_base(kb_copy, SOURCE_TEXT)
    assert found(report) == [("CHECK-E201", f"{SOURCE_TEXT}:197:1", "")]
    assert report.errors[0].message.endswith("'A clinical trial of a new therapy.'")


def test_rule_that_can_never_fire(kb_copy: Path) -> None:
    """Contradictory conditions: the two that cannot hold together are named."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    append(rules, NEVER)
    report = check_knowledge_base(kb_copy)
    line = line_of(rules, "- id: GAS-12")
    assert found(report) == [("CHECK-E301", f"rules/gastrinoma.yaml:{line}:5", "GAS-12")]
    assert report.errors[0].message == (
        "can never fire: no valid case meets both 'tumor_type is gastrinoma (type of tumor)' (the condition "
        "of section gastrinoma) and 'tumor_type is insulinoma (type of tumor)'"
    )
    summary = {r.check: (r.status, r.detail) for r in report.summary()}
    assert summary["reachability"] == (
        "FAILED",
        "52 of 53 rules (findings' included) fire on some valid case",
    )


def test_rule_that_breaks_a_constraint(kb_copy: Path) -> None:
    """A rule asking for a case facts.yaml forbids (no tumor found, yet a tumor): the pair is named."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    edit(
        rules,
        "      - finding: no_tumor_found\n",
        "      - finding: no_tumor_found\n      - finding: duodenal_tumor\n",
    )
    (error,) = check_knowledge_base(kb_copy).errors
    assert (error.code, error.path) == ("CHECK-E301", "GAS-08")
    assert (
        "'no_tumor_found (no tumor is found)' and 'duodenal_tumor (a tumor in the duodenum)'" in error.message
    )


SUBSUMED = """
  - id: INS-09
    when:
      - finding: single_pancreatic_tumor
        where: {site: [head], size: [small]}
    offers:
      - treatment: tumor_resection
    strength: usually
    quote: >-
      For one small tumor in the head or tail of the pancreas, treatment is usually
      surgery to remove the tumor.
"""


def test_rule_subsumed_by_another(kb_copy: Path) -> None:
    """A narrower copy of INS-01 with INS-01's words adds nothing: an error naming both."""
    rules = kb_copy / "rules" / "insulinoma.yaml"
    append(rules, SUBSUMED)
    report = check_knowledge_base(kb_copy)
    line = line_of(rules, "- id: INS-09")
    assert found(report) == [("CHECK-E401", f"rules/insulinoma.yaml:{line}:5", "INS-09")]
    assert report.errors[0].message.startswith("subsumed by INS-01: whenever it fires, INS-01 fires too")
    summary = {r.check: (r.status, r.detail) for r in report.summary()}
    assert summary["subsumption"] == (
        "FAILED",
        "1 subsumed or equivalent; 2 covered by another but said twice by the source (info)",
    )


def test_equivalent_rules(kb_copy: Path) -> None:
    """A copy of INS-05 under a new id: the two are equivalent, reported once."""
    append(
        kb_copy / "rules" / "insulinoma.yaml",
        "\n  - id: INS-10\n    when:\n      - finding: any_spread\n      - {fact: resectable, is: true}\n"
        "    offers:\n"
        "      - treatment: tumor_resection\n    strength: may include\n    quote: >-\n"
        "      For tumors that have spread to lymph nodes or other parts of the body,\n"
        "      treatment may include the following:\n",
    )
    (error,) = check_knowledge_base(kb_copy).errors
    assert (error.code, error.path) == ("CHECK-E402", "INS-05")
    assert error.message.startswith("equivalent to INS-10: each fires exactly when the other does")


def test_a_stronger_rule_is_not_subsumed_by_a_weaker_one(kb_copy: Path) -> None:
    """INS-01 ('usually') is not subsumed by a broader rule that 'may include' the same (strength lost)."""
    append(
        kb_copy / "rules" / "insulinoma.yaml",
        SUBSUMED.replace("INS-09", "INS-11")
        .replace("[head], size: [small]", "[head]")
        .replace("strength: usually", "strength: may include"),
    )
    report = check_knowledge_base(kb_copy)
    assert [s.rule for s in report.subsumptions] == ["INS-06", "GLU-05"]


# ---------------------------------------------------------------- cautions


def test_caution_no_case_can_raise(kb_copy: Path) -> None:
    """A caution only on rules that need the tumor to be removable can never be raised: CHECK-E601."""
    edit(
        kb_copy / "cautions.yaml",
        "    exempt: [INS-02, GLU-02]\n",
        "    exempt: [INS-01, INS-02, INS-03, INS-04, GLU-01, GLU-02, GLU-03, GAS-03, GAS-04, GAS-05, GAS-07,"
        " VIP-02, SOM-01, OTH-01, REC-01]\n",
    )
    report = check_knowledge_base(kb_copy)
    assert found(report) == [("CHECK-E601", "cautions.yaml:11:5", "CAU-01")]
    assert report.errors[0].message.startswith("can never be raised: no valid case meets its condition")
    summary = {r.check: (r.status, r.detail) for r in report.summary()}
    assert summary["cautions"] == ("FAILED", "0 of 1 raised by some valid case (on the offers of 0 rules)")


def test_bundled_caution_is_raised_on_the_offers_the_spec_lists(kb: KnowledgeBase) -> None:
    """CAU-01 marks exactly the thirteen rules of RD-09 (INS-05, GLU-04, VIP-04 cannot meet it), and its
    smallest case raises it in a consultation."""
    (reach,) = check_knowledge_base().cautions
    assert set(reach.rules) == {
        "INS-01", "INS-03", "INS-04", "GLU-01", "GLU-03", "GAS-03", "GAS-04", "GAS-05", "GAS-07",
        "VIP-02", "SOM-01", "OTH-01", "REC-01",
    }  # fmt: skip
    assert reach.example == {"tumor_type": "vipoma", "resectable": False}
    assert reach.confirmed
    assert reach.issues() == ()
