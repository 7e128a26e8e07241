"""An option as a consultation shows it, and the one policy that makes it from the rules that offer it.

Several rules may offer one treatment. The option then has the strongest of
their strengths (the first in the vocabulary's order) and the union of their
qualifiers (in the vocabulary's order): :func:`strength_and_qualifiers`. The
consultation makes its options with it (``explain/build.py``), and ``kb diff``
makes the options before and after an edit with it (:func:`option_summary`)
from the rules the logic says fire, so that the two always agree. ``kb check``'s
subsumption reads offers the same way (a rule adds nothing when another offers
as strongly, with its qualifiers).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from pnet_expert.core.schema import KnowledgeBase, RuleSpec


@attrs.frozen
class OptionSummary:
    """An option in brief: the treatment, its strength and its qualifiers (no reasons)."""

    treatment: str
    strength: str
    qualifiers: tuple[str, ...] = ()

    @property
    def details(self) -> str:
        """'may include' or 'may include; rare'."""
        return "; ".join((self.strength, *self.qualifiers))

    def brief(self, plain_strength: str = "may include") -> str:
        """The treatment, with its strength only when it is not the plain one, and its qualifiers."""
        parts = [p for p in (self.strength, *self.qualifiers) if p != plain_strength]
        return f"{self.treatment} ({'; '.join(parts)})" if parts else self.treatment

    def __str__(self) -> str:
        return f"{self.treatment} ({self.details})"


def strength_and_qualifiers(
    kb: KnowledgeBase, strengths: Iterable[str], qualifiers: Iterable[str]
) -> tuple[str, tuple[str, ...]]:
    """An option's strength and qualifiers from those of the rules that offer it (one rule or more).

    The strongest strength, and every qualifier once, in the vocabulary's
    order (the loader checks that each is declared). Plain iterables, not
    objects, because it runs for every option of every consultation.
    """
    ranks = kb.ranks
    strongest = min(strengths, key=ranks.strengths.__getitem__)
    return strongest, tuple(sorted(set(qualifiers), key=ranks.qualifiers.__getitem__))


def option_summary(kb: KnowledgeBase, treatment: str, rules: Iterable[RuleSpec]) -> OptionSummary | None:
    """The option for a treatment that these rules, firing, give; None when none of them offers it."""
    offers = [(rule.strength, offer) for rule in rules if (offer := rule.offers_treatment(treatment))]
    if not offers:
        return None
    strength, qualifiers = strength_and_qualifiers(
        kb, (s for s, _ in offers), (q for _, offer in offers for q in offer.qualifiers)
    )
    return OptionSummary(treatment, strength, qualifiers)
