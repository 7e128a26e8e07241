"""Cautions: each one can be raised by some valid case, and the engine's consultation raises it there.

A caution (``cautions.yaml``, reading RD-09) that is well formed has loaded (its
condition, treatments and exempt rules are checked by the loader). Here it is
checked for use: some valid case must hold its condition while a rule it does
not exempt fires and offers one of its treatments; otherwise it can never be
raised, which is an error, as a rule that never fires is. The smallest such
case, over every rule the caution can mark, is run through ``recommend`` to
confirm that the consultation carries the caution there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.limits import exceeded
from pnet_expert.core.schema import CautionSpec, KnowledgeBase
from pnet_expert.explain.recommend import recommend
from pnet_expert.reasoning.cautions import caution_witnesses
from pnet_expert.verify.words import case_inline


@attrs.frozen
class CautionReach:
    """Whether a caution is raised by some valid case: the rules whose offers it can mark, and the
    smallest case that raises it (None when none does), confirmed by a consultation."""

    caution: str
    origin: Origin
    rules: tuple[str, ...]
    example: dict[str, Any] | None
    confirmed: bool = False
    undecided: tuple[str, ...] = ()
    """The rules for which the search went past its budget (an edited knowledge base): not decided."""

    @property
    def reachable(self) -> bool:
        """Some valid case raises it."""
        return self.example is not None

    def issues(self) -> tuple[Diagnostic, ...]:
        """An error when it can never be raised, or when the consultation disagrees with the logic."""
        if self.example is None and self.undecided:
            message = (
                "whether it can be raised was not decided: the cases of "
                f"{', '.join(self.undecided)} with its condition are too many to search "
                f"({exceeded('check_search')})"
            )
            return (Diagnostic(codes.CHECK_CAUTION_UNEXPLORED, self.caution, message, origin=self.origin),)
        if self.example is None:
            message = (
                "can never be raised: no valid case meets its condition while a rule it does not exempt "
                "fires and offers one of its treatments"
            )
            return (Diagnostic(codes.CHECK_CAUTION_NEVER_RAISED, self.caution, message, origin=self.origin),)
        if not self.confirmed:
            message = (
                f"the logic says {case_inline(self.example)} raises it, but the consultation carries no such "
                "caution (a bug in pnet_expert: please report it)"
            )
            return (Diagnostic(codes.CHECK_CAUTION_NOT_RAISED, self.caution, message, origin=self.origin),)
        return ()


def caution_reach(kb: KnowledgeBase, caution: CautionSpec) -> CautionReach:
    """One caution's reach, its smallest example confirmed by a consultation."""
    undecided: list[str] = []
    found = caution_witnesses(kb, caution, undecided)
    if not found:
        return CautionReach(caution.id, caution.origin, (), None, undecided=tuple(undecided))
    examples = [(rule, space.case(case), len(case)) for rule, (space, case) in found]
    rule, example, _ = min(examples, key=lambda e: e[2])  # fewest known facts; the first of those
    offered = kb.rules[rule].offers
    raised = {(c.id, c.treatment) for c in recommend(example, kb).cautions}
    confirmed = any((caution.id, o.treatment) in raised for o in offered)
    rules = tuple(r for r, _ in found)
    return CautionReach(caution.id, caution.origin, rules, example, confirmed, tuple(undecided))


def caution_reachability(
    kb: KnowledgeBase, advance: Callable[[int], None] | None = None
) -> tuple[CautionReach, ...]:
    """Every caution of the knowledge base, in its order."""
    out = []
    for caution in kb.cautions:
        out.append(caution_reach(kb, caution))
        if advance:
            advance(1)
    return tuple(out)
