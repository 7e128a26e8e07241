"""The searches of the reasoning are bounded on any knowledge base within the limits (issue 12).

On an edited knowledge base that only added count-based findings, one
``recommend()`` took 24 s (the search for what could change a gap) and
``kb check`` minutes. Now a consultation stays within milliseconds of the
bundled one, and where a search would be too big it says what it did not
explore, in the gap's words and JSON, or as a warning of ``kb check``.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from helpers import SEVEN_COUNTS, add_count_findings, append, edit, within

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.core import space
from pnet_expert.verify.check import check_knowledge_base

NOT_FOUND = {"tumor_type": "insulinoma", "tumor_found": False, "spread": []}
"""A case whose tumors a constraint restricts (none may be listed): the answers for them are tried."""


def _consult_seconds(kb: KnowledgeBase, case: dict[str, object]) -> float:
    started = time.perf_counter()
    within(20, lambda: recommend(case, kb))
    return time.perf_counter() - started


def test_two_added_count_findings_are_fully_explored(kb_copy: Path) -> None:
    """Two count findings (the red team's 24 s): the gap is explained as fully as on the bundled one."""
    add_count_findings(
        kb_copy, [("{size: small}", "at_least", 5), ("{site: head, size: large}", "exactly", 4)]
    )
    kb = load_knowledge_base(kb_copy)
    (gap,) = recommend(NOT_FOUND, kb).to_dict()["gap_details"]
    assert gap["fully_explored"] is True
    assert gap == recommend(NOT_FOUND).to_dict()["gap_details"][0]


def test_seven_added_count_findings_say_the_gap_was_not_fully_explored(kb_copy: Path) -> None:
    """Seven count findings (20 s before): the search stops at its budget; the gap says so (words, JSON)."""
    add_count_findings(kb_copy, SEVEN_COUNTS)
    kb = load_knowledge_base(kb_copy)
    consultation = within(20, lambda: recommend(NOT_FOUND, kb))
    (gap,) = consultation.to_dict()["gap_details"]
    assert gap["fully_explored"] is False
    assert "Not fully explored: the possible answers for tumors were too many to try" in gap["text"]
    assert "limit consult_search" in gap["text"]
    # A rule is never ruled out unseen: every rule that waits on the tumors stays listed.
    assert {w["rule"] for w in gap["waiting_on"]} >= {"INS-01", "INS-02", "INS-03", "INS-04"}


def test_an_edited_knowledge_base_consults_about_as_fast_as_the_bundled_one(kb_copy: Path) -> None:
    """After the first case (the one-time search, bounded), cases cost what they cost on the bundled one."""
    add_count_findings(kb_copy, SEVEN_COUNTS)
    edited = load_knowledge_base(kb_copy)
    first = _consult_seconds(edited, NOT_FOUND)
    assert first < 5  # the budgeted search, once per knowledge base; far less on any machine
    bundled = load_knowledge_base()
    cases = [NOT_FOUND, {"tumor_type": "gastrinoma", "tumors": [{"site": "head"}]}, {"tumor_type": "other"}]
    edited_times = [min(_consult_seconds(edited, c) for _ in range(5)) for c in cases]
    bundled_times = [min(_consult_seconds(bundled, c) for _ in range(5)) for c in cases]
    assert sum(edited_times) < 20 * sum(bundled_times) + 0.05


def test_a_search_past_its_budget_gives_up_once_and_remembers(kb: KnowledgeBase) -> None:
    """Representative lists past a budget: SearchTooBig, and at once the second time (it is cached)."""
    with pytest.raises(space.SearchTooBig):
        space.record_values((kb,), "tumors", False, budget=10)
    started = time.perf_counter()
    with pytest.raises(space.SearchTooBig):
        space.record_values((kb,), "tumors", False, budget=10)
    assert time.perf_counter() - started < 0.5
    assert len(space.record_values((kb,), "tumors", False)) == 22


def test_clipped_states_find_the_same_representatives(kb: KnowledgeBase) -> None:
    """States clipped where more records change nothing: one list per outcome of the counts, shortest first"""
    lists = space.record_values((kb,), "tumors", False)
    tests = space._count_tests(kb, "tumors")
    outcomes = [space._outcome(tests, space._state_of(tests, records)) for records in lists]
    assert len(set(outcomes)) == len(outcomes) == 22
    assert lists[0] == ()
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(lists))


def _wide_rule(kb: Path, facts: int = 24) -> None:
    """A rule over 24 new yes/no facts: its smallest case knows all 24 (C(24, k) cases at each level)."""
    declared = "".join(
        f"\n  - id: f{i}\n    kind: boolean\n    label: fact {i}\n    question: Fact {i}?\n"
        "    help: A fact.\n"
        for i in range(facts)
    )
    marker = "\n# Cases the source cannot describe."
    edit(kb / "facts.yaml", marker, declared + marker)
    conditions = "".join(f"      - {{fact: f{i}, is: true}}\n" for i in range(facts))
    append(
        kb / "rules" / "other.yaml",
        f"\n  - id: OTH-90\n    when:\n{conditions}    offers: [{{treatment: supportive_care}}]\n"
        "    strength: may include\n"
        '    quote: "Treatment of other types of pancreatic neuroendocrine tumors (NETs) may include the\n'
        '      following:"\n',
    )


def test_kb_check_says_what_it_did_not_decide(kb_copy: Path) -> None:
    """A rule whose cases are past the search limit is neither reachable nor not: a warning, CHECK-W303."""
    _wide_rule(kb_copy)
    report = within(120, lambda: check_knowledge_base(kb_copy))
    warned = {(d.code, d.path) for d in report.issues if d.severity == "warning"}
    assert ("CHECK-W303", "OTH-90") in warned
    assert "limit check_search" in next(str(d) for d in report.issues if d.code == "CHECK-W303")
    (reach,) = [r for r in report.reach if r.rule == "OTH-90"]
    assert (reach.explored, reach.example) == (False, None)
    assert report.ok  # a warning fails nothing: nothing wrong was found
    assert {r.check: r.status for r in report.summary()}["reachability"] == "warning"
