"""Gaps: when the case's own type section offers nothing, say so, and say why.

A gap is not an error: the source is silent about some cases (reading RD-01 of
the knowledge base), and the system says so instead of guessing. It also tells
apart what the source does not cover from what the case does not state: rules
that could still fire if an unknown fact were given are listed with those
facts, and rules that nearly matched (the finding holds, the attributes it
carries do not) bring the readings of the source that bear on them. A gap cites
those readings, and those that explain gaps, by id; every output that shows a
gap shows them in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from pnet_expert.core.case import Patient
from pnet_expert.core.logic import Truth
from pnet_expert.core.schema import FindingTest, KnowledgeBase
from pnet_expert.reasoning.checks import RuleCheck, unknown_text
from pnet_expert.reasoning.relevance import Trials, live_rules


@attrs.frozen
class Gap:
    """The case's type section offered nothing: what could change that, and the readings that bear on it.

    ``near_misses`` pairs each rule that nearly applied with the readings it cites
    (ids) and those readings in one line; ``readings`` are every reading the gap
    cites (the near misses', then those that explain gaps), in the knowledge base's order.
    """

    section: str
    title: str
    text: str
    waiting: tuple[tuple[str, tuple[str, ...]], ...]
    near_misses: tuple[tuple[str, tuple[str, ...], str | None], ...]
    untried: tuple[str, ...] = ()
    """Unknown facts whose possible answers were too many to try: their rules were kept in ``waiting``
    unseen (the search for what could change the gap was not fully explored)."""
    readings: tuple[str, ...] = ()

    @property
    def fully_explored(self) -> bool:
        """Every answer that could change the gap was tried (the search stayed within its budget)."""
        return not self.untried

    def to_dict(self) -> dict[str, Any]:
        """As JSON: section, text, the rules waiting on unknown facts, the near misses and their
        readings, whether the search for what could change it was fully explored, and every reading
        the gap cites (ids; the consultation's ``readings`` has them in full)."""
        return {
            "section": self.section,
            "text": self.text,
            "waiting_on": [{"rule": r, "unknown": list(u)} for r, u in self.waiting],
            "near_misses": [
                {"rule": r, "reading": t, "readings": list(ids)} for r, ids, t in self.near_misses
            ],
            "fully_explored": self.fully_explored,
            "readings": list(self.readings),
        }


def find_gaps(
    kb: KnowledgeBase,
    patient: Patient,
    fired_rules: Iterable[str],
    check: Callable[[str], RuleCheck],
    trials: Trials | None = None,
) -> tuple[Gap, ...]:
    """The gaps of a case: at most one, for its own type section (``check`` gives each rule's check;
    ``trials``, the answers tried for this case, shared with the silences)."""
    section = kb.type_section_for(patient.tumor_type)
    fired = set(fired_rules)
    if section is None or any(r in fired for r in section.rules):
        return ()
    checks = [check(r) for r in section.rules]
    # A rule waiting on a fact that no answer agreeing with the case's other facts could
    # satisfy (liver_dominant when spread is known to be []) cannot change anything.
    undecided = tuple((c.rule, frozenset(c.unknown_facts)) for c in checks if c.truth is Truth.UNKNOWN)
    found, untried = live_rules(kb, patient.to_dict(), undecided, trials)
    live = {rule.id for rule, _ in found}
    waiting = tuple(
        (c.rule.id, tuple(unknown_text(kb, patient, u) for u in c.unknown_facts))
        for c in checks
        if c.rule.id in live
    )
    misses = {c.rule.id: _mismatches(c) for c in checks}
    closest = min((m for m in misses.values() if m), default=0)
    near = tuple(
        (c.rule.id, c.rule.readings, kb.readings_text(c.rule.readings))
        for c in checks
        if misses[c.rule.id] == closest and closest and c.rule.readings
    )
    cited = {i for _, ids, _ in near for i in ids} | {r.id for r in kb.readings_explaining("gaps")}
    readings = tuple(r.id for r in kb.readings_of(cited))
    span = f"{section.rules[0]} to {section.rules[-1]}" if len(section.rules) > 1 else section.rules[0]
    parts = [
        f"The source's {section.title} section offers no option for this case: "
        f"none of its rules ({span}) applies."
    ]
    if waiting:
        listed = "; ".join(f"{', '.join(unknown)} ({rule})" for rule, unknown in waiting)
        parts.append(f"Not given, and could change this: {listed}.")
    shown = tuple(unknown_text(kb, patient, u) for u in sorted(untried))
    if shown:
        parts.append(
            f"(Not fully explored: the possible answers for {', '.join(shown)} were too many to try "
            f"(limit consult_search), so a rule listed here may be one that no answer could fire.)"
        )
    for rule, ids, _ in near:
        titles = "; ".join(f"{r.id}, {r.title}" for r in kb.readings_of(ids))
        parts.append(f"{rule} nearly applies: see reading {titles}.")
    if not waiting and not near:
        parts.append("The source is silent on this case; the system does not guess.")
    return (Gap(section.id, section.title, " ".join(parts), waiting, near, shown, readings),)


def _mismatches(check: RuleCheck) -> int:
    """How many finding attributes keep a rule from firing, when nothing else does (0: not a near miss).

    A near miss is a rule whose every failed condition is a finding that holds
    with the wrong attributes: the case is of the kind the rule speaks of, just
    not of the attributes it names (a tumor's site or size).
    """
    failed = check.failed
    if not failed or not all(c.finding_held for c in failed):
        return 0
    count = 0
    for c in failed:
        assert isinstance(c.condition, FindingTest)
        attributes = c.outcome.findings[0].attributes
        count += sum(1 for name, allowed in c.condition.where if attributes.get(name) not in allowed)
    return count
