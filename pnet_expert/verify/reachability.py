"""Reachability: every rule fires on some valid case, and here is the smallest such case.

For each recommendation rule (and each finding's rule) the verifier walks the
cases over the facts the rule reads, fewest known facts first, and stops at
the first valid case on which the rule's whole condition (its section's too)
holds. The engine is then run on that case to confirm that it fires the rule.
A rule with no such case can never fire; the smallest set of its conditions
that no valid case meets together is named, so the author sees the
contradiction (``tumor_type is gastrinoma`` and ``tumor_type is insulinoma``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.schema import Condition, KnowledgeBase
from pnet_expert.core.space import witness
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

    @property
    def reachable(self) -> bool:
        """Some valid case fires it."""
        return self.example is not None

    def issues(self) -> tuple[Diagnostic, ...]:
        """An error when it can never fire, or when the engine disagrees with the logic."""
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


def conflict(
    kb: KnowledgeBase, conditions: Sequence[Condition], section: str | None = None
) -> tuple[str, ...]:
    """The fewest conditions that no valid case meets together, each quoted, in words.

    With ``section``, the first conditions are that section's own, and are marked so.
    """
    inherited = len(kb.sections[section].applies_when) if section else 0
    marked = [
        f"'{describe(c, kb)}'" + (f" (the condition of section {section})" if i < inherited else "")
        for i, c in enumerate(conditions)
    ]
    for size in range(1, len(conditions) + 1):
        for combo in itertools.combinations(range(len(conditions)), size):
            if witness(kb, tuple(conditions[i] for i in combo))[0] is None:
                return tuple(marked[i] for i in combo)
    return tuple(marked)  # pragma: no cover - the whole set conflicts, or it would have a witness


def rule_reach(kb: KnowledgeBase, rule_id: str) -> Reach:
    """Reachability of one recommendation rule, confirmed by the engine."""
    rule = kb.rules[rule_id]
    conditions = kb.conditions_of(rule)
    space, case = witness(kb, conditions)
    if space is None or case is None:
        return Reach(rule.id, "rule", rule.origin, None, conflict=conflict(kb, conditions, rule.section))
    example = space.case(case)
    fired = rule.id in recommend(example, kb).fired_rules
    return Reach(rule.id, "rule", rule.origin, example, fired)


def finding_reach(kb: KnowledgeBase, finding_id: str) -> Reach:
    """Reachability of one finding's rule, confirmed by the engine."""
    finding = kb.findings[finding_id]
    rule = finding.rule
    space, case = witness(kb, rule.when)
    if space is None or case is None:
        return Reach(rule.id, "finding", rule.origin, None, conflict=conflict(kb, rule.when))
    example = space.case(case)
    derived = {use.finding for use in recommend(example, kb).findings}
    return Reach(rule.id, "finding", rule.origin, example, finding_id in derived)


def reachability(kb: KnowledgeBase, advance: Callable[[int], None] | None = None) -> tuple[Reach, ...]:
    """Every finding's rule, then every recommendation rule, in the knowledge base's order."""
    out = []
    for finding_id in kb.findings:
        out.append(finding_reach(kb, finding_id))
        if advance:
            advance(1)
    for rule_id in kb.rules:
        out.append(rule_reach(kb, rule_id))
        if advance:
            advance(1)
    return tuple(out)
