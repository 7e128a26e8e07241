"""Reachability: every rule fires on some valid case, and here is the smallest such case.

For each recommendation rule (and each finding's rule) the verifier walks the
cases over the facts the rule reads, fewest known facts first, and stops at
the first valid case on which the rule's whole condition (its section's too)
holds. The engine is then run on that case to confirm that it fires the rule.
A rule with no such case can never fire; the smallest set of its conditions
that no valid case meets together is named, so the author sees the
contradiction (``tumor_type is gastrinoma`` and ``tumor_type is insulinoma``).

Each search has a budget (``check_search``, docs/limits.md). A rule whose
cases are past it is neither said to fire nor said never to fire: it is
reported as not decided (``CHECK-W303``, a warning), and the check goes on.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from pnet_expert.core import codes, limits
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.schema import Condition, KnowledgeBase
from pnet_expert.core.space import Cache, SearchTooBig, witness
from pnet_expert.core.words import describe
from pnet_expert.explain.recommend import recommend
from pnet_expert.verify.words import case_inline

Kind = Literal["rule", "finding"]


@attrs.frozen
class Reach:
    """Whether one rule (or finding rule) fires on some valid case, with the smallest such case.

    ``example`` is None when no valid case fires it; ``conflict`` then names
    the conditions that cannot hold together. ``confirmed`` says that the
    engine fired it on the example, as the logic said it would.
    """

    rule: str
    kind: Kind
    origin: Origin
    example: dict[str, Any] | None
    confirmed: bool = False
    conflict: tuple[str, ...] = ()
    explored: bool = True
    """False when the search for a case that fires it went past its limit: nothing was decided."""

    @property
    def reachable(self) -> bool:
        """Some valid case fires it."""
        return self.example is not None

    def issues(self) -> tuple[Diagnostic, ...]:
        """An error when it can never fire, or when the engine disagrees with the logic; a warning
        when the search was past its limit."""
        if not self.explored:
            verb = "fire" if self.kind == "rule" else "hold"
            message = (
                f"whether it can {verb} was not decided: the cases over the facts it reads are too many to "
                f"search ({limits.exceeded('check_search')})"
            )
            return (Diagnostic(codes.CHECK_REACH_UNEXPLORED, self.rule, message, origin=self.origin),)
        if self.example is None:
            if len(self.conflict) == 1:
                why = f"no valid case meets {self.conflict[0]}"
            else:
                listed = ", ".join(self.conflict[:-1])
                both = "both" if len(self.conflict) == 2 else "all of"
                why = f"no valid case meets {both} {listed} and {self.conflict[-1]}"
            verb = "fire" if self.kind == "rule" else "hold"
            message = f"can never {verb}: {why}"
            return (Diagnostic(codes.CHECK_NEVER_FIRES, self.rule, message, origin=self.origin),)
        if not self.confirmed:
            message = (
                f"the logic says it fires on {case_inline(self.example)}, but the engine did not fire it "
                "(a bug in pnet_expert: please report it)"
            )
            return (Diagnostic(codes.CHECK_ENGINE_DISAGREES, self.rule, message, origin=self.origin),)
        return ()


CONFLICT_TRIES = 64
"""How many sets of conditions :func:`conflict` tries before it names them all."""


def conflict(
    kb: KnowledgeBase, conditions: Sequence[Condition], section: str | None = None, cache: Cache | None = None
) -> tuple[str, ...]:
    """The fewest conditions that no valid case meets together, each quoted, in words.

    With ``section``, the first conditions are that section's own, and are marked so.
    It tries the smallest sets first, at most :data:`CONFLICT_TRIES` of them
    (a set whose search is past its limit counts as no conflict); past that,
    every condition is named.
    """
    inherited = len(kb.sections[section].applies_when) if section else 0
    marked = [
        f"'{describe(c, kb)}'" + (f" (the condition of section {section})" if i < inherited else "")
        for i, c in enumerate(conditions)
    ]
    combos = (
        c for size in range(1, len(conditions)) for c in itertools.combinations(range(len(conditions)), size)
    )
    for combo in itertools.islice(combos, CONFLICT_TRIES):
        try:
            none = witness(kb, tuple(conditions[i] for i in combo), cache)[0] is None
        except SearchTooBig:
            continue
        if none:
            return tuple(marked[i] for i in combo)
    return tuple(marked)


def rule_reach(kb: KnowledgeBase, rule_id: str, cache: Cache | None = None) -> Reach:
    """Reachability of one recommendation rule, confirmed by the engine."""
    rule = kb.rules[rule_id]
    conditions = kb.conditions_of(rule)
    try:
        space, case = witness(kb, conditions, cache)
    except SearchTooBig:
        return Reach(rule.id, "rule", rule.origin, None, explored=False)
    if space is None or case is None:
        found = conflict(kb, conditions, rule.section, cache)
        return Reach(rule.id, "rule", rule.origin, None, conflict=found)
    example = space.case(case)
    fired = rule.id in recommend(example, kb).fired_rules
    return Reach(rule.id, "rule", rule.origin, example, fired)


def finding_reach(kb: KnowledgeBase, finding_id: str, cache: Cache | None = None) -> Reach:
    """Reachability of one finding's rule, confirmed by the engine."""
    finding = kb.findings[finding_id]
    rule = finding.rule
    try:
        space, case = witness(kb, rule.when, cache)
    except SearchTooBig:
        return Reach(rule.id, "finding", rule.origin, None, explored=False)
    if space is None or case is None:
        return Reach(rule.id, "finding", rule.origin, None, conflict=conflict(kb, rule.when, cache=cache))
    example = space.case(case)
    derived = {use.finding for use in recommend(example, kb).findings}
    return Reach(rule.id, "finding", rule.origin, example, finding_id in derived)


def reachability(
    kb: KnowledgeBase, advance: Callable[[int], None] | None = None, cache: Cache | None = None
) -> tuple[Reach, ...]:
    """Every finding's rule, then every recommendation rule, in the knowledge base's order."""
    out = []
    for finding_id in kb.findings:
        out.append(finding_reach(kb, finding_id, cache))
        if advance:
            advance(1)
    for rule_id in kb.rules:
        out.append(rule_reach(kb, rule_id, cache))
        if advance:
            advance(1)
    return tuple(out)
