"""The knowledge base as JSON (``GET /api/kb``): facts, findings, treatments, sections and rules.

Everything a client needs to build its own forms and to show the reasoning:
each fact with its question, help and values; each rule with its conditions
in words, its offers, strength, the source's words and the readings that
bear on it (ids, and the readings in full under ``readings``); where
each was written (``file:line``). The conditions are given in words, as the
reports show them; the YAML in ``knowledge_base/`` stays the one place they
are written as data.
"""

from __future__ import annotations

from typing import Any

from pnet_expert.core.schema import FactSpec, KnowledgeBase, RuleSpec
from pnet_expert.core.words import describe
from pnet_expert.knowledge.identity import about


def describe_kb(kb: KnowledgeBase) -> dict[str, Any]:
    """The whole knowledge base as one JSON object, in the knowledge base's own order."""
    return {
        "knowledge_base": about(kb),
        "disclaimer": kb.disclaimer,
        "strengths": [{"id": s.id, "label": s.label, "meaning": s.meaning} for s in kb.strengths],
        "qualifiers": [{"id": q.id, "meaning": q.meaning} for q in kb.qualifiers],
        "facts": [_fact(f) for f in kb.facts.values()],
        "constraints": [{"id": c.id, "field": c.field, "message": c.message} for c in kb.constraints],
        "findings": [
            {
                "id": f.id,
                "label": f.label,
                "rule": f.rule.id,
                "when": [describe(c, kb) for c in f.rule.when],
                "reading": kb.readings_text(f.readings),
                "readings": list(f.readings),
                "origin": str(f.origin),
            }
            for f in kb.findings.values()
        ],
        "treatments": [
            {"id": t.id, "label": t.label, "offered_by": [r.id for r in kb.rules_offering(t.id)]}
            for t in kb.treatments.values()
        ],
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "heading": s.heading,
                "kind": s.kind,
                "applies_when": [describe(c, kb) for c in s.applies_when],
                "rules": list(s.rules),
            }
            for s in kb.sections.values()
        ],
        "rules": [_rule(kb, r) for r in kb.rules.values()],
        "readings": [{**r.to_dict(), "origin": str(r.origin)} for r in kb.readings.values()],
    }


def _fact(spec: FactSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": spec.id,
        "kind": spec.kind,
        "label": spec.label,
        "question": spec.question,
        "help": spec.help,
        "required": spec.required,
        "values": [{"id": v.id, "label": v.label} for v in spec.values],
    }
    if spec.fields:
        out["fields"] = [
            {
                "id": f.id,
                "label": f.label,
                "question": f.question,
                "required": f.required,
                "values": [{"id": v.id, "label": v.label} for v in f.values],
            }
            for f in spec.fields
        ]
    return out


def _rule(kb: KnowledgeBase, rule: RuleSpec) -> dict[str, Any]:
    return {
        "id": rule.id,
        "section": rule.section,
        "when": [describe(c, kb) for c in rule.when],
        "offers": [{"treatment": o.treatment, "qualifiers": list(o.qualifiers)} for o in rule.offers],
        "alternatives": [list(group) for group in rule.alternatives],
        "strength": rule.strength,
        "quote": rule.quote,
        "sub_bullets": list(rule.sub_bullets),
        "reading": kb.readings_text(rule.readings),
        "readings": list(rule.readings),
        "note": rule.note,
        "origin": str(rule.origin),
    }
