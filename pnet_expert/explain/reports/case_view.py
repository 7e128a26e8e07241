"""What a case report shows, worked out once for every format (Markdown, HTML, notebooks).

The templates only lay this out; they decide nothing. So the Markdown and the
HTML report of a case always hold the same parts: the notice, the case facts
(unknown ones named as unknown), the options by strength with their reasoning
unfolded from rule to findings to case facts (and any caution an option
carries), the cautions, the silences, the rules of the case's sections that
did not fire and why, the gaps, a diagram, and the knowledge base's identity.
Text here is raw: each template escapes it for its own format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from pnet_expert._version import __version__
from pnet_expert.core.logic import Truth
from pnet_expert.core.words import value_text
from pnet_expert.explain.reports.graph import Graph, Step, case_graph, dot_available
from pnet_expert.reasoning.checks import unknown_text

if TYPE_CHECKING:
    from pnet_expert.core.schema import KnowledgeBase
    from pnet_expert.explain.consultation import Consultation, FindingUse, Option, Reason
    from pnet_expert.reasoning.cautions import Caution
    from pnet_expert.reasoning.checks import ConditionCheck, RuleCheck
    from pnet_expert.reasoning.gaps import Gap
    from pnet_expert.reasoning.silences import Silence

MARKS = {Truth.TRUE: "met", Truth.FALSE: "not met", Truth.UNKNOWN: "unknown"}


@attrs.frozen
class Pair:
    """A fact and its value, in words: ``spread`` = ``[liver]``."""

    name: str
    value: str


@attrs.frozen
class FactRow:
    """One row of the case table; ``value`` is None when the case does not state the fact."""

    id: str
    label: str
    value: str | None

    @property
    def known(self) -> bool:
        """Whether the case states this fact."""
        return self.value is not None


@attrs.frozen
class TreatmentRef:
    """A treatment named in a report: its id and its plain words."""

    id: str
    label: str


@attrs.frozen
class Qualifier:
    """A qualifier of an option, what it means in the source, and the rules that give it."""

    id: str
    meaning: str
    rules: tuple[str, ...] = ()


@attrs.frozen
class ConditionLine:
    """One condition of a rule on this case: met, not met or unknown, and what the case says."""

    mark: str
    text: str
    detail: str


@attrs.frozen
class FindingStep:
    """A finding a rule used, unfolded: the finding rule that derived it and the facts it came from."""

    finding: str
    label: str
    attributes: str
    rule: str
    facts: tuple[Pair, ...]


@attrs.frozen
class ReasonView:
    """One rule that offered an option: the source's words and the reasoning down to the case facts."""

    rule: str
    section: str
    strength: str
    qualifiers: tuple[str, ...]
    alternatives: tuple[TreatmentRef, ...]
    quote: str
    sub_bullets: tuple[str, ...]
    reading: str | None
    conditions: tuple[ConditionLine, ...]
    stated: tuple[Pair, ...]
    findings: tuple[FindingStep, ...]


@attrs.frozen
class OptionReport:
    """All a case report shows of one option: qualifiers, alternatives and every reason that offers it."""

    id: str
    label: str
    strength: str
    qualifiers: tuple[Qualifier, ...]
    alternatives: tuple[TreatmentRef, ...]
    rules: tuple[str, ...]
    reasons: tuple[ReasonView, ...]
    alternatives_by: tuple[str, ...] = ()
    """The rules that give the option as an alternative (the others offer it plainly)."""
    cautions: tuple[Caution, ...] = ()


@attrs.frozen
class OptionGroup:
    """The options of one strength ("usually" first)."""

    strength: str
    label: str
    meaning: str
    options: tuple[OptionReport, ...]


@attrs.frozen
class OfferView:
    """What a rule that did not fire would have offered; ``offered`` when another rule offers it anyway."""

    id: str
    label: str
    qualifiers: tuple[str, ...]
    offered: bool


@attrs.frozen
class NotFired:
    """A rule of the case's sections that did not fire, and the conditions that failed or were unknown.

    ``waiting`` is true when nothing failed: the rule waits on facts the case
    does not state (unknown is not false).
    """

    rule: str
    strength: str
    offers: tuple[OfferView, ...]
    quote: str
    waiting: bool
    unknown_facts: tuple[str, ...]
    conditions: tuple[ConditionLine, ...]

    @property
    def status(self) -> str:
        """Why it did not fire, in a few words."""
        if self.waiting:
            return "waiting on facts the case does not state (" + ", ".join(self.unknown_facts) + ")"
        return "a condition is not met"


@attrs.frozen
class SectionChecks:
    """One section that applies to the case: the rules that fired and those that did not."""

    id: str
    title: str
    fired: tuple[str, ...]
    not_fired: tuple[NotFired, ...]


@attrs.frozen
class Diagram:
    """A reasoning diagram in every form a report may use.

    ``svg`` is None when Graphviz's ``dot`` is not on the machine (or was not
    asked for); ``steps`` say the same as the picture, in words.
    """

    mermaid: str
    svg: str | None
    steps: tuple[Step, ...]

    @classmethod
    def of(cls, graph: Graph, svg: bool, id_prefix: str = "g") -> Diagram:
        """Draw a graph: Mermaid text always, SVG when asked for and ``dot`` is there."""
        picture = graph.to_svg(id_prefix) if svg and dot_available() else None
        return cls(graph.to_mermaid(), picture, graph.steps())


@attrs.frozen
class About:
    """The knowledge base and source every report names."""

    name: str
    version: str
    source_title: str
    publisher: str
    source_section: str
    last_modified: str
    disclaimer: str
    generator: str

    @classmethod
    def of(cls, kb: KnowledgeBase) -> About:
        """The identity of a knowledge base, as reports show it."""
        return cls(
            kb.name,
            kb.version,
            kb.source.title,
            kb.source.publisher,
            kb.source.section,
            kb.source.last_modified,
            kb.disclaimer,
            f"pnet_expert {__version__}",
        )


@attrs.frozen
class CaseReport:
    """Everything a case report shows, in the order it shows it."""

    heading: str
    case_id: str | None
    title: str | None
    description: str | None
    notes: str | None
    tumor_type: str
    facts: tuple[FactRow, ...]
    groups: tuple[OptionGroup, ...]
    option_count: int
    sections: tuple[SectionChecks, ...]
    gaps: tuple[Gap, ...]
    fired_rules: tuple[str, ...]
    diagram: Diagram
    about: About
    cautions: tuple[Caution, ...] = ()
    silences: tuple[Silence, ...] = ()

    @property
    def unknown(self) -> tuple[FactRow, ...]:
        """The facts the case does not state."""
        return tuple(f for f in self.facts if not f.known)


def case_report(c: Consultation, svg: bool = True) -> CaseReport:
    """Work out a case report from a consultation; ``svg`` asks Graphviz for the picture."""
    kb = c.kb
    meta = dict(c.patient.meta)
    name = meta.get("title") or meta.get("id")
    heading = f"Treatment options: {name}" if name else f"Treatment options: a case of {c.patient.tumor_type}"
    facts = tuple(
        FactRow(spec.id, spec.label, _value(c, spec.id) if c.patient.is_known(spec.id) else None)
        for spec in kb.facts.values()
    )
    checks: dict[str, RuleCheck] = {}

    def check(rule_id: str) -> RuleCheck:
        if rule_id not in checks:
            checks[rule_id] = c.rule_check(rule_id)
        return checks[rule_id]

    groups = []
    for strength in kb.strengths:
        options = tuple(
            _option(kb, o, check, c.cautions_on(o.id)) for o in c.treatments if o.strength == strength.id
        )
        if options:
            groups.append(OptionGroup(strength.id, strength.label, strength.meaning, options))
    return CaseReport(
        heading=heading,
        case_id=meta.get("id"),
        title=meta.get("title"),
        description=meta.get("description"),
        notes=meta.get("notes"),
        tumor_type=c.patient.tumor_type,
        facts=facts,
        groups=tuple(groups),
        option_count=len(c.treatments),
        sections=_sections(c),
        gaps=c.gap_details,
        fired_rules=c.fired_rules,
        diagram=Diagram.of(case_graph(c), svg, "case"),
        about=About.of(kb),
        cautions=c.cautions,
        silences=c.silences,
    )


def _option(
    kb: KnowledgeBase, option: Option, check: Callable[[str], RuleCheck], cautions: tuple[Caution, ...]
) -> OptionReport:
    """One option; each qualifier and alternative names the rules that give it (others offer it plainly)."""
    meanings = {q.id: q.meaning for q in kb.qualifiers}
    alternatives = dict.fromkeys(a for r in option.because for a in r.alternatives)
    qualifiers = tuple(
        Qualifier(q, meanings.get(q, q), tuple(r.rule for r in option.because if q in r.qualifiers))
        for q in option.qualifiers
    )
    return OptionReport(
        option.id,
        option.label,
        option.strength,
        qualifiers,
        tuple(treatment_ref(kb, a) for a in alternatives),
        option.rules,
        tuple(_reason(kb, r, check(r.rule)) for r in option.because),
        alternatives_by=tuple(r.rule for r in option.because if r.alternatives),
        cautions=cautions,
    )


def _reason(kb: KnowledgeBase, reason: Reason, check: RuleCheck) -> ReasonView:
    return ReasonView(
        rule=reason.rule,
        section=kb.sections[reason.section].title,
        strength=reason.strength,
        qualifiers=reason.qualifiers,
        alternatives=tuple(treatment_ref(kb, a) for a in reason.alternatives),
        quote=reason.quote,
        sub_bullets=reason.sub_bullets,
        reading=reason.reading,
        conditions=tuple(_line(cc) for cc in check.conditions),
        stated=_pairs(reason.own_facts),
        findings=tuple(_finding(u) for u in reason.findings),
    )


def _finding(use: FindingUse) -> FindingStep:
    attributes = ", ".join(f"{k} {value_text(v)}" for k, v in use.attributes.items())
    return FindingStep(use.finding, use.label, attributes, use.rule, _pairs(use.facts))


def _sections(c: Consultation) -> tuple[SectionChecks, ...]:
    """The case's type section and the general sections, each rule of them checked."""
    kb = c.kb
    offered = {o.id for o in c.treatments}
    by_section: dict[str, list[RuleCheck]] = {}
    for rc in c.section_checks():
        by_section.setdefault(rc.rule.section, []).append(rc)
    out = []
    for section_id, rule_checks in by_section.items():
        section = kb.sections[section_id]
        given = len(section.applies_when)
        not_fired = []
        for rc in rule_checks:
            if rc.fired:
                continue
            # The section's own condition holds for every rule here; show it only when it does not.
            lines = [
                _line(cc) for i, cc in enumerate(rc.conditions) if i >= given or cc.truth is not Truth.TRUE
            ]
            offers = tuple(
                OfferView(o.treatment, kb.treatments[o.treatment].label, o.qualifiers, o.treatment in offered)
                for o in rc.rule.offers
            )
            not_fired.append(
                NotFired(
                    rc.rule.id,
                    rc.rule.strength,
                    offers,
                    rc.rule.quote,
                    not rc.failed,
                    tuple(unknown_text(kb, c.patient, u) for u in rc.unknown_facts),
                    tuple(lines),
                )
            )
        fired = tuple(rc.rule.id for rc in rule_checks if rc.fired)
        out.append(SectionChecks(section.id, section.title, fired, tuple(not_fired)))
    return tuple(out)


def _value(c: Consultation, fact: str) -> str:
    return value_text(c.patient.get(fact))


def _line(cc: ConditionCheck) -> ConditionLine:
    return ConditionLine(MARKS[cc.truth], cc.text, cc.detail)


def _pairs(facts: Mapping[str, Any]) -> tuple[Pair, ...]:
    return tuple(Pair(name, value_text(value)) for name, value in facts.items())


def treatment_ref(kb: KnowledgeBase, treatment_id: str) -> TreatmentRef:
    """A treatment by id and label (the id itself when the knowledge base does not declare it)."""
    spec = kb.treatments.get(treatment_id)
    return TreatmentRef(treatment_id, spec.label if spec else treatment_id)
