"""What a case report shows, worked out once for every format (Markdown, HTML, the web app).

The templates only lay this out; they decide nothing. So the Markdown and the
HTML report of a case always hold the same parts: the notice, the reasoning at
a glance (one line per rule that fired: facts, findings, rule, options), the
case facts (unknown ones named as unknown), the options by strength, each
naming the rules that offer it (and any caution it carries), the reasoning of
each rule that fired, *once*, unfolded from rule to findings to case facts
(options refer to it, so a rule that offers three options is explained once,
not three times), the findings derived, the cautions, the silences, the rules
of the case's sections that did not fire and why, the gaps, a diagram whose
nodes link to what they stand for, and the knowledge base's identity (a
modified copy says so in the notice at the top). Every reading of an unclear
passage that a reason, caution, gap or silence cites is shown in full there.
Text here is raw: each template escapes it for its own format.

Anchors are stable words: ``#fact-spread``, ``#finding-liver_metastases``,
``#rule-GAS-09``, ``#option-chemoembolization``, ``#not-fired-GAS-08``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from pnet_expert._version import __version__
from pnet_expert.core.logic import Truth
from pnet_expert.core.schema import FactTest, iter_tests
from pnet_expert.core.words import value_text
from pnet_expert.explain.reports.graph import Graph, Step, case_graph, dot_available
from pnet_expert.knowledge.identity import identify
from pnet_expert.reasoning.checks import unknown_text

if TYPE_CHECKING:
    from pnet_expert.core.schema import KnowledgeBase, ReadingSpec
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


@attrs.frozen(kw_only=True)
class RuleReasoning:
    """A rule that fired, as a report explains it: the source's words and the reasoning down to the
    case facts (what a rule's block and an option's reason both show)."""

    rule: str
    section: str
    strength: str
    quote: str
    sub_bullets: tuple[str, ...]
    readings: tuple[ReadingSpec, ...]
    """The readings of unclear passages that bear on the rule or the findings it used, in full."""
    conditions: tuple[ConditionLine, ...]
    stated: tuple[Pair, ...]
    findings: tuple[FindingStep, ...]
    note: str | None = None


@attrs.frozen(kw_only=True)
class ReasonView(RuleReasoning):
    """One rule that offered an option: its reasoning, with that rule's qualifiers and alternatives."""

    qualifiers: tuple[str, ...]
    alternatives: tuple[TreatmentRef, ...]


@attrs.frozen
class RuleRef:
    """An option's pointer to a rule that offers it: the rule and, in a few words, what it matched."""

    rule: str
    why: str
    qualifiers: tuple[str, ...]


@attrs.frozen
class OptionReport:
    """All a case report shows of one option: qualifiers, alternatives and every reason that offers it.

    ``because`` points at the rules' blocks (the case report explains each rule
    once); ``reasons`` holds each reason unfolded (for views that show an
    option on its own, such as the web app's HOW).
    """

    id: str
    label: str
    strength: str
    qualifiers: tuple[Qualifier, ...]
    alternatives: tuple[TreatmentRef, ...]
    rules: tuple[str, ...]
    reasons: tuple[ReasonView, ...]
    because: tuple[RuleRef, ...] = ()
    alternatives_by: tuple[str, ...] = ()
    """The rules that give the option as an alternative (the others offer it plainly)."""
    cautions: tuple[Caution, ...] = ()


@attrs.frozen
class OfferRef:
    """One option a fired rule offers here, with that rule's qualifiers and alternatives for it."""

    id: str
    label: str
    qualifiers: tuple[str, ...]
    alternatives: tuple[TreatmentRef, ...]


@attrs.frozen(kw_only=True)
class RuleBlock(RuleReasoning):
    """One rule that fired, explained once: its reasoning, and what it offers here."""

    offers: tuple[OfferRef, ...]


@attrs.frozen
class ChainLine:
    """The reasoning at a glance, one rule that fired: its facts, its findings, the rule, its options."""

    facts: tuple[Pair, ...]
    findings: tuple[str, ...]
    rule: str
    offers: tuple[str, ...]


@attrs.frozen
class FindingRow:
    """A finding the case gave: the rule that derived it, from which facts, and the rules that used it."""

    finding: str
    label: str
    attributes: str
    rule: str
    facts: tuple[Pair, ...]
    used_by: tuple[str, ...]


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
    asked for); ``steps`` say the same as the picture, in words. ``name`` is
    the stem of the diagram's own SVG file, and ``file`` its address from the
    report when that file is written beside it (``report-diagrams/case.svg``).
    """

    mermaid: str
    svg: str | None
    steps: tuple[Step, ...]
    name: str = "diagram"
    file: str | None = None

    @classmethod
    def of(
        cls,
        graph: Graph,
        svg: bool,
        id_prefix: str = "g",
        links: Mapping[str, str] | None = None,
        files: str | None = None,
    ) -> Diagram:
        """Draw a graph: Mermaid text always, SVG when asked for and ``dot`` is there.

        ``links``: node id -> anchor of the page; ``files``: the folder (from the
        report) where the diagrams' own SVG files are written, if they are.
        """
        picture = graph.to_svg(id_prefix, links=links) if svg and dot_available() else None
        file = f"{files}/{id_prefix}.svg" if files and picture else None
        return cls(graph.to_mermaid(), picture, graph.steps(), id_prefix, file)


@attrs.frozen
class About:
    """The knowledge base and source every report names (from ``knowledge.identity.identify``).

    ``status`` says whether it is the bundled knowledge base, an unmodified copy,
    or a MODIFIED one (where, and how it differs); ``quotes`` whether its quotes
    are the source's words; ``summary`` all of it in one paragraph.
    """

    name: str
    version: str
    source_title: str
    publisher: str
    source_section: str
    last_modified: str
    disclaimer: str
    generator: str
    fingerprint: str = ""
    modified: bool = False
    status: str = "bundled"
    quotes: str = ""
    summary: str = ""
    edition: str = ""

    @classmethod
    def of(cls, kb: KnowledgeBase) -> About:
        """The identity of a knowledge base, as reports show it."""
        who = identify(kb)
        return cls(
            kb.name,
            kb.version,
            kb.source.title,
            kb.source.publisher,
            kb.source.section,
            kb.source.last_modified,
            kb.disclaimer,
            f"pnet_expert {__version__}",
            who.short_fingerprint,
            who.modified,
            who.status(),
            who.quotes_text(),
            who.line(),
            who.source_edition,
        )


@attrs.frozen
class CaseReport:
    """Everything a case report shows (the order of the page: chain, facts, options, rules, findings,
    not offered, gaps, diagram, about)."""

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
    rules: tuple[RuleBlock, ...] = ()
    chain: tuple[ChainLine, ...] = ()
    derived: tuple[FindingRow, ...] = ()
    cautions: tuple[Caution, ...] = ()
    silences: tuple[Silence, ...] = ()
    readings: Mapping[str, ReadingSpec] = attrs.field(factory=dict)
    """The readings of the knowledge base by id, for the cautions, gaps and silences that cite them."""

    @property
    def unknown(self) -> tuple[FactRow, ...]:
        """The facts the case does not state."""
        return tuple(f for f in self.facts if not f.known)

    @property
    def qualifiers(self) -> tuple[Qualifier, ...]:
        """Every qualifier of the options, once, with what it means in the source."""
        seen = {q.id: q for g in self.groups for o in g.options for q in o.qualifiers}
        return tuple(seen.values())

    def readings_for(self, ids: Iterable[str]) -> tuple[ReadingSpec, ...]:
        """The readings with these ids, each once, in the knowledge base's order."""
        wanted = set(ids)
        return tuple(r for r in self.readings.values() if r.id in wanted)

    @property
    def caution_readings(self) -> tuple[ReadingSpec, ...]:
        """The readings the cautions cite, in full once under them."""
        return self.readings_for(i for c in self.cautions for i in c.readings)

    @property
    def silence_readings(self) -> tuple[ReadingSpec, ...]:
        """The readings that explain the silences, in full once under them."""
        return self.readings_for(i for s in self.silences for i in s.readings)


def case_report(c: Consultation, svg: bool = True, files: str | None = None) -> CaseReport:
    """Work out a case report from a consultation; ``svg`` asks Graphviz for the picture.

    ``files``: the folder, beside the report, where the diagram's own SVG file is written.
    """
    kb = c.kb
    meta = dict(c.patient.meta)
    heading = f"Treatment options: {c.name}"  # its title or id, else "a case of" its type in words
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
        diagram=Diagram.of(case_graph(c), svg, "case", case_links(c), files),
        about=About.of(kb),
        rules=_rule_blocks(c, check),
        chain=_chain(c),
        derived=_derived(c),
        cautions=c.cautions,
        silences=c.silences,
        readings=kb.readings,
    )


def case_links(c: Consultation) -> dict[str, str]:
    """Each node of the case's diagram -> the anchor of the report that explains it."""
    links = {f"fact:{name}": f"#fact-{name}" for name in c.kb.facts}
    links.update({f"finding:{u.finding}": f"#finding-{u.finding}" for u in c.findings})
    links.update({f"rule:{r}": f"#rule-{r}" for r in c.fired_rules})
    links.update({f"treatment:{o.id}": f"#option-{o.id}" for o in c.treatments})
    return links


def _rule_blocks(c: Consultation, check: Callable[[str], RuleCheck]) -> tuple[RuleBlock, ...]:
    """Each rule that fired, once, with the options it offers here (in the options' order)."""
    kb = c.kb
    reasons: dict[str, list[tuple[Option, Reason]]] = {}
    for option in c.treatments:
        for reason in option.because:
            reasons.setdefault(reason.rule, []).append((option, reason))
    blocks = []
    for rule_id in c.fired_rules:
        offered = reasons.get(rule_id)
        if not offered:
            continue
        first = offered[0][1]
        offers = tuple(
            OfferRef(o.id, o.label, r.qualifiers, tuple(treatment_ref(kb, a) for a in r.alternatives))
            for o, r in offered
        )
        view = _reason(kb, first, check(rule_id))
        shared = {f.name: getattr(view, f.name) for f in attrs.fields(RuleReasoning)}
        blocks.append(RuleBlock(**shared, offers=offers))
    return tuple(blocks)


def _chain(c: Consultation) -> tuple[ChainLine, ...]:
    """One line per rule that fired: the facts it rests on (its findings' too), its findings, its offers."""
    lines = []
    for rule_id in c.fired_rules:
        offered = [(o, r) for o in c.treatments for r in o.because if r.rule == rule_id]
        if not offered:
            continue
        reason = offered[0][1]
        # The section's own facts (the type of tumor) are said once by the section, not on every line.
        section = c.kb.sections[reason.section]
        chosen = {t.fact for t in iter_tests(section.applies_when) if isinstance(t, FactTest)}
        facts = {k: v for k, v in reason.facts.items() if k not in chosen} or dict(reason.facts)
        lines.append(
            ChainLine(
                _pairs(facts),
                tuple(u.finding for u in reason.findings),
                rule_id,
                tuple(o.id for o, _ in offered),
            )
        )
    return tuple(lines)


def _derived(c: Consultation) -> tuple[FindingRow, ...]:
    """The findings the case gave, each once, with the fired rules that used it."""
    users: dict[str, list[str]] = {}
    for option in c.treatments:
        for reason in option.because:
            for use in reason.findings:
                if reason.rule not in users.setdefault(use.finding, []):
                    users[use.finding].append(reason.rule)
    rows = []
    for use in c.findings:
        step = _finding(use)
        used = tuple(r for r in c.fired_rules if r in users.get(use.finding, ()))
        rows.append(FindingRow(step.finding, step.label, step.attributes, step.rule, step.facts, used))
    return tuple(rows)


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
        tuple(RuleRef(r.rule, str(r).split(": ", 1)[1], r.qualifiers) for r in option.because),
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
        readings=kb.readings_of([*reason.readings, *(i for f in reason.findings for i in f.readings)]),
        conditions=tuple(_line(cc) for cc in check.conditions),
        stated=_pairs(reason.own_facts),
        findings=tuple(_finding(u) for u in reason.findings),
        note=reason.note,
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
