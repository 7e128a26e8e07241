"""The OpenAPI 3.1 description of the HTTP API (``GET /openapi.json``), built from the knowledge base.

Its schemas are JSON Schema 2020-12 (what OpenAPI 3.1 uses), made from the
knowledge base's own fact specs, treatments, rules and strengths, not from
models written twice: an edited knowledge base served with ``--kb`` gets a
description of its own facts and values.

The case and result contracts are :mod:`pnet_expert.interop.schema`'s (the
JSON Schemas ``pnet-expert schema`` writes), taken in :func:`component_schemas`;
this module adds only the API's own envelopes (errors, validation, WHY NOT,
the interview) and the paths.
"""

from __future__ import annotations

from typing import Any

from pnet_expert._version import __version__
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.interop.schema import case_schema, result_schema
from pnet_expert.knowledge.identity import identify

Schema = dict[str, Any]
REF = "#/components/schemas/"
ANSWERED_BY: dict[str, Any] = {
    "type": "object",
    "description": "The knowledge base that answered: name, version, source, fingerprint, modified.",
}


def _ref(name: str) -> Schema:
    return {"$ref": REF + name}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


# ---------------------------------------------------------------- the API's own envelopes

_DIAGNOSTIC: Schema = {
    "type": "object",
    "description": "One problem, as the command line prints it (docs/diagnostics.md lists the codes).",
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z]+-[EWI][0-9]{3}$"},
        "severity": {"enum": ["error", "warning", "info"]},
        "origin": _nullable({"type": "string"}),
        "path": _nullable({"type": "string"}),
        "message": {"type": "string"},
        "suggestion": _nullable({"type": "string"}),
        "hint": _nullable({"type": "string"}),
        "text": {"type": "string"},
    },
    "required": ["code", "severity", "path", "message", "text"],
}

_ERROR: Schema = {
    "type": "object",
    "description": "A request not taken: the lines the command line would print, and every diagnostic.",
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "valid": {"type": "boolean"},
        "diagnostics": {"type": "array", "items": _ref("Diagnostic"), "minItems": 1},
    },
    "required": ["error", "status", "diagnostics"],
}


def _envelopes(kb: KnowledgeBase) -> dict[str, Schema]:
    treatment: Schema = {"enum": list(kb.treatments)}
    check: Schema = {
        "type": "object",
        "properties": {
            "rule": {"type": "string"},
            "section": {"type": "string"},
            "strength": {"type": "string"},
            "offers": {"type": "array", "items": treatment},
            "quote": {"type": "string"},
            "fired": {"type": "boolean"},
            "truth": {"enum": ["true", "false", "unknown"]},
            "conditions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "truth": {"enum": ["true", "false", "unknown"]},
                        "detail": {"type": "string"},
                        "unknown": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["text", "truth", "detail", "unknown"],
                },
            },
            "unknown_facts": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["rule", "fired", "truth", "conditions"],
    }
    question: Schema = {
        "type": "object",
        "properties": {
            "slot": {
                "type": "string",
                "description": "what the answer fills: a fact, a count, tumors[0].site",
            },
            "fact": {"enum": list(kb.facts)},
            "kind": {"enum": ["boolean", "choice", "set", "count", "field"]},
            "text": {"type": "string"},
            "help": {"type": "string"},
            "required": {"type": "boolean"},
            "allowed": {"type": "string"},
            "choices": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "value": {"type": ["string", "boolean"]},
                        "word": {"type": "string"},
                        "label": {"type": "string"},
                    },
                },
            },
            "why": {"type": "object"},
        },
        "required": ["slot", "fact", "kind", "text", "choices"],
    }
    answer: Schema = {
        "anyOf": [
            {"type": "boolean"},
            {"type": "string"},
            {"type": "integer", "minimum": 0},
            {"type": "array", "items": {"type": "string"}},
            {"type": "null"},
        ]
    }
    return {
        "Diagnostic": _DIAGNOSTIC,
        "Error": _ERROR,
        "Validation": {
            "type": "object",
            "properties": {
                "valid": {"const": True},
                "case": {"type": "object"},
                "unknown_facts": {"type": "array", "items": {"enum": list(kb.facts)}},
                "diagnostics": {"type": "array", "maxItems": 0},
                "knowledge_base": {
                    "type": "object",
                    "description": "The knowledge base that answered (its identity).",
                },
            },
            "required": ["valid", "case", "unknown_facts", "diagnostics", "knowledge_base"],
        },
        "WhyNotRequest": {
            "type": "object",
            "properties": {"case": _ref("Case"), "treatment": treatment},
            "required": ["case", "treatment"],
        },
        "WhyNot": {
            "type": "object",
            "properties": {
                "treatment": treatment,
                "label": {"type": "string"},
                "offered": {"type": "boolean"},
                "offered_by": {"type": "array", "items": {"type": "string"}},
                "rules": {"type": "array", "items": check},
                "text": {"type": "string"},
                "knowledge_base": {
                    "type": "object",
                    "description": "The knowledge base that answered (its identity).",
                },
                "disclaimer": {"type": "string"},
            },
            "required": [
                "treatment",
                "offered",
                "offered_by",
                "rules",
                "text",
                "knowledge_base",
                "disclaimer",
            ],
        },
        "InterviewRequest": {
            "type": "object",
            "description": (
                "The answers so far, in the order given: slot -> answer (null: unknown). The server keeps no "
                "session; send every answer each time."
            ),
            "properties": {
                "answers": {"type": "object", "additionalProperties": answer, "maxProperties": 100},
            },
        },
        "InterviewStep": {
            "type": "object",
            "properties": {
                "done": {"type": "boolean"},
                "question": _nullable(question),
                "answers": {"type": "object"},
                "case": {"type": "object"},
                "facts": {"type": "object", "additionalProperties": {"type": "string"}},
                "result": _nullable(_ref("Consultation")),
                "knowledge_base": {
                    "type": "object",
                    "description": "The knowledge base that answered (its identity).",
                },
                "disclaimer": {"type": "string"},
            },
            "required": [
                "done",
                "question",
                "answers",
                "case",
                "facts",
                "result",
                "knowledge_base",
                "disclaimer",
            ],
        },
        "KnowledgeBase": {
            "type": "object",
            "properties": {
                "knowledge_base": {"type": "object"},
                "facts": {"type": "array"},
                "findings": {"type": "array"},
                "treatments": {"type": "array"},
                "sections": {"type": "array"},
                "rules": {"type": "array"},
            },
            "required": ["knowledge_base", "facts", "findings", "treatments", "sections", "rules"],
        },
    }


def component_schemas(kb: KnowledgeBase) -> dict[str, Schema]:
    """Every schema of the description: the case and result contracts (interop's JSON Schemas, the
    ones ``pnet-expert schema`` writes), then the API's envelopes."""
    return {"Case": case_schema(kb), "Consultation": result_schema(kb), **_envelopes(kb)}


# ---------------------------------------------------------------- the paths


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Schema]:
    words = {
        400: "the body is not JSON, YAML or TOML",
        413: "the body is larger than the server takes",
        415: "the body is of a kind this endpoint does not read",
        422: "the body was read but is not valid: every problem, each naming its field",
        503: "the request took longer than the server allows",
    }
    return {str(s): {"description": words[s], **_json(_ref("Error"))} for s in statuses}


def _case_body(description: str) -> Schema:
    return {
        "required": True,
        "description": description,
        "content": {
            "application/json": {"schema": _ref("Case")},
            "application/yaml": {"schema": _ref("Case")},
            "application/toml": {"schema": _ref("Case")},
        },
    }


def document(kb: KnowledgeBase, extra_paths: dict[str, Schema] | None = None) -> Schema:
    """The OpenAPI 3.1 document of the server's JSON API, for this knowledge base."""
    bad = _errors(400, 413, 415, 422, 503)
    paths: dict[str, Schema] = {
        "/api/recommend": {
            "post": {
                "operationId": "recommend",
                "summary": "The options the source offers for a case, each with its reasons",
                "description": "Exactly the library's recommend(case).to_dict(). Options, never advice.",
                "requestBody": _case_body("the case (JSON unless the Content-Type names YAML or TOML)"),
                "responses": {
                    "200": {"description": "the consultation", **_json(_ref("Consultation"))},
                    **bad,
                },
            }
        },
        "/api/validate": {
            "post": {
                "operationId": "validate",
                "summary": "Check a case: valid, or every problem with its code and field",
                "requestBody": _case_body("the case to check"),
                "responses": {
                    "200": {"description": "the case is valid", **_json(_ref("Validation"))},
                    **bad,
                },
            }
        },
        "/api/why-not": {
            "post": {
                "operationId": "whyNot",
                "summary": "WHY NOT: every rule that could offer a treatment, and each condition on the case",
                "requestBody": {"required": True, **_json(_ref("WhyNotRequest"))},
                "responses": {"200": {"description": "the rules, checked", **_json(_ref("WhyNot"))}, **bad},
            }
        },
        "/api/interview": {
            "post": {
                "operationId": "interview",
                "summary": "The next question of a consultation (stateless: send the answers so far)",
                "description": (
                    "Asks only what can still change the options, as `pnet-expert consult` does; "
                    "WHY is given with each question, and the options so far once the case is ready."
                ),
                "requestBody": {"required": True, **_json(_ref("InterviewRequest"))},
                "responses": {"200": {"description": "the next step", **_json(_ref("InterviewStep"))}, **bad},
            }
        },
        "/api/kb": {
            "get": {
                "operationId": "knowledgeBase",
                "summary": "The knowledge base: facts, findings, treatments, sections, rules, quotes",
                "responses": {"200": {"description": "the knowledge base", **_json(_ref("KnowledgeBase"))}},
            }
        },
        **(extra_paths or {}),
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "pnet_expert",
            "version": __version__,
            "summary": "The treatment options one NCI PDQ patient summary (2012) offers, explained.",
            "description": (
                f"{kb.disclaimer} {identify(kb).line()}. Bodies are at most the server's limit (413 above "
                "it); a bad body is answered 400 or 422 with every problem, each with its stable code "
                "(docs/diagnostics.md) and the field it names."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {"schemas": component_schemas(kb)},
    }
