"""JSON Schema (draft 2020-12) for a case and for a consultation's result, made from the knowledge base.

Nothing here names a fact, a value or a rule: the case schema comes from
``facts.yaml``'s fact specs (kinds, values, required facts and record fields),
the result schema from the knowledge base's ids (facts, findings, rules,
sections, treatments, strengths, qualifiers). An edited knowledge base gets a
schema of its own. The web app's OpenAPI description embeds exactly these two
schemas (``case_schema(kb)``, ``result_schema(kb)``), so each is one
self-contained schema with no ``$ref``.

The case schema accepts every case :func:`pnet_expert.core.case.validate_case`
accepts and refuses wrong shapes: unknown keys, wrong types, unknown values,
repeats in a set, a record without its required field, control characters in
free text. What it cannot say (the constraints between facts, such as
``liver_dominant`` needing ``liver`` in ``spread``) it says in its description:
validation refuses those too.

The result schema follows the JSON contract of a consultation: every key the contract
names is required, ``cautions`` and ``silences`` included (:data:`PENDING_KEYS`
is empty since the library gives them); keys may be added, so objects stay open
to new keys.
"""

from __future__ import annotations

from typing import Any

from pnet_expert.core.case import META_KEYS
from pnet_expert.core.schema import FactSpec, FieldSpec, KnowledgeBase

Schema = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
"""Free text: any characters but the control characters other than a new line and a tab (CASE-E011)."""

RESULT_KEYS = (
    "case",
    "knowledge_base",
    "treatments",
    "fired_rules",
    "gaps",
    "gap_details",
    "findings",
    "unknown_facts",
    "disclaimer",
    "cautions",
    "silences",
)
"""The keys every consultation's JSON holds (the contract's, with the keys ``to_dict`` has always added)."""

PENDING_KEYS: tuple[str, ...] = ()
"""Keys the contract requires that ``Consultation.to_dict()`` does not give yet: none.

``cautions`` and ``silences`` were pending until issue 11 gave them; the
result schema now requires them like the other keys of the contract."""


def _nullable(schema: Schema) -> Schema:
    """The same schema, or null (a fact or field given as null is unknown)."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kind = schema["type"]
    return {**schema, "type": [kind, "null"] if isinstance(kind, str) else [*kind, "null"]}


def _described(schema: Schema, title: str, description: str) -> Schema:
    return {"title": title, "description": description, **schema}


def _field_schema(field: FieldSpec) -> Schema:
    values = ", ".join(f"{v.id} ({v.label})" for v in field.values)
    schema: Schema = {"enum": list(field.value_ids)}
    wording = f"{field.label}: one of {values}"
    if field.required:
        return _described(schema, field.label, f"{wording}; required.")
    return _described(_nullable(schema), field.label, f"{wording}; left out or null when unknown.")


def _value_schema(spec: FactSpec) -> Schema:
    """A known value of a fact, by its kind."""
    if spec.kind == "boolean":
        return {"type": "boolean"}
    if spec.kind == "choice":
        return {"enum": list(spec.value_ids)}
    if spec.kind == "set":
        return {"type": "array", "items": {"enum": list(spec.value_ids)}, "uniqueItems": True}
    record: Schema = {
        "type": "object",
        "properties": {f.id: _field_schema(f) for f in spec.fields},
        "required": [f.id for f in spec.fields if f.required],
        "additionalProperties": False,
    }
    return {"type": "array", "items": record}


def fact_schema(spec: FactSpec) -> Schema:
    """One fact of a case: its values, null (unknown) unless the fact is required, and its words."""
    schema = _value_schema(spec)
    if not spec.required:
        schema = _nullable(schema)
    if spec.kind in ("choice", "set"):
        words = "; ".join(f"{v.id}: {v.label}" for v in spec.values)
        extra = f" Values: {words}."
    else:
        extra = ""
    empty = " [] means none." if spec.kind in ("set", "records") else ""
    unknown = " Required." if spec.required else " Left out or null: unknown (unknown is not false)."
    return _described(schema, spec.label, f"{spec.question} {spec.help}{extra}{empty}{unknown}".strip())


def _text_schema(key: str) -> Schema:
    return _described(
        {"type": ["string", "null"], "pattern": TEXT_PATTERN},
        key,
        "Free text, shown in reports (escaped), never reasoned on; new lines and tabs are the only "
        "control characters allowed.",
    )


def _case_body(kb: KnowledgeBase) -> Schema:
    """The case schema without ``$schema`` (as the result's ``case`` embeds it)."""
    properties: Schema = {key: _text_schema(key) for key in META_KEYS}
    properties.update({spec.id: fact_schema(spec) for spec in kb.facts.values()})
    constraints = " ".join(f"{c.id}: {c.message}." for c in kb.constraints)
    outside = (
        f" The facts must also agree with each other, which this schema does not check (validation "
        f"refuses a case that breaks one, with code CASE-E012): {constraints}"
        if constraints
        else ""
    )
    return {
        "title": f"A case for {kb.name} {kb.version}",
        "description": (
            "The facts of one case of a pancreatic neuroendocrine tumor, for the treatment options of "
            f"{kb.source.title} (last modified {kb.source.last_modified}). Only the required facts must be "
            "given; a fact left out or null is unknown, and unknown is not false." + outside
        ),
        "type": "object",
        "properties": properties,
        "required": [spec.id for spec in kb.facts.values() if spec.required],
        "additionalProperties": False,
    }


def case_schema(kb: KnowledgeBase) -> Schema:
    """The JSON Schema (2020-12) of a case for this knowledge base."""
    return {"$schema": DIALECT, **_case_body(kb)}


# ---------------------------------------------------------------- the result


def _object(properties: Schema, required: list[str] | None = None, **more: Any) -> Schema:
    """An object with these properties, all required unless said; open to keys added later."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **more,
    }


def _array(items: Schema, **more: Any) -> Schema:
    return {"type": "array", "items": items, **more}


def _known_facts(kb: KnowledgeBase) -> Schema:
    """Facts as a result shows them: known values of the knowledge base's facts, by name."""
    return {
        "type": "object",
        "properties": {spec.id: _value_schema(spec) for spec in kb.facts.values()},
        "additionalProperties": False,
    }


def result_schema(kb: KnowledgeBase) -> Schema:
    """The JSON Schema (2020-12) of a consultation's ``to_dict()`` for this knowledge base (the contract)."""
    string: Schema = {"type": "string"}
    text_list = _array(string)
    facts = _known_facts(kb)
    finding_rules = [f.rule.id for f in kb.findings.values()]
    rule_id: Schema = {"enum": list(kb.rules)}
    treatment: Schema = {"enum": list(kb.treatments)}
    strength: Schema = {"enum": [s.id for s in kb.strengths]}
    qualifiers = _array({"enum": [q.id for q in kb.qualifiers]}, uniqueItems=True)
    section: Schema = {"enum": list(kb.sections)}
    fact_id: Schema = {"enum": list(kb.facts)}
    finding_use = _object(
        {
            "finding": {"enum": list(kb.findings)},
            "rule": {"enum": finding_rules},
            "facts": facts,
            "attributes": {"type": "object", "additionalProperties": string},
        },
        required=["finding", "rule", "facts"],
    )
    reason = _object(
        {
            "rule": rule_id,
            "section": section,
            "strength": strength,
            "qualifiers": qualifiers,
            "alternatives": {"type": "boolean"},
            "alternative_to": _array(treatment),
            "quote": string,
            "sub_bullets": text_list,
            "reading": {"type": ["string", "null"]},
            "facts": facts,
            "findings": _array(finding_use),
        },
        required=["rule", "section", "strength", "qualifiers", "alternatives", "quote", "facts", "findings"],
    )
    option = _object(
        {
            "id": treatment,
            "label": string,
            "strength": strength,
            "qualifiers": qualifiers,
            "because": _array(reason, minItems=1),
        }
    )
    gap_detail = _object(
        {
            "section": section,
            "text": string,
            "waiting_on": _array(_object({"rule": rule_id, "unknown": text_list})),
            "near_misses": _array(_object({"rule": rule_id, "reading": string})),
        },
        required=["section", "text"],
    )
    caution = _object(
        {
            "id": {"enum": [c.id for c in kb.cautions]} if kb.cautions else string,
            "treatment": treatment,
            "rules": _array(rule_id, minItems=1),
            "facts": facts,
            "text": string,
            "label": string,
        },
        required=["id", "treatment", "rules", "facts", "text"],
    )
    silence = _object(
        {
            "section": section,
            "facts": facts,
            "text": string,
            "rules": _array(rule_id),
            "waiting_on": _array(_object({"rule": rule_id, "unknown": text_list})),
        },
        required=["section", "facts", "text"],
    )
    source = _object(
        {"title": string, "publisher": string, "section": string, "last_modified": {"type": "string"}},
        required=["title", "last_modified"],
    )
    about = _object(
        {
            "name": string,
            "version": string,
            "source": source,
            "modified": {"type": "boolean"},
            "fingerprint": string,
        },
        required=["name", "version", "source"],
    )
    properties: Schema = {
        "case": _case_body(kb),
        "knowledge_base": about,
        "treatments": _array(option),
        "fired_rules": _array(rule_id, uniqueItems=True),
        "gaps": text_list,
        "gap_details": _array(gap_detail),
        "findings": _array(finding_use),
        "unknown_facts": _array(fact_id, uniqueItems=True),
        "disclaimer": string,
        "cautions": _array(caution),
        "silences": _array(silence),
    }
    return {
        "$schema": DIALECT,
        "title": f"A consultation of {kb.name} {kb.version}",
        "description": (
            "What the source offers for one case, and why (a consultation's JSON contract): every option "
            "with the rules that offer it, the source's words, the findings and facts each rule rests "
            "on; the gaps, cautions and silences; the knowledge base's identity; the disclaimer. "
            "Options, never advice. Keys may be added in later versions; none is removed or renamed."
        ),
        **_object(properties, required=[k for k in RESULT_KEYS if k not in PENDING_KEYS]),
    }
