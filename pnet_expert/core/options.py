"""An option as a consultation shows it, and the one policy that makes it from the rules that offer it.

Several rules may offer one treatment. The option then has the strongest of
their strengths (the first in the vocabulary's order) and the union of their
qualifiers (in the vocabulary's order). The consultation makes its options
with :func:`option_summary` (``explain/build.py``), and ``kb diff`` makes the
options before and after an edit with it from the rules the logic says fire,
so that the two always agree; ``kb check``'s subsumption reads offers the same
way (a rule adds nothing when another offers as strongly, with its qualifiers).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from pnet_expert.core.schema import KnowledgeBase


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


def option_summary(
    kb: KnowledgeBase, treatment: str, offers: Iterable[tuple[str, tuple[str, ...]]]
) -> OptionSummary | None:
    """The option for a treatment from each offering rule's strength and qualifiers; None when none offers it.

    The strongest strength, and every qualifier once, in the vocabulary's order
    (the loader checks that each is declared).
    """
    strengths: list[str] = []
    qualifiers: set[str] = set()
    for strength, offered in offers:
        strengths.append(strength)
        qualifiers.update(offered)
    if not strengths:
        return None
    ranks = kb.ranks
    strongest = min(strengths, key=ranks.strengths.__getitem__)
    return OptionSummary(treatment, strongest, tuple(sorted(qualifiers, key=ranks.qualifiers.__getitem__)))
