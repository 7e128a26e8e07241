"""Assemble a consultation, complete, from the engine's firings on a case.

The options and their reasons come from the firings; the gaps from the rule
checks of the case's own section; the cautions from the knowledge base's
cautions on the options offered; the silences from the facts the case states
that no fired rule used. Everything is worked out before the
:class:`~pnet_expert.explain.consultation.Consultation` is made, once. Nothing
depends on the order in which rules fired: options, reasons, findings and facts
are sorted by the knowledge base's own order.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from pnet_expert.core.case import FactValue, Patient, Record
from pnet_expert.core.options import strength_and_qualifiers
from pnet_expert.core.schema import KnowledgeBase, RuleSpec
from pnet_expert.engine.session import FindingKey, Firing
from pnet_expert.explain.consultation import Consultation, FactGroup, FindingUse, Option, Reason
from pnet_expert.reasoning.cautions import find_cautions
from pnet_expert.reasoning.checks import RuleChecks
from pnet_expert.reasoning.gaps import find_gaps
from pnet_expert.reasoning.relevance import Trials
from pnet_expert.reasoning.silences import find_silences


def build(kb: KnowledgeBase, patient: Patient, firings: Iterable[Firing]) -> Consultation:
    """Assemble a consultation from the engine's firings on a case.

    It runs once per consultation, so what depends on the knowledge base only
    (its orders, in ``kb.ranks``; labels and each rule's offers, in
    :class:`_Lookups`) is made once per knowledge base, rather than searched
    for in lists on every case.
    """
    ranks = kb.ranks
    orders = _lookups(kb)
    derivations: dict[FindingKey, list[Firing]] = {}
    by_rule: dict[str, list[Firing]] = {}
    for f in firings:
        if f.derived is not None:
            derivations.setdefault(f.derived, []).append(f)
        else:
            by_rule.setdefault(f.rule_id, []).append(f)

    plain = _Plain(patient, orders)
    support: dict[FindingKey, list[FactGroup]] = {}

    def facts_of(key: FindingKey) -> list[FactGroup]:
        """The fact groups a finding rests on, through any findings it chained on."""
        if key not in support:
            support[key] = []
            groups = [f.facts for f in derivations[key]]
            groups += [g for f in derivations[key] for k in f.findings for g in facts_of(k)]
            support[key] = groups
        return support[key]

    finding_uses = {
        key: FindingUse(
            key[0],
            orders.finding_label[key[0]],
            orders.finding_rule[key[0]],
            dict(key[1]),
            plain.merge(facts_of(key)),
            orders.finding_readings[key[0]],
        )
        for key in derivations
    }
    reasons: dict[str, list[Reason]] = {}
    used: set[str] = set()
    for rule_id in sorted(by_rule, key=ranks.rules.__getitem__):
        rule = kb.rules[rule_id]
        fired = by_rule[rule_id]
        keys = sorted({k for f in fired for k in f.findings}, key=orders.finding_key)
        uses = tuple(finding_uses[k] for k in keys)
        own = plain.merge(f.facts for f in fired)
        everything = plain.merge([*(f.facts for f in fired), *(g for k in keys for g in facts_of(k))])
        used.update(everything)
        for treatment, qualifiers, alternatives in orders.offers[rule_id]:
            reasons.setdefault(treatment, []).append(
                Reason(
                    rule=rule_id,
                    section=rule.section,
                    strength=rule.strength,
                    qualifiers=qualifiers,
                    alternatives=alternatives,
                    quote=rule.quote,
                    sub_bullets=rule.sub_bullets,
                    reading=orders.reading_text[rule_id],
                    facts=everything,
                    own_facts=own,
                    findings=uses,
                    readings=rule.readings,
                    note=rule.note,
                )
            )
    options = []
    for treatment_id, label in orders.treatments:
        because = reasons.get(treatment_id)
        if not because:
            continue
        strength, qualifiers = strength_and_qualifiers(
            kb, (r.strength for r in because), (q for r in because for q in r.qualifiers)
        )
        options.append(Option(treatment_id, label, strength, qualifiers, tuple(because)))
    options.sort(key=lambda o: ranks.strengths[o.strength])
    fired_rules = tuple(sorted(by_rule))
    derived = tuple(finding_uses[k] for k in sorted(finding_uses, key=orders.finding_key))
    checks = RuleChecks(kb, patient, fired_rules)
    trials: Trials = {}  # the answers tried for this case: the gaps' and the silences' alike
    gaps = find_gaps(kb, patient, fired_rules, checks, trials)
    cautions = find_cautions(checks.evaluator, ((o.id, o.rules) for o in options))
    silences = find_silences(kb, patient, checks.evaluator, used, trials)
    return Consultation(
        kb,
        patient,
        tuple(options),
        fired_rules,
        derived,
        gaps,
        checks=checks,
        cautions=cautions,
        silences=silences,
    )


class _Lookups:
    """What build() needs of a knowledge base besides its ranks: labels, kinds and each rule's offers."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.finding_rank = kb.ranks.findings
        self.finding_label = {f.id: f.label for f in kb.findings.values()}
        self.finding_rule = {f.id: f.rule.id for f in kb.findings.values()}
        self.finding_readings = {f.id: f.readings for f in kb.findings.values()}
        self.reading_text = {rule.id: kb.readings_text(rule.readings) for rule in kb.rules.values()}
        self.treatments = tuple((t.id, t.label) for t in kb.treatments.values())
        self.fact_kinds = {f.id: f.kind for f in kb.facts.values()}
        self.fact_rank = kb.ranks.facts
        self.offers = {rule.id: _offers(rule) for rule in kb.rules.values()}

    def finding_key(self, key: FindingKey) -> tuple[int, tuple[tuple[str, str], ...]]:
        """Findings sort in the knowledge base's order, then by their attributes."""
        return (self.finding_rank[key[0]], key[1])


def _offers(rule: RuleSpec) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """A rule's offers: (treatment, its qualifiers, the treatments it is an alternative to)."""
    return tuple((o.treatment, o.qualifiers, rule.alternatives_of(o.treatment)) for o in rule.offers)


_lookups_of: weakref.WeakKeyDictionary[KnowledgeBase, _Lookups] = weakref.WeakKeyDictionary()


def _lookups(kb: KnowledgeBase) -> _Lookups:
    """The lookups of a knowledge base, made on first use (a race makes them twice, harmlessly)."""
    found = _lookups_of.get(kb)
    if found is None:
        found = _lookups_of[kb] = _Lookups(kb)
    return found


class _Plain:
    """Merges firing facts and turns them into plain JSON-ready values in the case's order."""

    def __init__(self, patient: Patient, orders: _Lookups) -> None:
        self.kinds = orders.fact_kinds
        self.rank = orders.fact_rank
        self.facts = dict(patient.known)

    def merge(self, groups: Iterable[Iterable[tuple[str, Any]]]) -> dict[str, Any]:
        """Union of several firings' facts: sets and records merged, in the knowledge base's fact order."""
        merged: dict[str, Any] = {}
        for group in groups:
            for name, value in group:
                if isinstance(value, tuple):  # set members or record indices: gathered once each (linear)
                    gathered = merged.get(name)
                    if not isinstance(gathered, dict):
                        gathered = merged[name] = {}
                    gathered.update(dict.fromkeys(value))
                else:
                    merged[name] = value
        return {name: self._plain(name, merged[name]) for name in sorted(merged, key=self.rank.__getitem__)}

    def _plain(self, name: str, value: Any) -> Any:
        whole: FactValue | None = self.facts.get(name)
        kind = self.kinds[name]
        if kind == "records":
            assert isinstance(whole, tuple)
            records = [whole[i] for i in sorted(value)]
            return [r.to_dict() for r in records if isinstance(r, Record)]
        if kind == "set":
            assert isinstance(whole, tuple)
            return [v for v in whole if v in value]
        return value
