"""Cautions: an option offered by a passage whose premise the case contradicts (reading RD-09).

Some passages offer surgery that removes the tumor without speaking of whether
it can be removed. When the case says it cannot, the option is still offered,
because the source offers it, but it carries a caution. What a caution says,
when it holds and which options and rules it speaks to are data
(``knowledge_base/cautions.yaml``, :class:`~pnet_expert.core.schema.CautionSpec`);
this module only evaluates them, in three values like every other condition:
a condition that is unknown raises no caution. A caution never changes which
options are offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from pnet_expert.core.logic import Evaluator, Truth
from pnet_expert.core.records import Record
from pnet_expert.core.schema import CautionSpec, KnowledgeBase

if TYPE_CHECKING:
    from pnet_expert.core.space import Assignment, CaseSpace


@attrs.frozen
class Caution:
    """One option that carries a caution: which caution, the rules it speaks to, the facts that raise it."""

    id: str
    label: str
    treatment: str
    rules: tuple[str, ...]
    facts: Mapping[str, Any]
    text: str
    readings: tuple[str, ...] = ()
    """The readings that explain the caution (ids; shown in full wherever they are cited)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's ``cautions`` entry: id, treatment, rules, facts, text (and its label
        and readings)."""
        return {
            "id": self.id,
            "treatment": self.treatment,
            "rules": list(self.rules),
            "facts": dict(self.facts),
            "text": self.text,
            "label": self.label,
            "readings": list(self.readings),
        }


def find_cautions(
    evaluator: Evaluator, offered: Iterable[tuple[str, tuple[str, ...]]]
) -> tuple[Caution, ...]:
    """The cautions of a case: for each caution of the knowledge base (in its order), each offered
    option it speaks to (in ``offered``'s order: each treatment with the rules that offer it).

    The condition is evaluated only when some option needs it, so a case with no
    such option pays nothing.
    """
    kb = evaluator.kb
    options = tuple(offered)
    out: list[Caution] = []
    for spec in kb.cautions:
        marked = [(t, cautioned) for t, rules in options if (cautioned := spec.rules_cautioned(t, rules))]
        if not marked:
            continue
        truth, outcomes = evaluator.all(spec.when)
        if truth is not Truth.TRUE:
            continue
        found: dict[str, Any] = {}
        for outcome in outcomes:
            found.update(outcome.facts)
        rank = kb.ranks.facts
        facts = {name: plain(found[name]) for name in sorted(found, key=rank.__getitem__)}
        out.extend(
            Caution(spec.id, spec.label, t, rules, facts, spec.text, spec.readings) for t, rules in marked
        )
    return tuple(out)


def plain(value: Any) -> Any:
    """A fact's value as JSON holds it: lists for sets and records, a record as a mapping."""
    if isinstance(value, tuple):
        return [v.to_dict() if isinstance(v, Record) else v for v in value]
    return value


def caution_witnesses(
    kb: KnowledgeBase, caution: CautionSpec, undecided: list[str] | None = None
) -> tuple[tuple[str, tuple[CaseSpace, Assignment]], ...]:
    """The rules whose offers a caution can mark, each with the smallest valid case on which it fires
    and the caution's condition holds (``core.space.witness``), in the knowledge base's order.

    A rule counts when it is not exempt and offers one of the caution's treatments,
    and some valid case fires it while the condition holds: INS-05 needs the tumor to
    be removable, so a caution on a tumor that cannot be removed never marks it. For
    the knowledge-base report and ``kb check``, not for consultations. A rule whose
    search goes past its budget (``check_search``) is left out, and added to ``undecided``.
    """
    from pnet_expert.core.space import SearchTooBig, witness

    out = []
    for rule in kb.rules.values():
        if not any(caution.rules_cautioned(o.treatment, (rule.id,)) for o in rule.offers):
            continue
        try:
            space, case = witness(kb, (*kb.conditions_of(rule), *caution.when))
        except SearchTooBig:  # past the search's budget (an edited knowledge base): not decided
            if undecided is not None:
                undecided.append(rule.id)
            continue
        if space is not None and case is not None:
            out.append((rule.id, (space, case)))
    return tuple(out)
