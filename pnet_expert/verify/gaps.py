"""Gaps of the source: the kinds of case for which a type's own section offers nothing.

A gap is information, not an error: the source is silent about some cases
(reading RD-01 of the knowledge base), and the system says so instead of guessing. Gaps are sought among
*complete* cases (every fact the section's rules read is known, down to the
size of a tumor where a rule reads it): a case that fires nothing only because
a fact is unknown is waiting for that fact, not a silence of the source.

The search walks the section's facts in the knowledge base's order. A partial
case on which some rule already holds is left (it can only fire that rule);
one on which every rule already fails is a gap whatever the remaining facts
are; a partial case whose every valid completion is a gap is a gap too, so
each kind is as general as the walk can make it, and the facts it leaves open
are named as such.

A section whose cases are past the search's budget is not explored to the end:
its gaps are not listed, and a warning says so (``CHECK-W503``), rather than
the check running for hours.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import attrs

from pnet_expert.core import codes, limits
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.logic import Truth
from pnet_expert.core.schema import KnowledgeBase, SectionSpec
from pnet_expert.core.space import Assignment, Cache, CaseSpace, SearchTooBig, facts_of, plain
from pnet_expert.explain.recommend import recommend
from pnet_expert.verify.words import case_inline, fact_words


class _State(enum.Enum):
    INVALID = "invalid"
    FIRES = "fires"
    GAP = "gap"
    MIXED = "mixed"


@attrs.frozen
class GapKind:
    """A kind of case the section is silent on: the facts that make it so, and an example.

    ``facts`` are the known facts of the kind (plain data); ``open`` the
    section's other facts, which do not matter here; ``parts`` each known
    fact in words (the tumor type aside); ``text`` all of it; ``example`` the smallest
    case of the kind (its known facts, the tumor type and nothing else);
    ``confirmed`` that the engine fired no rule of the section on it and the
    consultation reported a gap; ``readings`` the readings that gap cites (ids).
    """

    section: str
    title: str
    facts: tuple[tuple[str, Any], ...]
    open: tuple[str, ...]
    parts: tuple[tuple[str, str], ...]
    text: str
    example: dict[str, Any]
    confirmed: bool
    readings: tuple[str, ...] = ()

    def issues(self) -> tuple[Diagnostic, ...]:
        """Information; an error only if the engine disagrees with the logic."""
        shown = f"{self.text} (e.g. {case_inline(self.example)})"
        if not self.confirmed:
            message = (
                f"the logic finds a gap for {shown} but the engine fired a rule of the section or reported "
                "no gap (a bug in pnet_expert: please report it)"
            )
            return (Diagnostic(codes.CHECK_GAP_UNCONFIRMED, self.section, message),)
        return (Diagnostic(codes.CHECK_GAP, self.section, f"no option for {shown}"),)


def section_gaps(kb: KnowledgeBase, section: SectionSpec, cache: Cache | None = None) -> tuple[GapKind, ...]:
    """Every kind of complete case of this type section on which none of its rules fires.

    Raises :class:`~pnet_expert.core.space.SearchTooBig` past the search's budget.
    """
    rules = [kb.rules[r] for r in section.rules]
    conditions = [kb.conditions_of(r) for r in rules]
    facts = facts_of(kb, [c for group in conditions for c in group])
    space = CaseSpace([kb], facts, complete=True, cache=cache)
    optional = [d for d in space.dimensions if not d.required]

    cost = sum(len(c) for c in conditions) + 1

    def walk(level: int, case: Assignment) -> tuple[_State, list[tuple[Assignment, int]]]:
        space.visit(cost)
        evaluator = space.evaluator(case)
        if evaluator is None:
            return _State.INVALID, []
        truths = [evaluator.all(c)[0] for c in conditions]
        if Truth.TRUE in truths:
            return _State.FIRES, []
        if all(t is Truth.FALSE for t in truths):
            return _State.GAP, [(case, level)]
        if level == len(optional):
            return _State.FIRES, []  # pragma: no cover - a complete case decides every rule
        states, kinds = [], []
        dim = optional[level]
        for value in dim.known:
            state, found = walk(level + 1, space.ordered({**dict(case), dim.fact: value}))
            states.append(state)
            kinds.extend(found)
        if _State.GAP in states and all(s in (_State.GAP, _State.INVALID) for s in states):
            return _State.GAP, [(case, level)]
        return _State.MIXED, kinds

    found: list[tuple[Assignment, int]] = []
    for root in space.roots():
        evaluator = space.evaluator(root)
        if evaluator is not None and evaluator.all(section.applies_when)[0] is Truth.TRUE:
            found.extend(walk(0, root)[1])
    skip = tuple(d.fact for d in space.dimensions if d.required)
    return tuple(
        _kind(kb, section, space, case, tuple(d.fact for d in optional[level:]), skip)
        for case, level in found
    )


def _kind(
    kb: KnowledgeBase,
    section: SectionSpec,
    space: CaseSpace,
    case: Assignment,
    later: tuple[str, ...],
    skip: tuple[str, ...],
) -> GapKind:
    """A gap found by the walk, in words, with its example confirmed by the engine."""
    known = dict(case)
    example = space.case(case)
    consultation = recommend(example, kb)
    confirmed = bool(consultation.gaps) and not set(section.rules) & set(consultation.fired_rules)
    readings = tuple(i for gap in consultation.gap_details for i in gap.readings)
    open_facts = tuple(f for f in later if f not in known)
    parts = tuple((name, fact_words(kb.facts[name], value)) for name, value in case if name not in skip)
    text = "; ".join(words for _, words in parts) or "every case"
    if open_facts:
        text += f" (whatever {', '.join(open_facts)})"
    facts = tuple((name, plain(value)) for name, value in case)
    return GapKind(section.id, section.title, facts, open_facts, parts, text, example, confirmed, readings)


def source_gaps(
    kb: KnowledgeBase,
    advance: Callable[[int], None] | None = None,
    cache: Cache | None = None,
    notes: list[Diagnostic] | None = None,
) -> tuple[GapKind, ...]:
    """The gaps of every type section, in the knowledge base's order (a section past the search's
    budget is noted in ``notes``, and its gaps left out)."""
    out: list[GapKind] = []
    for section in kb.sections.values():
        if section.kind == "type":
            try:
                out.extend(section_gaps(kb, section, cache))
            except SearchTooBig:
                if notes is not None:
                    message = (
                        "the kinds of case its rules are silent on were not fully explored: its cases are "
                        f"too many to search ({limits.exceeded('check_search')})"
                    )
                    notes.append(
                        Diagnostic(codes.CHECK_GAPS_UNEXPLORED, section.id, message, origin=section.origin)
                    )
            if advance:
                advance(1)
    return tuple(out)
