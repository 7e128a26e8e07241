"""Turn each knowledge-base file into spec objects (the shape of the data only).

Each file is a list of items (facts, treatments, findings, rules, ...). An
item's reader raises at its first problem, and the file goes on with the next
item (:meth:`~pnet_expert.knowledge.nodes.Reader.each`), so a load reports a
problem in every broken item at once, each with ``file:line:col`` and its path.
Whether names refer to something declared, and values lie in their domains,
is checked afterwards in :mod:`pnet_expert.knowledge.crosscheck`, once every
file has been read. Conditions are read by :mod:`pnet_expert.knowledge.conditions`.
"""

from __future__ import annotations

import functools
import re

import attrs
import yaml

from pnet_expert.core import codes
from pnet_expert.core.limits import KB_FIELDS, KB_SET_VALUES, KB_VALUES, exceeded
from pnet_expert.core.schema import (
    FACT_KINDS,
    READING_TOPICS,
    CautionSpec,
    ConstraintSpec,
    FactKind,
    FactSpec,
    FieldSpec,
    FindingRuleSpec,
    FindingSpec,
    Offer,
    QualifierSpec,
    ReadingSpec,
    RecordWords,
    RuleSpec,
    SectionKind,
    SectionSpec,
    SourceSpec,
    StrengthSpec,
    TreatmentSpec,
    ValueSpec,
)
from pnet_expert.knowledge.conditions import condition, conditions
from pnet_expert.knowledge.nodes import NAME, Reader

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
SOURCE_KEYS = ("title", "publisher", "section", "last_modified")
SOURCE_OPTIONAL = ("edition", "file", "sha256", "url", "rights")
SECTION_KINDS: tuple[SectionKind, ...] = ("type", "general")


@attrs.frozen
class SourceFile:
    """What source.yaml holds."""

    name: str
    version: str
    source: SourceSpec
    disclaimer: str
    sections: tuple[str, ...]


# ---------------------------------------------------------------- source.yaml, vocabulary.yaml


def source_file(r: Reader, root: yaml.Node | None) -> SourceFile:
    """source.yaml: the knowledge base's name and version, the source, the disclaimer."""
    top = r.mapping(root, "", required=("knowledge_base", "source", "sections", "disclaimer"))
    kb = r.mapping(top["knowledge_base"], "knowledge_base", required=("name", "version"))
    src = r.mapping(top["source"], "source", required=SOURCE_KEYS, optional=SOURCE_OPTIONAL)
    modified = r.text(src["last_modified"], "source.last_modified")
    if not DATE.match(modified):
        message = f"{modified!r} is not a date YYYY-MM-DD"
        raise r.invalid(src["last_modified"], codes.KB_BAD_DATE, "source.last_modified", message)
    optional = {key: r.text(src[key], f"source.{key}") if key in src else None for key in SOURCE_OPTIONAL}
    if optional["file"] is not None:
        optional["file"] = source_file_path(r, src["file"], optional["file"])
    digest = optional["sha256"]
    if digest is not None and not SHA256.match(digest):
        message = f"{digest!r} is not a SHA-256 digest (64 lower-case hexadecimal digits)"
        raise r.invalid(src["sha256"], codes.KB_WRONG_KIND, "source.sha256", message)
    source = SourceSpec(
        r.text(src["title"], "source.title"),
        r.text(src["publisher"], "source.publisher"),
        r.text(src["section"], "source.section"),
        modified,
        **optional,
    )
    return SourceFile(
        r.text(kb["name"], "knowledge_base.name"),
        r.text(kb["version"], "knowledge_base.version"),
        source,
        r.text(top["disclaimer"], "disclaimer"),
        tuple(str(s) for s in r.scalar_list(top["sections"], "sections")),
    )


def source_file_path(r: Reader, node: yaml.Node, path: str) -> str:
    """source.file: a relative path inside the knowledge base, with '/' between its parts."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(part in ("", ".", "..") for part in parts):
        message = f"{path!r} is not a path inside the knowledge base"
        hint = "a relative path with '/' between its parts, such as source/summary.md"
        raise r.invalid(node, codes.KB_SOURCE_FILE, "source.file", message, hint=hint)
    return path


def vocabulary_file(
    r: Reader, root: yaml.Node | None
) -> tuple[tuple[StrengthSpec, ...], tuple[QualifierSpec, ...]]:
    """vocabulary.yaml: the strengths (strongest first) and the qualifiers."""
    top = r.mapping(root, "", required=("strengths", "qualifiers"))
    return tuple(r.each(top["strengths"], "strengths", _strength)), tuple(
        r.each(top["qualifiers"], "qualifiers", _qualifier)
    )


def _strength(r: Reader, node: yaml.Node, where: str) -> StrengthSpec:
    m = r.mapping(node, where, required=("id", "label", "meaning"))
    return StrengthSpec(*(r.text(m[k], f"{where}.{k}") for k in ("id", "label", "meaning")))


def _qualifier(r: Reader, node: yaml.Node, where: str) -> QualifierSpec:
    m = r.mapping(node, where, required=("id", "meaning"))
    return QualifierSpec(r.text(m["id"], f"{where}.id"), r.text(m["meaning"], f"{where}.meaning"))


# ---------------------------------------------------------------- facts.yaml


def facts_file(r: Reader, root: yaml.Node | None) -> tuple[list[FactSpec], list[ConstraintSpec]]:
    """facts.yaml: the case facts and the constraints between them."""
    top = r.mapping(root, "", required=("facts",), optional=("constraints",))
    facts = r.each(top["facts"], "facts", fact_spec)
    constraints = r.each(top["constraints"], "constraints", constraint_spec) if "constraints" in top else []
    return facts, constraints


def fact_spec(r: Reader, node: yaml.Node, where: str) -> FactSpec:
    """One fact of facts.yaml."""
    m = r.mapping(
        node,
        where,
        required=("id", "kind", "label", "question", "help"),
        optional=("required", "values", "fields", "words"),
    )
    fid = r.name(m["id"], f"{where}.id")
    kind = r.word(m["kind"], f"{fid}.kind", FACT_KINDS)
    values = _kind_key(r, node, m, fid, kind, "values")
    fields = _kind_key(r, node, m, fid, kind, "fields")
    words = m.get("words")
    if words is not None and kind != "records":
        raise r.invalid(words, codes.KB_KIND_TAKES_NO_KEY, f"{fid}.words", f"a {kind} fact takes no 'words'")
    limit_id, limit = ("kb_set_values", KB_SET_VALUES) if kind == "set" else ("kb_values", KB_VALUES)
    field_specs = r.every(fields, f"{fid}.fields", field_spec) if fields is not None else ()
    if len(field_specs) > KB_FIELDS:
        message = exceeded("kb_fields", f"{len(field_specs)} fields")
        raise r.invalid(fields, codes.KB_PAST_LIMIT, f"{fid}.fields", message)
    return FactSpec(
        fid,
        kind,
        r.text(m["label"], f"{fid}.label"),
        r.text(m["question"], f"{fid}.question"),
        r.text(m["help"], f"{fid}.help"),
        r.boolean(m["required"], f"{fid}.required") if "required" in m else False,
        value_specs(r, values, f"{fid}.values", limit_id, limit) if values is not None else (),
        field_specs,
        record_words(r, words, f"{fid}.words") if words is not None else None,
        origin=r.origin(node),
    )


_KIND_KEYS: dict[str, tuple[FactKind, ...]] = {"values": ("choice", "set"), "fields": ("records",)}
"""The kinds of fact that need a key; the others take none."""


def _kind_key(
    r: Reader, node: yaml.Node, m: dict[str, yaml.Node], fid: str, kind: FactKind, key: str
) -> yaml.Node | None:
    """The node of ``values`` or ``fields``: present when the fact's kind needs it, absent otherwise."""
    if kind in _KIND_KEYS[key] and key not in m:
        raise r.invalid(node, codes.KB_KIND_NEEDS_KEY, fid, f"a {kind} fact needs {key!r}")
    if kind not in _KIND_KEYS[key] and key in m:
        raise r.invalid(m[key], codes.KB_KIND_TAKES_NO_KEY, f"{fid}.{key}", f"a {kind} fact takes no {key!r}")
    return m.get(key)


def record_words(r: Reader, node: yaml.Node, where: str) -> RecordWords:
    """A records fact's ``words``: ``one`` and ``several``, templates naming its fields in braces."""
    m = r.mapping(node, where, required=("one", "several"))
    return RecordWords(r.text(m["one"], f"{where}.one"), r.text(m["several"], f"{where}.several"))


def field_spec(r: Reader, node: yaml.Node, where: str) -> FieldSpec:
    """One field of a records fact (its path: ``fact.field``)."""
    m = r.mapping(node, where, required=("id", "required", "label", "question", "values"))
    fid = r.name(m["id"], f"{where}.id")
    where = f"{where.rsplit('.', 1)[0]}.{fid}"
    required = r.boolean(m["required"], f"{where}.required")
    label = r.text(m["label"], f"{where}.label")
    question = r.text(m["question"], f"{where}.question")
    values = value_specs(r, m["values"], f"{where}.values", "kb_values", KB_VALUES)
    return FieldSpec(fid, label, question, required, values)


def value_specs(
    r: Reader, node: yaml.Node, where: str, limit_id: str = "kb_values", limit: int = KB_VALUES
) -> tuple[ValueSpec, ...]:
    """A mapping ``value id: words`` of the values a fact or field allows (at most ``limit`` of them)."""
    m = r.mapping_any(node, where)
    if not m:
        raise r.invalid(node, codes.KB_TOO_FEW, where, "expected at least one value")
    if len(m) > limit:
        raise r.invalid(node, codes.KB_PAST_LIMIT, where, exceeded(limit_id, f"{len(m)} values"))
    out = []
    for key, (key_node, value_node) in m.items():
        if not NAME.match(key):
            raise r.invalid(key_node, codes.KB_BAD_ID, f"{where}.{key}", f"{key!r} is not a valid value id")
        out.append(ValueSpec(key, r.text(value_node, f"{where}.{key}")))
    return tuple(out)


def constraint_spec(r: Reader, node: yaml.Node, where: str) -> ConstraintSpec:
    """One constraint between facts: a case the source cannot describe."""
    m = r.mapping(node, where, required=("id", "field", "if", "then", "message"))
    cid = r.rule_id(m["id"], f"{where}.id")
    return ConstraintSpec(
        cid,
        r.name(m["field"], f"{cid}.field"),
        conditions(r, m["if"], f"{cid}.if"),
        condition(r, m["then"], f"{cid}.then"),
        r.text(m["message"], f"{cid}.message"),
        origin=r.origin(node),
    )


# ---------------------------------------------------------------- treatments.yaml, findings.yaml


def treatments_file(r: Reader, root: yaml.Node | None) -> list[TreatmentSpec]:
    """treatments.yaml: ids and plain-word labels."""
    top = r.mapping(root, "", required=("treatments",))
    return r.each(top["treatments"], "treatments", _treatment)


def _treatment(r: Reader, node: yaml.Node, where: str) -> TreatmentSpec:
    m = r.mapping(node, where, required=("id", "label"))
    tid = r.name(m["id"], f"{where}.id")
    return TreatmentSpec(tid, r.text(m["label"], f"{tid}.label"), origin=r.origin(node))


def findings_file(r: Reader, root: yaml.Node | None) -> list[FindingSpec]:
    """findings.yaml: each finding with the rule that derives it."""
    top = r.mapping(root, "", required=("findings",))
    return r.each(top["findings"], "findings", _finding)


def _finding(r: Reader, node: yaml.Node, where: str) -> FindingSpec:
    m = r.mapping(node, where, required=("id", "label", "rule"), optional=ANNOTATIONS)
    fid = r.name(m["id"], f"{where}.id")
    label = r.text(m["label"], f"{fid}.label")
    readings, note = readings_and_note(r, m, fid)
    rm = r.mapping(m["rule"], f"{fid}.rule", required=("id", "when"))
    rid = r.rule_id(rm["id"], f"{fid}.rule.id")
    rule = FindingRuleSpec(rid, fid, conditions(r, rm["when"], f"{rid}.when"), origin=r.origin(m["rule"]))
    return FindingSpec(fid, label, rule, readings, note, origin=r.origin(node))


ANNOTATIONS = ("readings", "note", "reading")
"""What a rule, finding or caution may say beside its knowledge: the readings that bear on it
(their ids), and a note of its own. ``reading``, a note in free text, is the key of knowledge
bases made before readings were data (1.1.0 and earlier): it is read as the note."""


def readings_and_note(r: Reader, m: dict[str, yaml.Node], where: str) -> tuple[tuple[str, ...], str | None]:
    """The readings an item cites (ids like RD-03) and its note."""
    readings = (
        tuple(r.rule_id(n, f"{where}.readings[{i}]") for i, n in enumerate(r.sequence(m["readings"], where)))
        if "readings" in m
        else ()
    )
    repeated = sorted({x for x in readings if readings.count(x) > 1})
    if repeated:
        message = f"{', '.join(repr(x) for x in repeated)} listed twice"
        raise r.invalid(m["readings"], codes.KB_REPEATED, f"{where}.readings", message)
    if "note" in m and "reading" in m:
        message = "'reading' is the older name of 'note': give one of them"
        raise r.invalid(m["reading"], codes.KB_UNKNOWN_KEY, f"{where}.reading", message, suggestion="note")
    key = "note" if "note" in m else "reading"
    note = r.text(m[key], f"{where}.{key}") if key in m else None
    return readings, note


# ---------------------------------------------------------------- rules/<section>.yaml

RULE_KEYS = ("id", "when", "offers", "strength", "quote")
RULE_OPTIONAL = ("alternatives", "sub_bullets", *ANNOTATIONS)


def rules_file(r: Reader, root: yaml.Node | None) -> tuple[SectionSpec | None, list[RuleSpec]]:
    """rules/<section>.yaml: one section of the source and its rules (each read on its own)."""
    top = r.mapping(root, "", required=("section", "rules"))
    section = r.item(functools.partial(_section, r, top["section"]))
    rules = r.each(
        top["rules"], "rules", functools.partial(rule_spec, section=section.id if section else "?")
    )
    if section is None:
        return None, rules
    return attrs.evolve(section, rules=tuple(x.id for x in rules)), rules


def _section(r: Reader, node: yaml.Node) -> SectionSpec:
    """The section's header (its rules are filled in by :func:`rules_file`)."""
    m = r.mapping(node, "section", required=("id", "title", "heading", "kind", "applies_when"))
    return SectionSpec(
        r.name(m["id"], "section.id"),
        r.text(m["title"], "section.title"),
        r.text(m["heading"], "section.heading"),
        r.word(m["kind"], "section.kind", SECTION_KINDS),
        conditions(r, m["applies_when"], "section.applies_when"),
        (),
        origin=r.origin(node),
    )


def rule_spec(r: Reader, node: yaml.Node, where: str, section: str) -> RuleSpec:
    """One recommendation rule (its path: its id, once the id is read)."""
    m = r.mapping(node, where, required=RULE_KEYS, optional=RULE_OPTIONAL)
    rid = r.rule_id(m["id"], f"{where}.id")
    when = conditions(r, m["when"], f"{rid}.when")
    offers = r.every(m["offers"], f"{rid}.offers", offer)
    if not offers:
        raise r.invalid(
            m["offers"], codes.KB_TOO_FEW, f"{rid}.offers", "a rule offers at least one treatment"
        )
    strength = r.text(m["strength"], f"{rid}.strength")
    quote = r.text(m["quote"], f"{rid}.quote")
    alternatives = (
        r.every(m["alternatives"], f"{rid}.alternatives", _alternatives) if "alternatives" in m else ()
    )
    bullets = r.every(m["sub_bullets"], f"{rid}.sub_bullets", Reader.text) if "sub_bullets" in m else ()
    readings, note = readings_and_note(r, m, rid)
    return RuleSpec(
        rid,
        section,
        when,
        offers,
        strength,
        quote,
        alternatives,
        bullets,
        readings,
        note,
        origin=r.origin(node),
    )


def offer(r: Reader, node: yaml.Node, where: str) -> Offer:
    """One treatment offered by a rule, with its qualifiers."""
    m = r.mapping(node, where, required=("treatment",), optional=("qualifiers",))
    treatment = r.name(m["treatment"], f"{where}.treatment")
    qualifiers = r.scalar_list(m["qualifiers"], f"{where}.qualifiers") if "qualifiers" in m else ()
    return Offer(treatment, tuple(str(q) for q in qualifiers), origin=r.origin(node))


def _alternatives(r: Reader, node: yaml.Node, where: str) -> tuple[str, ...]:
    """One group of either/or treatments: two or more."""
    listed = r.scalar_list(node, where)
    if len(listed) < 2:
        raise r.invalid(node, codes.KB_TOO_FEW, where, "alternatives come in groups of two or more")
    return tuple(str(t) for t in listed)


# ---------------------------------------------------------------- cautions.yaml

CAUTION_KEYS = ("id", "label", "when", "treatments", "text")
CAUTION_OPTIONAL = ("exempt", *ANNOTATIONS)


def cautions_file(r: Reader, root: yaml.Node | None) -> list[CautionSpec]:
    """cautions.yaml: the cautions, each read on its own."""
    top = r.mapping(root, "", required=("cautions",))
    return r.each(top["cautions"], "cautions", caution_spec)


def caution_spec(r: Reader, node: yaml.Node, where: str) -> CautionSpec:
    """One caution: its condition, the treatments it speaks to, the rules exempted, its text."""
    m = r.mapping(node, where, required=CAUTION_KEYS, optional=CAUTION_OPTIONAL)
    cid = r.rule_id(m["id"], f"{where}.id")
    when = conditions(r, m["when"], f"{cid}.when")
    if not when:
        message = (
            "a caution needs a condition (one that holds on every case would be a warning, not a caution)"
        )
        raise r.invalid(m["when"], codes.KB_TOO_FEW, f"{cid}.when", message)
    treatments = tuple(str(x) for x in r.scalar_list(m["treatments"], f"{cid}.treatments"))
    exempt = tuple(str(x) for x in r.scalar_list(m["exempt"], f"{cid}.exempt")) if "exempt" in m else ()
    readings, note = readings_and_note(r, m, cid)
    return CautionSpec(
        cid,
        r.text(m["label"], f"{cid}.label"),
        when,
        treatments,
        r.text(m["text"], f"{cid}.text"),
        exempt,
        readings,
        note,
        origin=r.origin(node),
    )


# ---------------------------------------------------------------- readings.yaml

READING_KEYS = ("id", "title", "passage", "reading", "why", "other_reading", "would_change")
READING_OPTIONAL = ("rules", "explains")


def readings_file(r: Reader, root: yaml.Node | None) -> list[ReadingSpec]:
    """readings.yaml: the readings of unclear passages, each read on its own."""
    top = r.mapping(root, "", required=("readings",))
    return r.each(top["readings"], "readings", reading_spec)


def reading_spec(r: Reader, node: yaml.Node, where: str) -> ReadingSpec:
    """One reading: the passage (text, or a list of texts), how it is read and why, the other reading,
    what that would change, the rules it bears on and what else it explains."""
    m = r.mapping(node, where, required=READING_KEYS, optional=READING_OPTIONAL)
    rid = r.rule_id(m["id"], f"{where}.id")
    passage_node = m["passage"]
    if isinstance(passage_node, yaml.SequenceNode):
        passage = r.every(passage_node, f"{rid}.passage", Reader.text)
        if not passage:
            message = "expected at least one passage of the source, got an empty list"
            raise r.invalid(passage_node, codes.KB_TOO_FEW, f"{rid}.passage", message)
    else:
        passage = (r.text(passage_node, f"{rid}.passage"),)
    rules = (
        tuple(str(x) for x in r.scalar_list(m["rules"], f"{rid}.rules", single=True)) if "rules" in m else ()
    )
    explains = (
        tuple(
            r.word(n, f"{rid}.explains[{i}]", READING_TOPICS)
            for i, n in enumerate(r.sequence(m["explains"], f"{rid}.explains"))
        )
        if "explains" in m
        else ()
    )
    return ReadingSpec(
        rid,
        r.text(m["title"], f"{rid}.title"),
        passage,
        r.text(m["reading"], f"{rid}.reading"),
        r.text(m["why"], f"{rid}.why"),
        r.text(m["other_reading"], f"{rid}.other_reading"),
        r.text(m["would_change"], f"{rid}.would_change"),
        rules,
        explains,
        origin=r.origin(node),
    )
