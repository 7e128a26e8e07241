"""Subsumed and redundant rules: a rule that another rule always backs up, offer for offer.

Rule A is **subsumed** by rule B when every valid case on which A fires also
fires B (unknown facts included: a case on which A holds while B waits on an
unknown fact is a counterexample), and B offers every treatment A offers, at
least as strongly and with at least A's qualifiers. Removing A would then
change no case's options. Two rules that subsume each other are
**equivalent**.

The source sometimes says a thing twice: "radiofrequency ablation or
cryosurgical ablation, if the tumor cannot be removed by surgery" (INS-06)
and, in the next bullet, ablation "for tumors that cannot be removed by
surgery" (INS-07). The rules keep both, so that every bullet is cited and a
student sees both passages. Such a pair (the subsumed rule quotes words of its
own) is reported as information; a subsumed rule that cites only words the
other rule already cites adds nothing, and is an error.

A pair whose cases are past the search's budget is not decided: it is left
out, and the rule is reported once, with the rules it was not compared with
(``CHECK-W405``, a warning).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from pnet_expert.core import codes, limits
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.logic import Truth
from pnet_expert.core.schema import KnowledgeBase, RuleSpec
from pnet_expert.core.space import Assignment, Cache, CaseSpace, SearchTooBig, facts_of, witness
from pnet_expert.verify.quotes import normalize


@attrs.frozen
class Subsumption:
    """Rule ``rule`` is subsumed by rule ``by`` (or the two are ``equivalent``)."""

    rule: str
    by: str
    origin: Origin
    offers: tuple[str, ...]
    equivalent: bool
    own_words: bool

    def issues(self) -> tuple[Diagnostic, ...]:
        """An error unless the subsumed rule cites words of its own (the source says it twice)."""
        offered = ", ".join(self.offers)
        if self.equivalent:
            claim = (
                f"equivalent to {self.by}: each fires exactly when the other does, and they offer the same "
                f"({offered})"
            )
        else:
            claim = (
                f"subsumed by {self.by}: whenever it fires, {self.by} fires too and offers {offered} as well"
            )
        if self.own_words:
            message = (
                f"{claim}; kept because it cites a passage of its own (the source says it twice), "
                "so every bullet stays cited"
            )
            code = codes.CHECK_EQUIVALENT_SAID_TWICE if self.equivalent else codes.CHECK_SUBSUMED_SAID_TWICE
            return (Diagnostic(code, self.rule, message, origin=self.origin),)
        message = (
            f"{claim}, citing the same words of the source; it adds nothing: remove it or change what it says"
        )
        code = codes.CHECK_EQUIVALENT if self.equivalent else codes.CHECK_SUBSUMED
        return (Diagnostic(code, self.rule, message, origin=self.origin),)


def offers_included(kb: KnowledgeBase, a: RuleSpec, b: RuleSpec) -> bool:
    """B offers every treatment A offers, at least as strongly, with at least A's qualifiers.

    That is what a consultation shows of an option (its strongest strength and
    the union of its qualifiers: :func:`~pnet_expert.core.options.option_summary`),
    so without A no option would change.
    """
    if kb.strength_rank(b.strength) > kb.strength_rank(a.strength):
        return False
    for offer in a.offers:
        other = b.offers_treatment(offer.treatment)
        if other is None or not set(offer.qualifiers) <= set(other.qualifiers):
            return False
    return True


def implies(kb: KnowledgeBase, a: RuleSpec, b: RuleSpec, cache: Cache | None = None) -> bool:
    """Every valid case on which A's whole condition holds is one on which B's holds too.

    Raises :class:`~pnet_expert.core.space.SearchTooBig` past the search's budget.
    """
    conditions_a, conditions_b = kb.conditions_of(a), kb.conditions_of(b)
    space = CaseSpace([kb], facts_of(kb, conditions_a + conditions_b), cache=cache)

    def keep(case: Assignment) -> bool:
        # A rule's truth is worked out on the case cut down to the facts it reads, once per cut case.
        if space.evaluator(case) is None or space.rule_truth(case, a) is Truth.FALSE:
            return False
        return space.rule_truth(case, b) is not Truth.TRUE

    cases = space.by_known_count(keep, len(conditions_a) + len(conditions_b) + 1)
    return not any(space.rule_truth(case, a) is Truth.TRUE for case in cases)


def _undecided(kb: KnowledgeBase, rule_id: str, others: list[str]) -> Diagnostic:
    listed = ", ".join(others[:8]) + (f" and {len(others) - 8:,} more" if len(others) > 8 else "")
    message = (
        f"whether {listed} back{'s' if len(others) == 1 else ''} it up was not decided: the cases are too "
        f"many to search ({limits.exceeded('check_search')})"
    )
    rule = kb.rules[rule_id]
    return Diagnostic(codes.CHECK_SUBSUMPTION_UNEXPLORED, rule_id, message, origin=rule.origin)


def own_words(a: RuleSpec, b: RuleSpec) -> bool:
    """A cites some words (its quote or a sub-bullet) that B's quote and sub-bullets do not hold."""
    passage = normalize(" ".join((b.quote, *b.sub_bullets)))
    return any(normalize(text) not in passage for text in (a.quote, *a.sub_bullets))


def candidates(kb: KnowledgeBase) -> list[tuple[RuleSpec, RuleSpec]]:
    """The ordered pairs (A, B) in which B offers all A offers: only these can be subsumptions."""
    rules = list(kb.rules.values())
    return [(a, b) for a in rules for b in rules if a is not b and offers_included(kb, a, b)]


def subsumptions(
    kb: KnowledgeBase,
    advance: Callable[[int], None] | None = None,
    pairs: list[tuple[RuleSpec, RuleSpec]] | None = None,
    cache: Cache | None = None,
    notes: list[Diagnostic] | None = None,
) -> tuple[Subsumption, ...]:
    """Every subsumed rule, and every pair of equivalent rules (reported once), in KB order.

    ``pairs`` are the candidates (from :func:`candidates`), when the caller has them already.
    Pairs past the search's budget are left out, and noted in ``notes`` (one warning per rule).
    """
    found: dict[tuple[str, str], bool] = {}
    fires: dict[str, bool | None] = {}
    undecided: dict[str, list[str]] = {}
    for a, b in candidates(kb) if pairs is None else pairs:
        try:
            if a.id not in fires:
                fires[a.id] = None
                fires[a.id] = witness(kb, kb.conditions_of(a), cache)[0] is not None
            # A rule that never fires implies anything; reachability reports it, not this check.
            if fires[a.id] is not None:
                found[(a.id, b.id)] = bool(fires[a.id]) and implies(kb, a, b, cache)
            else:
                undecided.setdefault(a.id, []).append(b.id)
        except SearchTooBig:
            undecided.setdefault(a.id, []).append(b.id)
        if advance:
            advance(1)
    if notes is not None:
        notes.extend(_undecided(kb, rule, others) for rule, others in undecided.items())
    out = []
    for (a_id, b_id), holds in found.items():
        if not holds:
            continue
        mutual = found.get((b_id, a_id), False)
        if mutual and kb.ranks.rules[b_id] < kb.ranks.rules[a_id]:
            continue  # reported from the other side
        a, b = kb.rules[a_id], kb.rules[b_id]
        offered = tuple(o.treatment for o in a.offers)
        words = own_words(a, b) and (not mutual or own_words(b, a))
        out.append(Subsumption(a.id, b.id, a.origin, offered, mutual, words))
    return tuple(out)
