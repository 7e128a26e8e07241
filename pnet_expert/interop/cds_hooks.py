"""A CDS Hooks 2.0 service as pure functions: discovery, and a call answered with cards.

The web app serves them (``GET /cds-services``, ``POST /cds-services/{id}``);
nothing here knows HTTP. Two services, a ``patient-view`` and an
``order-select``, read the case from the request's FHIR prefetch (the bundle
of :mod:`.fhir`, or the search results its prefetch templates ask for), consult
the knowledge base, and answer one card per option: ``indicator`` ``info``
(``warning`` when a caution applies to it), ``summary`` the option and its
strength, ``detail`` in Markdown (the rules, the source's words, the facts and
findings they used), ``source`` the PDQ summary with its date and the knowledge
base's version and fingerprint (linking the report page when one is given);
plus one card for the gaps and one for the silences. Options, never advice: every card says so.

A bad request raises :class:`~pnet_expert.core.errors.InputError` with a
diagnostic naming the field (``CDS-E001`` no such service, ``CDS-E002`` a
missing or wrong field); a prefetch the mapping cannot read raises the FHIR
mapping's CaseError (``FHIR-E0xx``) or the case's (``CASE-E0xx``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pnet_expert.api import recommend
from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.interop.fhir import Entry, case_from_entries, entries_of
from pnet_expert.knowledge.identity import identify

SUMMARY_LIMIT = 140
"""CDS Hooks: a card's summary is under 140 characters."""

PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "bodyStructures": "BodyStructure?patient={{context.patientId}}",
    "lists": "List?patient={{context.patientId}}",
}
"""What the services ask the client to send: the patient's resources the FHIR mapping reads."""

SERVICES = {
    "pnet-expert-patient-view": ("patient-view", "when a patient's record is opened"),
    "pnet-expert-order-select": ("order-select", "when a treatment is being ordered"),
}
"""Service id -> (hook, when it runs)."""

_NAMESPACE = uuid.UUID("0b4a9d52-0f1c-4d8e-9f5e-3c1d2a7b6e41")


def discovery(kb: KnowledgeBase) -> dict[str, Any]:
    """The discovery document (``GET /cds-services``): both services, with their prefetch templates."""
    what = (
        f"the treatment options that {kb.source.title} (last modified {kb.source.last_modified}) offers "
        "for the patient's pancreatic neuroendocrine tumor, each explained; for teaching, options not advice "
        f"(knowledge base {identify(kb).brief()})"
    )
    return {
        "services": [
            {
                "hook": hook,
                "id": service_id,
                "title": f"PDQ options for pancreatic neuroendocrine tumors ({hook})",
                "description": f"Shows, {when}, {what}.",
                "prefetch": dict(PREFETCH),
                "usageRequirements": (
                    "Send the prefetch (or one Bundle as mapped by 'pnet-expert fhir'): the service reads "
                    "no FHIR server itself."
                ),
            }
            for service_id, (hook, when) in SERVICES.items()
        ]
    }


def _bad(code: str, path: str, message: str, hint: str = "") -> InputError:
    return InputError(Diagnostic(code, path, message, hint=hint))


def prefetch_entries(prefetch: Mapping[str, Any]) -> tuple[list[Entry], Mapping[str, Any]]:
    """The resources of a prefetch (Bundles' entries, or single resources), and the first Bundle."""
    entries: list[Entry] = []
    first: Mapping[str, Any] = {}
    for key, value in prefetch.items():
        if value is None:
            continue  # the client found nothing for this template
        if isinstance(value, Mapping) and value.get("resourceType") == "Bundle":
            first = first or value
            entries += entries_of(value, f"prefetch.{key}")
        elif isinstance(value, Mapping) and isinstance(value.get("resourceType"), str):
            where = f"prefetch.{key} ({value['resourceType']}/{value.get('id', '?')})"
            entries.append((where, dict(value), ""))
        else:
            raise _bad(codes.CDS_BAD_REQUEST, f"prefetch.{key}", "expected a FHIR resource or Bundle")
    return entries, first


def call_service(
    kb: KnowledgeBase, service_id: str, request: Mapping[str, Any], *, report_url: str | None = None
) -> dict[str, Any]:
    """Answer one call (``POST /cds-services/{id}``): the cards for the case in the request's prefetch."""
    if service_id not in SERVICES:
        raise InputError(
            Diagnostic(
                codes.CDS_UNKNOWN_SERVICE,
                "service",
                f"{service_id!r} is not a CDS service here",
                suggestion=closest(service_id, SERVICES),
                hint=f"the services are: {', '.join(SERVICES)}",
            )
        )
    if not isinstance(request, Mapping):
        raise _bad(codes.CDS_BAD_REQUEST, "request", "expected a JSON object (a CDS Hooks request)")
    hook = SERVICES[service_id][0]
    if request.get("hook") != hook:
        raise _bad(
            codes.CDS_BAD_REQUEST,
            "hook",
            f"{request.get('hook')!r} is not this service's hook",
            f"this service answers {hook!r}",
        )
    if not isinstance(request.get("hookInstance"), str) or not request["hookInstance"]:
        raise _bad(
            codes.CDS_BAD_REQUEST,
            "hookInstance",
            "missing: a CDS Hooks request names its hookInstance (a UUID)",
        )
    if not isinstance(request.get("context"), Mapping):
        raise _bad(codes.CDS_BAD_REQUEST, "context", "missing: a CDS Hooks request has a context object")
    prefetch = request.get("prefetch")
    if not isinstance(prefetch, Mapping) or not any(v is not None for v in prefetch.values()):
        raise _bad(
            codes.CDS_BAD_REQUEST,
            "prefetch",
            "missing: this service reads the case from the prefetch, never from a FHIR server",
            "send the prefetch of the discovery document, or one Bundle (pnet-expert fhir to-bundle)",
        )
    entries, bundle = prefetch_entries(prefetch)
    case = case_from_entries(entries, kb, bundle)
    return {"cards": cards(kb, recommend(case, kb).to_dict(), str(request["hookInstance"]), report_url)}


def _source(kb: KnowledgeBase, report_url: str | None) -> dict[str, Any]:
    source: dict[str, Any] = {
        "label": (
            f"NCI PDQ® {kb.source.title}, last modified {kb.source.last_modified}; knowledge base "
            f"{identify(kb).brief()}"
        ),
        "topic": {"system": "urn:pnet-expert:knowledge-base", "code": kb.fingerprint, "display": kb.version},
    }
    if report_url:
        source["url"] = report_url
    return source


def _summary(text: str) -> str:
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2].rstrip() + "…"


def _facts(facts: Mapping[str, Any]) -> str:
    return "; ".join(f"{name} = {value}" for name, value in facts.items()) or "none"


def _detail(
    option: Mapping[str, Any],
    cautions: list[Mapping[str, Any]],
    disclaimer: str,
    readings: Mapping[str, Mapping[str, Any]],
) -> str:
    """A card's Markdown: each reason with its quote and what it used, the readings it cites in full,
    the cautions, the notice."""
    lines = []
    for reason in option["because"]:
        lines.append(f"**{reason['rule']}** ({reason['section']}, {reason['strength']}):")
        lines.append("")
        lines.append(f"> {reason['quote']}")
        for bullet in reason.get("sub_bullets", []):
            lines.append(f"> - {bullet}")
        lines.append("")
        findings = ", ".join(f"{f['finding']} ({f['rule']})" for f in reason["findings"]) or "none"
        lines.append(f"- facts used: {_facts(reason['facts'])}")
        lines.append(f"- findings: {findings}")
        cited = [*reason.get("readings", []), *(i for f in reason["findings"] for i in f.get("readings", []))]
        for reading_id in dict.fromkeys(cited):
            reading = readings.get(reading_id)
            if reading is None:
                continue
            passage = " … ".join(f"“{p}”" for p in reading["passage"])
            lines.append(f"- reading {reading_id} of an unclear passage ({reading['title']}): {passage}")
            lines.append(f"  - read as: {reading['reading']}")
            lines.append(f"  - why: {reading['why']}")
            lines.append(f"  - the other reading: {reading['other_reading']}")
            lines.append(f"  - what it would change: {reading['would_change']}")
        lines.append("")
    for caution in cautions:
        lines.append(f"**Caution:** {caution['text']}")
        lines.append("")
    lines.append(f"_{disclaimer}_")
    return "\n".join(lines)


def cards(
    kb: KnowledgeBase, result: Mapping[str, Any], instance: str, report_url: str | None
) -> list[dict[str, Any]]:
    """The cards for one consultation's JSON: one per option, then one for the gaps and one for the
    silences (facts of the case its sections say nothing specific about), each when there are any."""
    strengths = {s.id: s.label for s in kb.strengths}
    readings = {r["id"]: r for r in result.get("readings", [])}
    source = _source(kb, report_url)
    links = [{"label": "The explanation report", "url": report_url, "type": "absolute"}] if report_url else []
    out = []
    for option in result["treatments"]:
        cautions = [c for c in result.get("cautions", []) if c.get("treatment") == option["id"]]
        qualifiers = f" ({', '.join(option['qualifiers'])})" if option["qualifiers"] else ""
        card: dict[str, Any] = {
            "uuid": str(uuid.uuid5(_NAMESPACE, f"{instance}/{option['id']}")),
            "summary": _summary(f"{strengths[option['strength']]}: {option['label']}{qualifiers}"),
            "indicator": "warning" if cautions else "info",
            "detail": _detail(option, cautions, result["disclaimer"], readings),
            "source": source,
        }
        if links:
            card["links"] = links
        out.append(card)
    if result["gaps"]:
        gap: dict[str, Any] = {
            "uuid": str(uuid.uuid5(_NAMESPACE, f"{instance}/gaps")),
            "summary": _summary("The source is silent on part of this case (a gap): see why"),
            "indicator": "info",
            "detail": "\n\n".join([*result["gaps"], f"_{result['disclaimer']}_"]),
            "source": source,
        }
        if links:
            gap["links"] = links
        out.append(gap)
    if result.get("silences"):
        silent: dict[str, Any] = {
            "uuid": str(uuid.uuid5(_NAMESPACE, f"{instance}/silences")),
            "summary": _summary("The source says nothing specific about some facts of this case: see which"),
            "indicator": "info",
            "detail": "\n\n".join([*(s["text"] for s in result["silences"]), f"_{result['disclaimer']}_"]),
            "source": source,
        }
        if links:
            silent["links"] = links
        out.append(silent)
    return out
