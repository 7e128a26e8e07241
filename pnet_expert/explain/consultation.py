"""The result of a consultation: every option, each with its reasons, and the gaps.

Built from the engine's firings. A reason names the rule that offered the
option, its section, strength, qualifiers and quote, the findings it matched
(each with the rule that derived it and the facts it came from) and every case
fact it rests on. Nothing here depends on the order in which rules fired:
options, reasons, findings and facts are all sorted by the knowledge base's
own order.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

import attrs

from pnet_expert.core.case import FactValue, Patient, Tumor
from pnet_expert.core.errors import InputError, did_you_mean
from pnet_expert.core.logic import Evaluator
from pnet_expert.core.schema import KnowledgeBase, RuleSpec
from pnet_expert.engine.session import FindingKey, Firing
from pnet_expert.reasoning.checks import RuleCheck, check_rule
from pnet_expert.reasoning.gaps import Gap, find_gaps

PlainFacts = Mapping[str, Any]
FactGroup = tuple[tuple[str, Any], ...]


@attrs.frozen
class FindingUse:
    """A finding a rule matched: the rule that derived it and the case facts it came from."""

    finding: str
    label: str
    rule: str
    attributes: Mapping[str, str]
    facts: PlainFacts

    def to_dict(self) -> dict[str, Any]:
        """SPEC §6: finding, rule, facts (and the attributes it carries)."""
        out: dict[str, Any] = {
            "finding": self.finding,
            "rule": self.rule,
            "facts": dict(self.facts),
        }
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        return out


@attrs.frozen
class Reason:
    """One rule that offered an option, and everything it rested on."""

    rule: str
    section: str
    strength: str
    qualifiers: tuple[str, ...]
    alternatives: tuple[str, ...]
    quote: str
    sub_bullets: tuple[str, ...]
    reading: str | None
    facts: PlainFacts
    own_facts: PlainFacts
    findings: tuple[FindingUse, ...]

    def to_dict(self) -> dict[str, Any]:
        """SPEC §6 ``because`` entry (with the extra keys alternative_to, sub_bullets, reading)."""
        return {
            "rule": self.rule,
            "section": self.section,
            "strength": self.strength,
            "qualifiers": list(self.qualifiers),
            "alternatives": bool(self.alternatives),
            "alternative_to": list(self.alternatives),
            "quote": self.quote,
            "sub_bullets": list(self.sub_bullets),
            "reading": self.reading,
            "facts": dict(self.facts),
            "findings": [f.to_dict() for f in self.findings],
        }


@attrs.frozen
class Option:
    """A treatment the source offers for the case, with every reason that offers it."""

    id: str
    label: str
    strength: str
    qualifiers: tuple[str, ...]
    because: tuple[Reason, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        """The ids of the rules that offer it."""
        return tuple(r.rule for r in self.because)

    def to_dict(self) -> dict[str, Any]:
        """SPEC §6 ``treatments`` entry."""
        return {
            "id": self.id,
            "label": self.label,
            "strength": self.strength,
            "qualifiers": list(self.qualifiers),
            "because": [r.to_dict() for r in self.because],
        }


@attrs.frozen
class Consultation:
    """What the source offers for one case, and why. See :func:`pnet_expert.recommend`."""

    kb: KnowledgeBase = attrs.field(repr=False, eq=False)
    patient: Patient
    treatments: tuple[Option, ...]
    fired_rules: tuple[str, ...]
    findings: tuple[FindingUse, ...]
    gap_details: tuple[Gap, ...]

    @property
    def options(self) -> tuple[Option, ...]:
        """The options (alias of ``treatments``)."""
        return self.treatments

    @property
    def gaps(self) -> tuple[str, ...]:
        """In words: when the case's own type section offered nothing, and what it would need."""
        return tuple(g.text for g in self.gap_details)

    @property
    def disclaimer(self) -> str:
        """Options, never advice: shown with every output."""
        return self.kb.disclaimer

    @property
    def unknown_facts(self) -> tuple[str, ...]:
        """The facts of the knowledge base that this case does not state."""
        known = {name for name, _ in self.patient.known}
        return tuple(f for f in self.kb.facts if f not in known)

    def option(self, treatment_id: str) -> Option | None:
        """The option for a treatment, or None when it is not offered (the id is checked)."""
        self._check_treatment(treatment_id)
        return next((o for o in self.treatments if o.id == treatment_id), None)

    def is_offered(self, treatment_id: str) -> bool:
        """Whether the source offers this treatment for the case."""
        return self.option(treatment_id) is not None

    @cached_property
    def _evaluator(self) -> Evaluator:
        return Evaluator(self.kb, self.patient)

    @cached_property
    def _rule_checks(self) -> dict[str, RuleCheck]:
        return {}

    def rule_check(self, rule_id: str) -> RuleCheck:
        """One rule on this case: fired or not, and each condition's outcome (worked out once)."""
        found = self._rule_checks.get(rule_id)
        if found is not None:
            return found
        rule = self.kb.rules.get(rule_id)
        if rule is None:
            problem = f"{rule_id!r} is not a rule{did_you_mean(rule_id, self.kb.rules)}"
            raise InputError(field="rule", problem=problem)
        found = check_rule(self.kb, self._evaluator, rule, rule_id in self.fired_rules)
        self._rule_checks[rule_id] = found
        return found

    def why_not_checks(self, treatment_id: str) -> tuple[RuleCheck, ...]:
        """Every rule that could offer a treatment, checked on this case."""
        self._check_treatment(treatment_id)
        return tuple(self.rule_check(r.id) for r in self.kb.rules_offering(treatment_id))

    def section_checks(self) -> tuple[RuleCheck, ...]:
        """Every rule of the sections that apply to this case's type, checked."""
        section = self.kb.type_section_for(self.patient.tumor_type)
        ids = [s.id for s in self.kb.sections.values() if s.kind == "general" or s is section]
        return tuple(self.rule_check(r.id) for r in self.kb.rules.values() if r.section in ids)

    def explain(self, treatment_id: str) -> str:
        """HOW: why a treatment is offered, unfolded from rule to findings to case facts."""
        from pnet_expert.explain.text import explain_text

        return explain_text(self, treatment_id)

    def why_not(self, treatment_id: str) -> str:
        """WHY NOT: each rule that could offer a treatment, and which conditions failed or were unknown."""
        from pnet_expert.explain.text import why_not_text

        return why_not_text(self, treatment_id)

    def to_text(self) -> str:
        """The options grouped by strength, a short reason each, then the disclaimer."""
        from pnet_expert.explain.text import consultation_text

        return consultation_text(self)

    def to_markdown(self) -> str:
        """The consultation as a Markdown report."""
        from pnet_expert.explain.reports.render import markdown

        return markdown(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self, standalone: bool = True) -> str:
        """The consultation as an HTML report: one self-contained page (no scripts, no network).

        With ``standalone=False``, only the report's element (with its scoped
        style), to sit inside another page such as a notebook.
        """
        from pnet_expert.explain.reports.render import html

        return html(self, standalone=standalone)

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of SPEC §6 (plus findings, unknown facts and the disclaimer)."""
        return {
            "case": self.patient.to_dict(),
            "knowledge_base": self.kb.about(),
            "treatments": [o.to_dict() for o in self.treatments],
            "fired_rules": list(self.fired_rules),
            "gaps": list(self.gaps),
            "gap_details": [g.to_dict() for g in self.gap_details],
            "findings": [f.to_dict() for f in self.findings],
            "unknown_facts": list(self.unknown_facts),
            "disclaimer": self.disclaimer,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """``to_dict`` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def _check_treatment(self, treatment_id: str) -> None:
        if treatment_id not in self.kb.treatments:
            problem = (
                f"{treatment_id!r} is not a treatment id{did_you_mean(treatment_id, self.kb.treatments)}; "
                f"the treatments are: {', '.join(self.kb.treatments)}"
            )
            raise InputError(field="treatment", problem=problem)


# ---------------------------------------------------------------- building


def build(kb: KnowledgeBase, patient: Patient, firings: Iterable[Firing]) -> Consultation:
    """Assemble a consultation from the engine's firings on a case.

    It runs once per consultation, so what depends on the knowledge base only
    (its orders, each rule's offers) is looked up in :class:`_Orders`, made once
    per knowledge base, rather than searched for in lists on every case.
    """
    orders = _orders(kb)
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
        )
        for key in derivations
    }
    reasons: dict[str, list[Reason]] = {}
    for rule_id in sorted(by_rule, key=orders.rule_rank.__getitem__):
        rule = kb.rules[rule_id]
        fired = by_rule[rule_id]
        keys = sorted({k for f in fired for k in f.findings}, key=orders.finding_key)
        uses = tuple(finding_uses[k] for k in keys)
        own = plain.merge(f.facts for f in fired)
        everything = plain.merge([*(f.facts for f in fired), *(g for k in keys for g in facts_of(k))])
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
                    reading=rule.reading,
                    facts=everything,
                    own_facts=own,
                    findings=uses,
                )
            )
    strength_rank = orders.strength_rank.__getitem__
    options = []
    for treatment_id, label in orders.treatments:
        because = reasons.get(treatment_id)
        if not because:
            continue
        strength = min((r.strength for r in because), key=strength_rank)
        ordered = sorted({q for r in because for q in r.qualifiers}, key=orders.qualifier_rank.__getitem__)
        options.append(Option(treatment_id, label, strength, tuple(ordered), tuple(because)))
    options.sort(key=lambda o: strength_rank(o.strength))
    fired_rules = tuple(sorted(by_rule))
    derived = tuple(finding_uses[k] for k in sorted(finding_uses, key=orders.finding_key))
    consultation = Consultation(kb, patient, tuple(options), fired_rules, derived, ())
    gaps = find_gaps(consultation)
    return attrs.evolve(consultation, gap_details=gaps) if gaps else consultation


class _Orders:
    """What build() needs of a knowledge base, as lookups: its orders, labels and each rule's offers."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.rule_rank = {rule_id: i for i, rule_id in enumerate(kb.rules)}
        self.finding_rank = {finding_id: i for i, finding_id in enumerate(kb.findings)}
        self.finding_label = {f.id: f.label for f in kb.findings.values()}
        self.finding_rule = {f.id: f.rule.id for f in kb.findings.values()}
        self.strength_rank = {s.id: i for i, s in enumerate(kb.strengths)}
        self.qualifier_rank = {q.id: i for i, q in enumerate(kb.qualifiers)}
        self.treatments = tuple((t.id, t.label) for t in kb.treatments.values())
        self.fact_kinds = {f.id: f.kind for f in kb.facts.values()}
        self.fact_rank = {fact_id: i for i, fact_id in enumerate(kb.facts)}
        self.offers = {rule.id: _offers(rule) for rule in kb.rules.values()}

    def finding_key(self, key: FindingKey) -> tuple[int, tuple[tuple[str, str], ...]]:
        """Findings sort in the knowledge base's order, then by their attributes."""
        return (self.finding_rank[key[0]], key[1])


def _offers(rule: RuleSpec) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """A rule's offers: (treatment, its qualifiers, the treatments it is an alternative to)."""
    return tuple((o.treatment, o.qualifiers, rule.alternatives_of(o.treatment)) for o in rule.offers)


_orders_of: weakref.WeakKeyDictionary[KnowledgeBase, _Orders] = weakref.WeakKeyDictionary()


def _orders(kb: KnowledgeBase) -> _Orders:
    """The lookups of a knowledge base, made on first use (a race makes them twice, harmlessly)."""
    found = _orders_of.get(kb)
    if found is None:
        found = _orders_of[kb] = _Orders(kb)
    return found


class _Plain:
    """Merges firing facts and turns them into plain JSON-ready values in the case's order."""

    def __init__(self, patient: Patient, orders: _Orders) -> None:
        self.kinds = orders.fact_kinds
        self.rank = orders.fact_rank
        self.facts = dict(patient.known)

    def merge(self, groups: Iterable[Iterable[tuple[str, Any]]]) -> dict[str, Any]:
        """Union of several firings' facts: sets and records merged, in the knowledge base's fact order."""
        merged: dict[str, Any] = {}
        for group in groups:
            for name, value in group:
                if isinstance(value, tuple):
                    merged[name] = tuple(merged.get(name, ())) + value
                else:
                    merged[name] = value
        return {name: self._plain(name, merged[name]) for name in sorted(merged, key=self.rank.__getitem__)}

    def _plain(self, name: str, value: Any) -> Any:
        whole: FactValue | None = self.facts.get(name)
        kind = self.kinds[name]
        if kind == "records":
            assert isinstance(whole, tuple)
            records = [whole[i] for i in sorted(set(value))]
            return [r.to_dict() for r in records if isinstance(r, Tumor)]
        if kind == "set":
            assert isinstance(whole, tuple)
            return [v for v in whole if v in value]
        return value
