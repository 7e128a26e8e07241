"""What the knowledge-base report shows: the whole knowledge base, for a lecture.

Every rule by section with its conditions in plain words, its offers,
strength, quote and the readings that bear on it; the findings with the rules
that derive and use them; the cautions with their condition, the options and
rules they speak to and the rules they exempt; the readings of unclear
passages, each in full (the rules, findings and cautions cite them and link
there); the treatments with the rules that offer them; the facts with what
tests them; the constraints; a matrix of which rule of which section offers
which treatment (the whole knowledge base at a glance: a diagram of it all
would be a tangle); and, for each section, its diagram of facts → findings →
rules → treatments, whose nodes link to where the report explains them.
Worked out once; the Markdown and HTML templates only lay it out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from pnet_expert.core.schema import CountTest, FactTest, FindingTest, iter_tests
from pnet_expert.core.words import describe, value_text
from pnet_expert.explain.reports.case_view import About, Diagram, TreatmentRef, treatment_ref
from pnet_expert.explain.reports.graph import kb_graph
from pnet_expert.reasoning.cautions import caution_witnesses

if TYPE_CHECKING:
    from pnet_expert.core.schema import Condition, KnowledgeBase, ReadingSpec, RuleSpec

ALWAYS = "always (every case this section applies to)"


@attrs.frozen
class OfferLine:
    """One treatment a rule offers, with its qualifiers."""

    id: str
    label: str
    qualifiers: tuple[str, ...]


@attrs.frozen
class RuleView:
    """One recommendation rule as data, in words."""

    id: str
    strength: str
    conditions: tuple[str, ...]
    offers: tuple[OfferLine, ...]
    alternatives: tuple[tuple[TreatmentRef, ...], ...]
    quote: str
    sub_bullets: tuple[str, ...]
    readings: tuple[ReadingSpec, ...] = ()
    note: str | None = None


@attrs.frozen
class SectionView:
    """A section of the source: when it applies, and its rules."""

    id: str
    title: str
    heading: str
    kind: str
    applies: tuple[str, ...]
    rules: tuple[RuleView, ...]
    diagram: Diagram


@attrs.frozen
class FindingView:
    """A finding: the rule that derives it, from what, and the rules that use it."""

    id: str
    label: str
    rule: str
    conditions: tuple[str, ...]
    carries: tuple[str, ...]
    readings: tuple[ReadingSpec, ...]
    used_by: tuple[str, ...]


@attrs.frozen
class CautionView:
    """A caution: when it holds, the treatments it speaks to (and the rules whose offers it marks),
    the rules it exempts, its text and the readings that explain it."""

    id: str
    label: str
    conditions: tuple[str, ...]
    treatments: tuple[TreatmentRef, ...]
    rules: tuple[str, ...]
    exempt: tuple[str, ...]
    text: str
    readings: tuple[ReadingSpec, ...]


@attrs.frozen
class TreatmentView:
    """A treatment and the rules that offer it."""

    id: str
    label: str
    offered_by: tuple[str, ...]


@attrs.frozen
class FactView:
    """A case fact: its question, its values, and what tests it."""

    id: str
    kind: str
    label: str
    question: str
    help: str
    required: bool
    values: tuple[str, ...]
    used_by: tuple[str, ...]


@attrs.frozen
class ConstraintView:
    """A case the source cannot describe, rejected with this message."""

    id: str
    field: str
    message: str


@attrs.frozen
class Counted:
    """A kind of thing in the knowledge base, and how many there are."""

    name: str
    count: int


@attrs.frozen
class Meaning:
    """A strength or qualifier and what it means in the source."""

    id: str
    meaning: str


@attrs.frozen
class Offering:
    """A rule in a cell of the matrix: its id and its strength."""

    rule: str
    strength: str


@attrs.frozen
class MatrixRow:
    """One treatment across the sections: in each section, the rules that offer it."""

    id: str
    label: str
    cells: tuple[tuple[Offering, ...], ...]


@attrs.frozen
class Matrix:
    """Treatments (rows) by sections (columns): which rules offer what, the knowledge base at a glance."""

    sections: tuple[SectionView, ...]
    rows: tuple[MatrixRow, ...]
    strong: str
    """The strongest strength ("usually"), shown in bold."""


@attrs.frozen
class KbReport:
    """Everything the knowledge-base report shows, in the order it shows it."""

    heading: str
    counts: tuple[Counted, ...]
    strengths: tuple[Meaning, ...]
    qualifiers: tuple[Meaning, ...]
    sections: tuple[SectionView, ...]
    findings: tuple[FindingView, ...]
    treatments: tuple[TreatmentView, ...]
    facts: tuple[FactView, ...]
    constraints: tuple[ConstraintView, ...]
    matrix: Matrix
    about: About
    cautions: tuple[CautionView, ...] = ()
    readings: tuple[ReadingSpec, ...] = ()
    """Every reading of an unclear passage, in full."""


def kb_links(kb: KnowledgeBase) -> dict[str, str]:
    """Each node a section's diagram may hold -> the anchor of the report that explains it."""
    links = {f"fact:{f}": f"#fact-{f}" for f in kb.facts}
    links.update({f"finding:{f}": f"#finding-{f}" for f in kb.findings})
    links.update({f"rule:{r}": f"#rule-{r}" for r in kb.rules})
    links.update({f"treatment:{t}": f"#treatment-{t}" for t in kb.treatments})
    return links


def kb_report(kb: KnowledgeBase, svg: bool = True, files: str | None = None) -> KbReport:
    """Work out the knowledge-base report; ``svg`` asks Graphviz for the pictures.

    ``files``: the folder, beside the report, where each section's diagram is written as its own SVG.
    """
    links = kb_links(kb)
    sections = tuple(
        SectionView(
            s.id,
            s.title,
            s.heading,
            s.kind,
            _words(kb, s.applies_when),
            tuple(_rule(kb, kb.rules[r]) for r in s.rules),
            Diagram.of(kb_graph(kb, s.id, section_conditions=False), svg, f"section-{s.id}", links, files),
        )
        for s in kb.sections.values()
    )
    findings = tuple(
        FindingView(
            f.id,
            f.label,
            f.rule.id,
            _words(kb, f.rule.when),
            f.attributes,
            kb.readings_of(f.readings),
            (
                *(g.rule.id for g in kb.findings.values() if f.id in _tested(g.rule.when, "finding")),
                *(r.id for r in kb.rules.values() if f.id in _tested(kb.conditions_of(r), "finding")),
            ),
        )
        for f in kb.findings.values()
    )
    treatments = tuple(
        TreatmentView(t.id, t.label, tuple(r.id for r in kb.rules_offering(t.id)))
        for t in kb.treatments.values()
    )
    return KbReport(
        heading=f"The knowledge base: {kb.name} {kb.version}",
        counts=(
            Counted("sections", len(kb.sections)),
            Counted("rules", len(kb.rules)),
            Counted("findings", len(kb.findings)),
            Counted("treatments", len(kb.treatments)),
            Counted("case facts", len(kb.facts)),
            Counted("caution" if len(kb.cautions) == 1 else "cautions", len(kb.cautions)),
            Counted("reading" if len(kb.readings) == 1 else "readings", len(kb.readings)),
        ),
        strengths=tuple(Meaning(s.id, s.meaning) for s in kb.strengths),
        qualifiers=tuple(Meaning(q.id, q.meaning) for q in kb.qualifiers),
        sections=sections,
        findings=findings,
        treatments=treatments,
        facts=_facts(kb),
        constraints=tuple(ConstraintView(c.id, c.field, c.message) for c in kb.constraints),
        matrix=_matrix(kb, sections),
        about=About.of(kb),
        cautions=tuple(
            CautionView(
                c.id,
                c.label,
                _words(kb, c.when),
                tuple(treatment_ref(kb, t) for t in c.treatments),
                tuple(rule for rule, _ in caution_witnesses(kb, c)),
                c.exempt,
                c.text,
                kb.readings_of(c.readings),
            )
            for c in kb.cautions
        ),
        readings=tuple(kb.readings.values()),
    )


def _matrix(kb: KnowledgeBase, sections: tuple[SectionView, ...]) -> Matrix:
    """Each treatment by section: the rules of that section that offer it, in the knowledge base's order."""
    rows = []
    for treatment in kb.treatments.values():
        offering = kb.rules_offering(treatment.id)
        cells = tuple(
            tuple(Offering(r.id, r.strength) for r in offering if r.section == s.id) for s in sections
        )
        rows.append(MatrixRow(treatment.id, treatment.label, cells))
    return Matrix(sections, tuple(rows), kb.strengths[0].id)


def _rule(kb: KnowledgeBase, rule: RuleSpec) -> RuleView:
    return RuleView(
        rule.id,
        rule.strength,
        _words(kb, rule.when) or (ALWAYS,),
        tuple(
            OfferLine(o.treatment, treatment_ref(kb, o.treatment).label, o.qualifiers) for o in rule.offers
        ),
        tuple(tuple(treatment_ref(kb, t) for t in group) for group in rule.alternatives),
        rule.quote,
        rule.sub_bullets,
        kb.readings_of(rule.readings),
        rule.note,
    )


def _facts(kb: KnowledgeBase) -> tuple[FactView, ...]:
    """Each fact with the sections, findings and rules that test it directly."""
    out = []
    for spec in kb.facts.values():
        users = [
            s.title + " section" for s in kb.sections.values() if spec.id in _tested(s.applies_when, "fact")
        ]
        users += [f.rule.id for f in kb.findings.values() if spec.id in _tested(f.rule.when, "fact")]
        users += [r.id for r in kb.rules.values() if spec.id in _tested(r.when, "fact")]
        if spec.kind == "records":
            values = tuple(f"{f.id}: " + ", ".join(f.value_ids) for f in spec.fields)
        else:
            values = tuple(value_text(v) for v in spec.value_ids)
        out.append(
            FactView(
                spec.id, spec.kind, spec.label, spec.question, spec.help, spec.required, values, tuple(users)
            )
        )
    return tuple(out)


def _words(kb: KnowledgeBase, conditions: tuple[Condition, ...]) -> tuple[str, ...]:
    return tuple(describe(c, kb) for c in conditions)


def _tested(conditions: tuple[Condition, ...], kind: str) -> set[str]:
    """The facts (kind "fact") or findings (kind "finding") a list of conditions tests."""
    names: set[str] = set()
    for test in iter_tests(conditions):
        if kind == "fact" and isinstance(test, FactTest | CountTest):
            names.add(test.fact)
        elif kind == "finding" and isinstance(test, FindingTest):
            names.add(test.finding)
    return names
