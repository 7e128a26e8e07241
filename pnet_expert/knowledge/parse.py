"""Turn each knowledge-base file into spec objects (the shape of the data only).

Whether names refer to something declared, and values lie in their domains,
is checked afterwards in :mod:`crosscheck`, once every file has been read.
"""

from __future__ import annotations

import re

import attrs
import yaml

from pnet_expert.core.schema import (
    FACT_KINDS,
    AnyOf,
    Condition,
    ConstraintSpec,
    CountTest,
    FactSpec,
    FactTest,
    FieldSpec,
    FindingRuleSpec,
    FindingSpec,
    FindingTest,
    Offer,
    QualifierSpec,
    RuleSpec,
    SectionSpec,
    SourceSpec,
    StrengthSpec,
    TreatmentSpec,
    ValueSpec,
    Where,
)
from pnet_expert.files.strict_yaml import scalar
from pnet_expert.knowledge.nodes import Reader

NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9A-Za-z]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@attrs.frozen
class SourceFile:
    """What source.yaml holds."""

    name: str
    version: str
    source: SourceSpec
    disclaimer: str
    sections: tuple[str, ...]


def name(r: Reader, node: yaml.Node | None, where: str) -> str | None:
    """An id such as ``liver_metastases``: lower case words joined by single underscores."""
    text = r.text(node, where)
    if text is not None and not NAME.match(text):
        r.fail(node, where, f"{text!r} is not a valid id (lower-case words joined by '_')")
        return None
    return text


def rule_id(r: Reader, node: yaml.Node | None, where: str) -> str | None:
    """A rule id such as ``INS-06``."""
    text = r.text(node, where)
    if text is not None and not RULE_ID.match(text):
        r.fail(node, where, f"{text!r} is not a valid rule id (like 'INS-06')")
        return None
    return text


def source_file(r: Reader, root: yaml.Node | None) -> SourceFile | None:
    """source.yaml: the knowledge base's name and version, the source, the disclaimer."""
    top = r.mapping(root, "", required=("knowledge_base", "source", "sections", "disclaimer"))
    if top is None:
        return None
    kb = r.mapping(top["knowledge_base"], "knowledge_base", required=("name", "version"))
    src = r.mapping(top["source"], "source", required=("title", "publisher", "section", "last_modified"))
    disclaimer = r.text(top["disclaimer"], "disclaimer")
    listed = r.scalar_list(top["sections"], "sections") or ()
    sections = tuple(str(s) for s in listed)
    if kb is None or src is None or disclaimer is None:
        return None
    modified = r.text(src["last_modified"], "source.last_modified")
    if modified is not None and not DATE.match(modified):
        r.fail(src["last_modified"], "source.last_modified", f"{modified!r} is not a date YYYY-MM-DD")
        modified = None
    values = (
        r.text(kb["name"], "knowledge_base.name"),
        r.text(kb["version"], "knowledge_base.version"),
        r.text(src["title"], "source.title"),
        r.text(src["publisher"], "source.publisher"),
        r.text(src["section"], "source.section"),
        modified,
    )
    kb_name, version, title, publisher, section, date = values
    if None in values or kb_name is None or version is None or title is None:
        return None
    assert publisher is not None
    assert section is not None
    assert date is not None
    return SourceFile(kb_name, version, SourceSpec(title, publisher, section, date), disclaimer, sections)


def vocabulary_file(
    r: Reader, root: yaml.Node | None
) -> tuple[tuple[StrengthSpec, ...], tuple[QualifierSpec, ...]]:
    """vocabulary.yaml: the strengths (strongest first) and the qualifiers."""
    top = r.mapping(root, "", required=("strengths", "qualifiers"))
    if top is None:
        return (), ()
    strengths = []
    for i, node in enumerate(r.sequence(top["strengths"], "strengths") or []):
        where = f"strengths[{i}]"
        m = r.mapping(node, where, required=("id", "label", "meaning"))
        if m is None:
            continue
        sid, label, meaning = (r.text(m[k], f"{where}.{k}") for k in ("id", "label", "meaning"))
        if sid and label and meaning:
            strengths.append(StrengthSpec(sid, label, meaning))
    qualifiers = []
    for i, node in enumerate(r.sequence(top["qualifiers"], "qualifiers") or []):
        where = f"qualifiers[{i}]"
        m = r.mapping(node, where, required=("id", "meaning"))
        if m is None:
            continue
        qid, meaning = r.text(m["id"], f"{where}.id"), r.text(m["meaning"], f"{where}.meaning")
        if qid and meaning:
            qualifiers.append(QualifierSpec(qid, meaning))
    return tuple(strengths), tuple(qualifiers)


def value_specs(r: Reader, node: yaml.Node | None, where: str) -> tuple[ValueSpec, ...]:
    """A mapping ``value id: words`` of the values a fact or field allows."""
    m = r.mapping_any(node, where)
    out = []
    for key, (key_node, value_node) in m.items():
        if not NAME.match(key):
            r.fail(key_node, f"{where}.{key}", f"{key!r} is not a valid value id")
            continue
        label = r.text(value_node, f"{where}.{key}")
        if label is not None:
            out.append(ValueSpec(key, label))
    if isinstance(node, yaml.MappingNode) and not m:
        r.fail(node, where, "expected at least one value")
    return tuple(out)


def field_spec(r: Reader, node: yaml.Node | None, where: str) -> FieldSpec | None:
    """One field of a records fact."""
    m = r.mapping(node, where, required=("id", "required", "label", "question", "values"))
    if m is None:
        return None
    fid = name(r, m["id"], f"{where}.id")
    where = f"{where.rsplit('.', 1)[0]}.{fid}" if fid else where
    required = r.boolean(m["required"], f"{where}.required")
    label = r.text(m["label"], f"{where}.label")
    question = r.text(m["question"], f"{where}.question")
    values = value_specs(r, m["values"], f"{where}.values")
    if fid is None or required is None or label is None or question is None or not values:
        return None
    return FieldSpec(fid, label, question, required, values)


def fact_spec(r: Reader, node: yaml.Node | None, where: str) -> FactSpec | None:
    """One fact of facts.yaml."""
    m = r.mapping(
        node,
        where,
        required=("id", "kind", "label", "question", "help"),
        optional=("required", "values", "fields"),
    )
    if m is None:
        return None
    fid = name(r, m["id"], f"{where}.id")
    where = fid or where
    kind = r.text(m["kind"], f"{where}.kind")
    if kind is not None and kind not in FACT_KINDS:
        r.fail(m["kind"], f"{where}.kind", f"{kind!r} is not one of {', '.join(FACT_KINDS)}")
        kind = None
    label = r.text(m["label"], f"{where}.label")
    question = r.text(m["question"], f"{where}.question")
    help_text = r.text(m["help"], f"{where}.help")
    required = r.boolean(m["required"], f"{where}.required") if "required" in m else False
    values: tuple[ValueSpec, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    if kind in ("choice", "set"):
        if "values" not in m:
            r.fail(node, where, f"a {kind} fact needs 'values'")
        else:
            values = value_specs(r, m["values"], f"{where}.values")
    elif "values" in m:
        r.fail(m["values"], f"{where}.values", f"a {kind} fact takes no 'values'")
    if kind == "records":
        if "fields" not in m:
            r.fail(node, where, "a records fact needs 'fields'")
        else:
            items = r.sequence(m["fields"], f"{where}.fields") or []
            parsed = [field_spec(r, item, f"{where}.fields[{i}]") for i, item in enumerate(items)]
            fields = tuple(f for f in parsed if f is not None)
    elif "fields" in m:
        r.fail(m["fields"], f"{where}.fields", f"a {kind} fact takes no 'fields'")
    if None in (fid, kind, label, question, help_text, required):
        return None
    assert fid
    assert kind
    assert label
    assert question
    assert help_text
    assert required is not None
    return FactSpec(
        fid,
        kind,
        label,
        question,
        help_text,
        required,
        values,
        fields,
        origin=r.origin(node),
    )


def where_spec(r: Reader, node: yaml.Node | None, where: str) -> Where | None:
    """Field constraints ``{field: value or [values]}``, sorted by field."""
    m = r.mapping_any(node, where)
    out = []
    for key, (_, value_node) in m.items():
        values = r.scalar_list(value_node, f"{where}.{key}", single=True)
        if values is None:
            return None
        if any(isinstance(v, bool) for v in values):
            r.fail(value_node, f"{where}.{key}", "a field's values are words, not true/false")
            return None
        out.append((key, tuple(str(v) for v in values)))
    return tuple(sorted(out))


CONDITION_KEYS = ("fact", "finding", "count", "any")
FACT_OP_KEYS = ("is", "in", "contains", "contains_any")


def condition(r: Reader, node: yaml.Node | None, where: str, nested: bool = False) -> Condition | None:
    """One condition: a test on a fact, a finding, a count of records, or ``any`` of those."""
    origin = r.origin(node)
    if not isinstance(node, yaml.MappingNode):
        r.fail(node, where, "expected a condition (a mapping with 'fact', 'finding', 'count' or 'any')")
        return None
    keys = [scalar(k) for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    heads = [k for k in keys if k in CONDITION_KEYS]
    if len(heads) != 1:
        r.fail(node, where, f"a condition has exactly one of {', '.join(CONDITION_KEYS)}")
        return None
    head = heads[0]
    if head == "fact":
        m = r.mapping(node, where, required=("fact",), optional=FACT_OP_KEYS)
        if m is None:
            return None
        fact = name(r, m["fact"], f"{where}.fact")
        ops = [k for k in FACT_OP_KEYS if k in m]
        if len(ops) != 1:
            r.fail(node, where, f"a fact test has exactly one of {', '.join(FACT_OP_KEYS)}")
            return None
        op = ops[0]
        values: tuple[bool | str, ...] | None
        if op in ("is", "contains"):
            one = r.scalar_value(m[op], f"{where}.{op}")
            values = None if one is None else (one,)
        else:
            values = r.scalar_list(m[op], f"{where}.{op}")
        if fact is None or values is None:
            return None
        return FactTest(fact, op, values, origin=origin)  # type: ignore[arg-type]
    if head == "finding":
        m = r.mapping(node, where, required=("finding",), optional=("where",))
        if m is None:
            return None
        finding = name(r, m["finding"], f"{where}.finding")
        where_ = where_spec(r, m["where"], f"{where}.where") if "where" in m else ()
        if finding is None or where_ is None:
            return None
        return FindingTest(finding, where_, origin=origin)
    if head == "count":
        m = r.mapping(node, where, required=("count",), optional=("where", "exactly", "at_least", "carry"))
        if m is None:
            return None
        fact = name(r, m["count"], f"{where}.count")
        where_ = where_spec(r, m["where"], f"{where}.where") if "where" in m else ()
        bounds = [k for k in ("exactly", "at_least") if k in m]
        if len(bounds) != 1:
            r.fail(node, where, "a count has exactly one of exactly, at_least")
            return None
        number = r.integer(m[bounds[0]], f"{where}.{bounds[0]}")
        if number is not None and number < 0:
            r.fail(m[bounds[0]], f"{where}.{bounds[0]}", f"{number} is negative")
            number = None
        carry: tuple[str, ...] = ()
        if "carry" in m:
            listed = r.scalar_list(m["carry"], f"{where}.carry")
            carry = tuple(str(c) for c in listed) if listed else ()
        if fact is None or where_ is None or number is None:
            return None
        exactly = number if bounds[0] == "exactly" else None
        at_least = number if bounds[0] == "at_least" else None
        return CountTest(fact, where_, exactly, at_least, carry, origin=origin)
    m = r.mapping(node, where, required=("any",))
    if m is None:
        return None
    if nested:
        r.fail(node, where, "'any' inside 'any' is not needed: list every option in one 'any'")
        return None
    items = r.sequence(m["any"], f"{where}.any")
    if items is None:
        return None
    if len(items) < 2:
        r.fail(m["any"], f"{where}.any", "'any' needs at least two options")
        return None
    options = [condition(r, item, f"{where}.any[{i}]", nested=True) for i, item in enumerate(items)]
    if any(o is None for o in options):
        return None
    return AnyOf(tuple(o for o in options if o is not None), origin=origin)


def conditions(r: Reader, node: yaml.Node | None, where: str) -> tuple[Condition, ...] | None:
    """A list of conditions, all of which must hold (an empty list always holds)."""
    items = r.sequence(node, where)
    if items is None:
        return None
    parsed = [condition(r, item, f"{where}[{i}]") for i, item in enumerate(items)]
    if any(p is None for p in parsed):
        return None
    return tuple(p for p in parsed if p is not None)


def facts_file(r: Reader, root: yaml.Node | None) -> tuple[list[FactSpec], list[ConstraintSpec]]:
    """facts.yaml: the case facts and the constraints between them."""
    top = r.mapping(root, "", required=("facts",), optional=("constraints",))
    if top is None:
        return [], []
    facts = [fact_spec(r, n, f"facts[{i}]") for i, n in enumerate(r.sequence(top["facts"], "facts") or [])]
    constraints = []
    for i, node in enumerate(
        r.sequence(top["constraints"], "constraints") or [] if "constraints" in top else []
    ):
        where = f"constraints[{i}]"
        m = r.mapping(node, where, required=("id", "field", "if", "then", "message"))
        if m is None:
            continue
        cid = rule_id(r, m["id"], f"{where}.id")
        where = cid or where
        field = name(r, m["field"], f"{where}.field")
        if_ = conditions(r, m["if"], f"{where}.if")
        then = condition(r, m["then"], f"{where}.then")
        message = r.text(m["message"], f"{where}.message")
        if cid and field and if_ is not None and then is not None and message:
            constraints.append(ConstraintSpec(cid, field, if_, then, message, origin=r.origin(node)))
    return [f for f in facts if f is not None], constraints


def treatments_file(r: Reader, root: yaml.Node | None) -> list[TreatmentSpec]:
    """treatments.yaml: ids and plain-word labels."""
    top = r.mapping(root, "", required=("treatments",))
    out = []
    for i, node in enumerate(r.sequence(top["treatments"], "treatments") or [] if top else []):
        m = r.mapping(node, f"treatments[{i}]", required=("id", "label"))
        if m is None:
            continue
        tid = name(r, m["id"], f"treatments[{i}].id")
        label = r.text(m["label"], f"{tid or f'treatments[{i}]'}.label")
        if tid and label:
            out.append(TreatmentSpec(tid, label, origin=r.origin(node)))
    return out


def findings_file(r: Reader, root: yaml.Node | None) -> list[FindingSpec]:
    """findings.yaml: each finding with the rule that derives it."""
    top = r.mapping(root, "", required=("findings",))
    out = []
    for i, node in enumerate(r.sequence(top["findings"], "findings") or [] if top else []):
        where = f"findings[{i}]"
        m = r.mapping(node, where, required=("id", "label", "rule"), optional=("reading",))
        if m is None:
            continue
        fid = name(r, m["id"], f"{where}.id")
        where = fid or where
        label = r.text(m["label"], f"{where}.label")
        reading = r.text(m["reading"], f"{where}.reading") if "reading" in m else None
        rm = r.mapping(m["rule"], f"{where}.rule", required=("id", "when"))
        if rm is None:
            continue
        rid = rule_id(r, rm["id"], f"{where}.rule.id")
        when = conditions(r, rm["when"], f"{rid or where}.when")
        if fid and label and rid and when is not None:
            rule = FindingRuleSpec(rid, fid, when, origin=r.origin(m["rule"]))
            out.append(FindingSpec(fid, label, rule, reading, origin=r.origin(node)))
    return out


def offer(r: Reader, node: yaml.Node | None, where: str) -> Offer | None:
    """One treatment offered by a rule, with its qualifiers."""
    m = r.mapping(node, where, required=("treatment",), optional=("qualifiers",))
    if m is None:
        return None
    treatment = name(r, m["treatment"], f"{where}.treatment")
    qualifiers: tuple[str, ...] = ()
    if "qualifiers" in m:
        listed = r.scalar_list(m["qualifiers"], f"{where}.qualifiers")
        if listed is None:
            return None
        qualifiers = tuple(str(q) for q in listed)
    if treatment is None:
        return None
    return Offer(treatment, qualifiers, origin=r.origin(node))


RULE_KEYS = ("id", "when", "offers", "strength", "quote")
RULE_OPTIONAL = ("alternatives", "sub_bullets", "reading")


def rule_spec(r: Reader, node: yaml.Node | None, where: str, section: str) -> RuleSpec | None:
    """One recommendation rule."""
    m = r.mapping(node, where, required=RULE_KEYS, optional=RULE_OPTIONAL)
    if m is None:
        return None
    rid = rule_id(r, m["id"], f"{where}.id")
    where = rid or where
    when = conditions(r, m["when"], f"{where}.when")
    offer_nodes = r.sequence(m["offers"], f"{where}.offers") or []
    if not offer_nodes and isinstance(m["offers"], yaml.SequenceNode):
        r.fail(m["offers"], f"{where}.offers", "a rule offers at least one treatment")
    offers = [offer(r, n, f"{where}.offers[{i}]") for i, n in enumerate(offer_nodes)]
    strength = r.text(m["strength"], f"{where}.strength")
    quote = r.text(m["quote"], f"{where}.quote")
    alternatives: list[tuple[str, ...]] = []
    if "alternatives" in m:
        for i, group in enumerate(r.sequence(m["alternatives"], f"{where}.alternatives") or []):
            listed = r.scalar_list(group, f"{where}.alternatives[{i}]")
            if listed is not None:
                if len(listed) < 2:
                    r.fail(
                        group,
                        f"{where}.alternatives[{i}]",
                        "alternatives come in groups of two or more",
                    )
                alternatives.append(tuple(str(t) for t in listed))
    bullets: list[str] = []
    if "sub_bullets" in m:
        for i, item in enumerate(r.sequence(m["sub_bullets"], f"{where}.sub_bullets") or []):
            text = r.text(item, f"{where}.sub_bullets[{i}]")
            if text:
                bullets.append(text)
    reading = r.text(m["reading"], f"{where}.reading") if "reading" in m else None
    if rid is None or when is None or None in offers or not offers or strength is None or quote is None:
        return None
    return RuleSpec(
        rid,
        section,
        when,
        tuple(o for o in offers if o is not None),
        strength,
        quote,
        tuple(alternatives),
        tuple(bullets),
        reading,
        origin=r.origin(node),
    )


def rules_file(r: Reader, root: yaml.Node | None) -> tuple[SectionSpec | None, list[RuleSpec]]:
    """rules/<section>.yaml: one section of the source and its rules."""
    top = r.mapping(root, "", required=("section", "rules"))
    if top is None:
        return None, []
    sm = r.mapping(top["section"], "section", required=("id", "title", "heading", "kind", "applies_when"))
    if sm is None:
        return None, []
    sid = name(r, sm["id"], "section.id")
    title = r.text(sm["title"], "section.title")
    heading = r.text(sm["heading"], "section.heading")
    kind = r.text(sm["kind"], "section.kind")
    if kind is not None and kind not in ("type", "general"):
        r.fail(sm["kind"], "section.kind", f"{kind!r} is not one of type, general")
        kind = None
    applies = conditions(r, sm["applies_when"], "section.applies_when")
    rules = [
        rule_spec(r, n, f"rules[{i}]", sid or "?")
        for i, n in enumerate(r.sequence(top["rules"], "rules") or [])
    ]
    kept = [x for x in rules if x is not None]
    if sid is None or title is None or heading is None or kind is None or applies is None:
        return None, kept
    section = SectionSpec(
        sid,
        title,
        heading,
        "type" if kind == "type" else "general",
        applies,
        tuple(x.id for x in kept),
        origin=r.origin(top["section"]),
    )
    return section, kept
