"""The verifier on the bundled knowledge base: clean, rules reachable, the gaps of reading RD-01."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import SOURCE_TEXT

from pnet_expert import KnowledgeBase, recommend
from pnet_expert.core.case import Tumor
from pnet_expert.core.errors import InputError
from pnet_expert.core.schema import CountTest, FactTest
from pnet_expert.core.space import CaseSpace, facts_of, record_values, rule_facts, witness
from pnet_expert.verify.check import CheckReport, check_knowledge_base
from pnet_expert.verify.gaps import source_gaps
from pnet_expert.verify.quotes import coverage, normalize, read_source
from pnet_expert.verify.subsumption import implies, offers_included, own_words


@pytest.fixture(scope="module")
def report() -> CheckReport:
    """Every check on the bundled knowledge base, against the source text it ships (the default)."""
    return check_knowledge_base()


def test_bundled_knowledge_base_is_clean(report: CheckReport) -> None:
    """No error: it loads, quotes the source, cites every bullet, every rule fires, nothing is redundant."""
    assert report.errors == ()
    assert report.ok
    assert [(r.check, r.status) for r in report.summary()][:1] == [("load", "ok")]
    assert {r.check: r.status for r in report.summary()}["gaps"] == "info"


def test_every_rule_and_finding_fires_on_its_smallest_case(report: CheckReport, kb: KnowledgeBase) -> None:
    """Each rule has an example case, confirmed by the engine; the examples are the smallest."""
    reach = {r.rule: r for r in report.reach}
    assert set(reach) == set(kb.rules) | {f.rule.id for f in kb.findings.values()}
    assert all(r.reachable and r.confirmed for r in reach.values())
    assert reach["GAS-01"].example == {"tumor_type": "gastrinoma"}
    assert reach["INS-06"].example == {
        "tumor_type": "insulinoma",
        "spread": ["lymph_nodes"],
        "resectable": False,
    }
    assert reach["GAS-11"].example == {
        "tumor_type": "gastrinoma",
        "liver_dominant": True,
        "severe_symptoms": True,
    }
    assert reach["REC-02"].example == {"tumor_type": "gastrinoma", "spread": ["liver"], "progressing": True}
    assert reach["FND-04"].example == {"tumor_type": "gastrinoma", "tumor_found": False}


def _gap_facts(report: CheckReport, section: str) -> list[dict[str, Any]]:
    return [dict(g.facts) for g in report.gaps if g.section == section]


def test_gaps_include_those_of_spec_5_1(report: CheckReport) -> None:
    """reading RD-01: insulinoma, one small tumor in the body; glucagonoma, also one large in body or tail."""
    insulinoma = _gap_facts(report, "insulinoma")
    glucagonoma = _gap_facts(report, "glucagonoma")
    rest = {"tumor_type": "insulinoma", "spread": [], "resectable": True}
    assert {**rest, "tumors": [{"site": "body", "size": "small"}]} in insulinoma
    rest["tumor_type"] = "glucagonoma"
    for site, size in (("body", "small"), ("body", "large"), ("tail", "large")):
        assert {**rest, "tumors": [{"site": site, "size": size}]} in glucagonoma
    texts = [g.text for g in report.gaps]
    assert (
        "one small tumor in the body of the pancreas; where the cancer has spread: none; the tumor can be "
        "removed by surgery: yes (whatever liver_dominant, severe_symptoms)"
    ) in texts


def test_gaps_are_exactly_these_kinds(report: CheckReport) -> None:
    """Only insulinoma and glucagonoma are silent on some complete cases; the others offer something."""
    kinds = [(g.section, [(t["site"], t.get("size")) for t in dict(g.facts)["tumors"]]) for g in report.gaps]
    assert kinds == [
        ("insulinoma", []),
        ("insulinoma", [("body", "small")]),
        ("insulinoma", [("duodenum", None)]),
        ("insulinoma", [("body", "small"), ("duodenum", None)]),
        ("glucagonoma", []),
        ("glucagonoma", [("body", "small")]),
        ("glucagonoma", [("body", "large")]),
        ("glucagonoma", [("tail", "large")]),
        ("glucagonoma", [("duodenum", None)]),
        ("glucagonoma", [("body", "small"), ("duodenum", None)]),
        ("glucagonoma", [("body", "large"), ("duodenum", None)]),
        ("glucagonoma", [("tail", "large"), ("duodenum", None)]),
    ]
    assert all(g.open == ("liver_dominant", "severe_symptoms") for g in report.gaps)


def test_every_gap_example_is_a_gap_for_the_engine(kb: KnowledgeBase) -> None:
    """The engine fires no rule of the section on each example, and the consultation reports a gap."""
    for gap in source_gaps(kb):
        consultation = recommend(gap.example, kb)
        assert gap.confirmed
        assert consultation.gaps, gap.example
        assert not set(kb.sections[gap.section].rules) & set(consultation.fired_rules)


def test_said_twice_is_information_not_an_error(report: CheckReport) -> None:
    """INS-06 and GLU-05 are covered by INS-07 and GLU-06, but cite passages of their own: information."""
    pairs = [(s.rule, s.by, s.own_words, s.equivalent) for s in report.subsumptions]
    assert pairs == [("INS-06", "INS-07", True, False), ("GLU-05", "GLU-06", True, False)]
    (issue,) = [i for i in report.issues if i.path == "INS-06"]
    assert (issue.code, issue.severity, str(issue.origin)) == (
        "CHECK-I403",
        "info",
        "rules/insulinoma.yaml:70:5",
    )
    assert str(issue) == (
        "rules/insulinoma.yaml:70:5: INS-06: subsumed by INS-07: whenever it fires, INS-07 fires too and "
        "offers ablation as well; kept because it cites a passage of its own (the source says it twice), so "
        "every bullet stays cited"
    )


def test_shared_conditions_across_sections_are_not_subsumption(kb: KnowledgeBase) -> None:
    """INS-05 and GLU-04 read alike, but their sections' tumor types differ: neither implies the other."""
    assert offers_included(kb, kb.rules["INS-05"], kb.rules["GLU-04"])
    assert not implies(kb, kb.rules["INS-05"], kb.rules["GLU-04"])


def test_gas06_implies_gas05_but_offers_more(kb: KnowledgeBase) -> None:
    """GAS-06's condition implies GAS-05's, but GAS-05 does not offer what GAS-06 does: not redundant."""
    assert implies(kb, kb.rules["GAS-06"], kb.rules["GAS-05"])
    assert not offers_included(kb, kb.rules["GAS-06"], kb.rules["GAS-05"])


def test_unknown_is_not_false_in_implication(kb: KnowledgeBase) -> None:
    """GAS-11 (liver dominant, severe) does not imply GAS-09 (liver spread): spread may be unknown."""
    assert not implies(kb, kb.rules["GAS-11"], kb.rules["GAS-09"])


def test_own_words(kb: KnowledgeBase) -> None:
    """A rule has words of its own when its quote or a sub-bullet is not among the other's."""
    assert own_words(kb.rules["INS-06"], kb.rules["INS-07"])
    assert not own_words(kb.rules["INS-05"], kb.rules["GLU-04"])


# ---------------------------------------------------------------- quotes and coverage


def test_normalize_removes_links_escapes_and_folds_space() -> None:
    """Link markup goes (escaped parentheses in the words too), white space folds."""
    text = "[Other Tumors \\(Islet Cell\\)](#) and  a [drug](#)\n that"
    assert normalize(text) == "Other Tumors (Islet Cell) and a drug that"


def test_every_bullet_is_cited(kb: KnowledgeBase) -> None:
    """All 78 bullets of the treatment section are cited; repeated texts go to each section's own rule."""
    source = read_source(SOURCE_TEXT, kb)
    covered = coverage(kb, source)
    assert len(covered.bullets) == 78
    assert covered.uncited == ()
    cited = {(b.line, b.text): rules for b, rules in zip(covered.bullets, covered.cited_by, strict=True)}
    assert cited[(161, "Surgery to remove the tumor.")] == ("VIP-04",)
    assert cited[(169, "Surgery to remove the tumor.")] == ("SOM-01",)
    assert cited[(177, "Surgery to remove the tumor.")] == ("OTH-01",)
    assert cited[(189, "Surgery to remove the tumor.")] == ("REC-01",)
    assert covered.cited_by[[b.line for b in covered.bullets].index(87)] == ("GAS-05", "GAS-06")


def test_a_broken_bullet_is_read_whole(kb: KnowledgeBase) -> None:
    """A sub-bullet the source breaks over two lines is one bullet."""
    source = read_source(SOURCE_TEXT, kb)
    (bullet,) = [b for b in source.bullets if b.line == 92]
    assert bullet.text == (
        "Surgery to cut the nerve that causes stomach cells to make acid and treatment with a drug that "
        "decreases stomach acid."
    )


def test_a_source_without_the_section_is_bad_input(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A file that does not hold the treatment section: InputError naming the file and the section."""
    other = tmp_path / "other.txt"
    other.write_text("Something else entirely\n")
    with pytest.raises(InputError) as caught:
        read_source(other, kb)
    assert str(caught.value) == (
        f"{other}: no line 'Treatment Options for Pancreatic Neuroendocrine Tumors' (source.yaml's "
        "source.section) starts the treatment section; is this the source text?"
    )
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "missing.txt", kb)


# ---------------------------------------------------------------- the case space


def test_relevant_facts_follow_findings(kb: KnowledgeBase) -> None:
    """A rule's facts are those its findings read, plus the section's."""
    assert rule_facts(kb, kb.rules["GAS-11"]) == ("tumor_type", "liver_dominant", "severe_symptoms")
    assert rule_facts(kb, kb.rules["REC-02"]) == ("spread", "progressing", "recurrent")
    assert facts_of(kb, ()) == ()


def test_tumor_lists_stand_for_every_list(kb: KnowledgeBase) -> None:
    """One list per outcome of the counts: none, one of each site and size, two in the pancreas, ..."""
    lists = record_values((kb,), "tumors", False)
    assert len(lists) == 22
    assert lists[:3] == ((), (Tumor("head"),), (Tumor("head", "small"),))
    assert (Tumor("head"), Tumor("head")) in lists
    assert (Tumor("head"), Tumor("head"), Tumor("duodenum")) in lists
    complete = record_values((kb,), "tumors", True)
    assert len(complete) == 16
    assert (Tumor("duodenum"),) in complete  # a size no count reads is left out
    assert (Tumor("body"),) not in complete


def test_space_dimensions_and_validity(kb: KnowledgeBase) -> None:
    """Booleans have three values with unknown; a case breaking a constraint is not valid."""
    space = CaseSpace([kb], ("tumor_type", "spread", "liver_dominant"))
    sizes = {d.fact: len(d.values) for d in space.dimensions}
    assert sizes == {"tumor_type": 6, "spread": 9, "liver_dominant": 3}
    assert space.size == 6 * 9 * 3
    bad = (("tumor_type", "gastrinoma"), ("spread", ()), ("liver_dominant", True))
    assert space.evaluator(bad) is None
    good = (("tumor_type", "gastrinoma"), ("liver_dominant", True))
    assert space.evaluator(good) is not None


def test_walk_visits_every_case_once(kb: KnowledgeBase) -> None:
    """Fewest known facts first, every case of the space exactly once."""
    space = CaseSpace([kb], ("tumor_type", "acid_symptoms", "refractory"))
    seen = list(space.by_known_count(lambda case: True))
    assert len(seen) == len(set(seen)) == space.size
    assert [len(c) for c in seen] == sorted(len(c) for c in seen)


def test_witness_is_none_for_contradictions(kb: KnowledgeBase) -> None:
    """No valid case has a tumor found and none found (a constraint of facts.yaml)."""
    none_found = FactTest("tumor_found", "is", (False,))
    one_tumor = CountTest("tumors", (), at_least=1)
    assert witness(kb, (none_found, one_tumor)) == (None, None)
    space, case = witness(kb, (none_found,))
    assert space is not None
    assert case == (("tumor_found", False),)
    assert space.case(case) == {"tumor_type": "gastrinoma", "tumor_found": False}
