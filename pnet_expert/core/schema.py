"""The knowledge base as attrs objects: what the YAML files mean once loaded.

These classes hold knowledge, not behaviour: the loader builds them from
``knowledge_base/`` and checks them; the engine compiles them; the explanations
and reports read them. All are frozen. Where an object came from (file, line)
is kept in ``origin`` and ignored by equality, so that two knowledge bases with
the same knowledge compare equal wherever their text sits.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal, TypeAlias

import attrs

from pnet_expert.core.diagnostics import Origin
from pnet_expert.core.records import Record

FactKind = Literal["boolean", "choice", "set", "records"]
FACT_KINDS: tuple[FactKind, ...] = ("boolean", "choice", "set", "records")

FactOp = Literal["is", "in", "contains", "contains_any"]
FACT_OPS: tuple[FactOp, ...] = ("is", "in", "contains", "contains_any")

SectionKind = Literal["type", "general"]

Scalar: TypeAlias = bool | str


_NOWHERE = Origin("<memory>", 0)


def origin_field() -> Origin:
    """An ``origin`` attribute that equality and hashing ignore."""
    return attrs.field(default=_NOWHERE, eq=False, repr=False, kw_only=True)


@attrs.frozen
class ValueSpec:
    """One allowed value of a fact or field, with the words that describe it."""

    id: str
    label: str


@attrs.frozen
class FieldSpec:
    """One field of the records of a records fact (a tumor's site, or its size)."""

    id: str
    label: str
    question: str
    required: bool
    values: tuple[ValueSpec, ...]

    @property
    def value_ids(self) -> tuple[str, ...]:
        """The allowed values, in the knowledge base's order."""
        return tuple(v.id for v in self.values)

    def label_of(self, value: str) -> str:
        """The words for one value."""
        return next((v.label for v in self.values if v.id == value), value)


@attrs.frozen
class RecordWords:
    """A record of a records fact in words, as two templates: one record, and several alike.

    ``{field}`` stands for the words of that field's value (``{site}``: "the
    body of the pancreas") and is left out when the field is unknown: "{size}
    tumor in {site}" reads "small tumor in the body of the pancreas", or
    "tumor in the duodenum". The words come from facts.yaml, so that no Python
    names a field.
    """

    one: str
    several: str

    def fields(self) -> tuple[str, ...]:
        """The field ids the templates name, in order of first use."""
        names = (
            name for text in (self.one, self.several) for _, name, _, _ in string.Formatter().parse(text)
        )
        return tuple(dict.fromkeys(name for name in names if name is not None))


@attrs.frozen
class FactSpec:
    """A fact a case may state: its kind, its values, and how to ask for it."""

    id: str
    kind: FactKind
    label: str
    question: str
    help: str
    required: bool = False
    values: tuple[ValueSpec, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    words: RecordWords | None = None
    """For a records fact: its records in words (kb check, and naming an unknown field)."""
    origin: Origin = origin_field()

    @property
    def value_ids(self) -> tuple[Scalar, ...]:
        """The allowed values (true and false for a boolean)."""
        if self.kind == "boolean":
            return (True, False)
        return tuple(v.id for v in self.values)

    def label_of(self, value: Scalar) -> str:
        """The words for one value of this fact."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return next((v.label for v in self.values if v.id == value), value)

    def field(self, field_id: str) -> FieldSpec:
        """One field of a records fact."""
        return next(f for f in self.fields if f.id == field_id)


# ---------------------------------------------------------------- conditions
#
# A condition is a positive test on known values. A fact that is unknown
# meets no test, and no negated test either: there are no negated tests.


@attrs.frozen
class FactTest:
    """A test on one case fact: ``is``, ``in`` (choice/boolean) or ``contains``,
    ``contains_any`` (set)."""

    fact: str
    op: FactOp
    values: tuple[Scalar, ...]
    origin: Origin = origin_field()


Where: TypeAlias = tuple[tuple[str, tuple[str, ...]], ...]
"""Field constraints ``((field, allowed values), ...)``, sorted by field."""


@attrs.frozen
class CountTest:
    """A test on how many records of a records fact match ``where``.

    ``exactly`` or ``at_least`` says how many. ``carry`` copies fields of the
    one matching record into the finding (only with ``exactly: 1``).
    """

    fact: str
    where: Where
    exactly: int | None = None
    at_least: int | None = None
    carry: tuple[str, ...] = ()
    origin: Origin = origin_field()

    def matches(self, record: Record) -> bool | None:
        """Whether one record matches ``where``: None when a field it needs is unknown."""
        unknown = False
        for field, allowed in self.where:
            value = record.get(field)
            if value is None:
                unknown = True
            elif value not in allowed:
                return False
        return None if unknown else True


@attrs.frozen
class FindingTest:
    """A test that a finding holds, optionally with constraints on its attributes."""

    finding: str
    where: Where = ()
    origin: Origin = origin_field()


@attrs.frozen
class AnyOf:
    """A disjunction: met when one of its options is met."""

    options: tuple[Condition, ...]
    origin: Origin = origin_field()


Condition: TypeAlias = FactTest | CountTest | FindingTest | AnyOf


def branches(conditions: tuple[Condition, ...]) -> list[tuple[FactTest | CountTest | FindingTest, ...]]:
    """A conjunction of conditions in disjunctive normal form: one tuple of elementary tests per branch.

    The loader forbids ``any`` inside ``any``, so each option is an elementary test.
    """
    choices: list[tuple[FactTest | CountTest | FindingTest, ...]] = []
    for c in conditions:
        options = c.options if isinstance(c, AnyOf) else (c,)
        assert not any(isinstance(o, AnyOf) for o in options), "nested 'any' (the loader forbids it)"
        choices.append(options)  # type: ignore[arg-type]
    return [tuple(combo) for combo in itertools.product(*choices)]


def iter_tests(conditions: tuple[Condition, ...]) -> Iterator[FactTest | CountTest | FindingTest]:
    """Every elementary test in a list of conditions, disjunctions opened."""
    for condition in conditions:
        if isinstance(condition, AnyOf):
            yield from iter_tests(condition.options)
        else:
            yield condition


# ---------------------------------------------------------------- knowledge


@attrs.frozen
class ConstraintSpec:
    """A case the source cannot describe: rejected when ``if_`` holds and ``then`` is false."""

    id: str
    field: str
    if_: tuple[Condition, ...]
    then: Condition
    message: str
    origin: Origin = origin_field()


@attrs.frozen
class FindingRuleSpec:
    """The rule that derives one finding from case facts (and other findings)."""

    id: str
    finding: str
    when: tuple[Condition, ...]
    origin: Origin = origin_field()


@attrs.frozen
class FindingSpec:
    """A finding: a named conclusion about the case that rules chain on.

    ``readings`` are the ids of the readings (:class:`ReadingSpec`) that bear on
    it; ``note`` is a remark of its own, if any.
    """

    id: str
    label: str
    rule: FindingRuleSpec
    readings: tuple[str, ...] = ()
    note: str | None = None
    origin: Origin = origin_field()

    @property
    def attributes(self) -> tuple[str, ...]:
        """The record fields this finding carries (from the count it takes with ``carry``)."""
        return tuple(name for t in iter_tests(self.rule.when) if isinstance(t, CountTest) for name in t.carry)


@attrs.frozen
class TreatmentSpec:
    """A treatment the source names, in plain words."""

    id: str
    label: str
    origin: Origin = origin_field()


@attrs.frozen
class StrengthSpec:
    """How firmly the source offers an option: ``usually`` or ``may include``."""

    id: str
    label: str
    meaning: str


@attrs.frozen
class QualifierSpec:
    """A qualifier the source attaches to an option (``rare``, ``palliative``, ...)."""

    id: str
    meaning: str


@attrs.frozen
class Offer:
    """One treatment a rule offers, with its qualifiers."""

    treatment: str
    qualifiers: tuple[str, ...] = ()
    origin: Origin = origin_field()


@attrs.frozen
class RuleSpec:
    """A recommendation rule: one statement of the source, as data.

    ``readings`` are the ids of the readings of unclear passages
    (:class:`ReadingSpec`) that bear on it; ``note`` is a remark of its own.
    """

    id: str
    section: str
    when: tuple[Condition, ...]
    offers: tuple[Offer, ...]
    strength: str
    quote: str
    alternatives: tuple[tuple[str, ...], ...] = ()
    sub_bullets: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    note: str | None = None
    origin: Origin = origin_field()

    def offers_treatment(self, treatment: str) -> Offer | None:
        """The offer of one treatment by this rule, if it makes one."""
        return next((o for o in self.offers if o.treatment == treatment), None)

    def alternatives_of(self, treatment: str) -> tuple[str, ...]:
        """The treatments this rule gives as either/or alternatives to ``treatment``."""
        return tuple(
            other
            for group in self.alternatives
            if treatment in group
            for other in group
            if other != treatment
        )


@attrs.frozen
class CautionSpec:
    """A caution: the case contradicts the premise of options some passages offer
    without speaking of it.

    When ``when`` holds on a case and a rule that is not ``exempt`` offers one of
    ``treatments``, the option is still offered (the source offers it) but
    carries this caution, with its ``text``, in every output. A caution never
    changes which options are offered. ``exempt`` rules cite a passage that speaks
    of the condition itself (INS-02: "that cannot be removed by surgery");
    ``readings`` name the readings that say why, as a rule's do.
    """

    id: str
    label: str
    when: tuple[Condition, ...]
    treatments: tuple[str, ...]
    text: str
    exempt: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    note: str | None = None
    origin: Origin = origin_field()

    def rules_cautioned(self, treatment: str, rules: Iterable[str]) -> tuple[str, ...]:
        """Of the rules offering a treatment, those this caution speaks to (none for another treatment)."""
        if treatment not in self.treatments:
            return ()
        return tuple(r for r in rules if r not in self.exempt)


@attrs.frozen
class SectionSpec:
    """A section of the source: a tumor type's own section, or a general one."""

    id: str
    title: str
    heading: str
    kind: SectionKind
    applies_when: tuple[Condition, ...]
    rules: tuple[str, ...]
    origin: Origin = origin_field()


ReadingTopic = Literal["gaps", "silences"]
READING_TOPICS: tuple[ReadingTopic, ...] = ("gaps", "silences")


@attrs.frozen
class ReadingSpec:
    """A reading of an unclear passage of the source: how the knowledge base reads it, and why.

    ``passage`` holds the source's words, verbatim (``kb check`` verifies them);
    ``reading`` says how they are read, ``why`` why, ``other_reading`` the other
    way to read them and ``would_change`` what that would change; ``rules`` are
    the ids it bears on (recommendation rules, findings' rules, cautions,
    constraints), each of which (a constraint aside) cites it back. ``explains``
    names kinds of output it explains beside rules (the gaps, the silences).
    """

    id: str
    title: str
    passage: tuple[str, ...]
    reading: str
    why: str
    other_reading: str
    would_change: str
    rules: tuple[str, ...] = ()
    explains: tuple[ReadingTopic, ...] = ()
    origin: Origin = origin_field()

    def to_dict(self) -> dict[str, object]:
        """As JSON: every part, as every output that cites the reading shows it."""
        return {
            "id": self.id,
            "title": self.title,
            "passage": list(self.passage),
            "reading": self.reading,
            "why": self.why,
            "other_reading": self.other_reading,
            "would_change": self.would_change,
            "rules": list(self.rules),
            "explains": list(self.explains),
        }


@attrs.frozen
class SourceSpec:
    """The document the knowledge comes from: which one, which edition, and where its text is.

    ``file`` is the source text's path inside the knowledge base (None for a
    knowledge base that ships none), ``sha256`` the digest of the text it
    encodes; ``url`` and ``rights`` say where it came from and why it may be
    copied.
    """

    title: str
    publisher: str
    section: str
    last_modified: str
    edition: str | None = None
    file: str | None = None
    sha256: str | None = None
    url: str | None = None
    rights: str | None = None


@attrs.frozen
class Ranks:
    """Each id's place in the knowledge base's order (0 first; for strengths, 0 the strongest).

    Made once per knowledge base (:attr:`KnowledgeBase.ranks`): the explanation,
    the verifier and the reports sort by these and find "the strongest" by
    looking ranks up, not by searching the lists or building tables of their own.
    """

    strengths: Mapping[str, int]
    qualifiers: Mapping[str, int]
    facts: Mapping[str, int]
    findings: Mapping[str, int]
    rules: Mapping[str, int]
    treatments: Mapping[str, int]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Ranks:
        """The ranks of a knowledge base's strengths, qualifiers, facts, findings, rules and treatments."""

        def ranks(ids: Iterable[str]) -> dict[str, int]:
            return {item: i for i, item in enumerate(ids)}

        return cls(
            strengths=ranks(s.id for s in kb.strengths),
            qualifiers=ranks(q.id for q in kb.qualifiers),
            facts=ranks(kb.facts),
            findings=ranks(kb.findings),
            rules=ranks(kb.rules),
            treatments=ranks(kb.treatments),
        )


@attrs.frozen(eq=False)
class KnowledgeBase:
    """Everything the system knows, checked and cross-referenced.

    Equality is identity: a compiled engine is cached per knowledge base object.
    """

    name: str
    version: str
    source: SourceSpec
    disclaimer: str
    strengths: tuple[StrengthSpec, ...]
    qualifiers: tuple[QualifierSpec, ...]
    facts: Mapping[str, FactSpec]
    treatments: Mapping[str, TreatmentSpec]
    findings: Mapping[str, FindingSpec]
    sections: Mapping[str, SectionSpec]
    rules: Mapping[str, RuleSpec]
    constraints: tuple[ConstraintSpec, ...]
    root: str
    fingerprint: str
    cautions: tuple[CautionSpec, ...] = ()
    """The cautions of cautions.yaml, in the file's order."""
    readings: Mapping[str, ReadingSpec] = attrs.field(factory=dict)
    """The readings of unclear passages (readings.yaml), by id, in the file's order."""
    source_text: str | None = None
    """The text of the source file that source.yaml names (None when it names none)."""
    ranks: Ranks = attrs.field(init=False, repr=False)
    """Each id's place in the knowledge base's order, worked out once (see :class:`Ranks`)."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "ranks", Ranks.of(self))

    def conditions_of(self, rule: RuleSpec) -> tuple[Condition, ...]:
        """A rule's whole condition: its section's, then its own."""
        return self.sections[rule.section].applies_when + rule.when

    def type_section_for(self, tumor_type: object) -> SectionSpec | None:
        """The type section that applies to a tumor type, if any."""
        for section in self.sections.values():
            if section.kind != "type":
                continue
            for test in iter_tests(section.applies_when):
                if isinstance(test, FactTest) and tumor_type in test.values:
                    return section
        return None

    def strength_rank(self, strength: str) -> int:
        """0 for the strongest strength; reports list options in this order."""
        return self.ranks.strengths[strength]

    def rules_offering(self, treatment: str) -> tuple[RuleSpec, ...]:
        """Every rule that could offer a treatment, in knowledge base order."""
        return tuple(r for r in self.rules.values() if r.offers_treatment(treatment))

    def finding_rule(self, rule_id: str) -> FindingSpec | None:
        """The finding whose rule has this id, if any."""
        return next((f for f in self.findings.values() if f.rule.id == rule_id), None)

    def readings_of(self, ids: Iterable[str]) -> tuple[ReadingSpec, ...]:
        """The readings with these ids, in the knowledge base's order (ids it lacks are left out)."""
        wanted = set(ids)
        return tuple(r for r in self.readings.values() if r.id in wanted)

    def readings_text(self, ids: Iterable[str]) -> str | None:
        """The readings with these ids in one line ('RD-05 (title): how it reads. RD-07 ...'),
        or None for none: the short form, where the readings are shown in full beside it."""
        found = self.readings_of(ids)
        return " ".join(f"{r.id} ({r.title}): {r.reading}" for r in found) or None

    def readings_explaining(self, topic: ReadingTopic) -> tuple[ReadingSpec, ...]:
        """The readings that explain a kind of output (the gaps, the silences)."""
        return tuple(r for r in self.readings.values() if topic in r.explains)

    def about(self) -> dict[str, object]:
        """What the knowledge base's files say of it (the static part of its identity: see
        :mod:`pnet_expert.knowledge.identity` for what every output shows)."""
        return {
            "name": self.name,
            "version": self.version,
            "source": {
                "title": self.source.title,
                "publisher": self.source.publisher,
                "section": self.source.section,
                "last_modified": self.source.last_modified,
                "edition": self.source.edition,
                "file": self.source.file,
                "sha256": self.source.sha256,
                "url": self.source.url,
            },
        }
