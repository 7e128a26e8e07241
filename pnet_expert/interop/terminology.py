"""The codes a case's facts take in FHIR: standard where ``terminology.yaml`` maps them, else the project's.

``terminology.yaml`` (beside this module) is data: which fact is the primary
tumor's type (and its ICD-O-3 histology per value), which records fact holds
its tumors and which field locates them (SNOMED CT body sites), and which set
fact lists where the cancer has spread (secondary cancer Conditions, SNOMED CT
body sites). Every other fact, field and value gets a code in the project's
own CodeSystem, made from ``facts.yaml``: ``resectable``, ``tumors.size``,
``tumors.size.small``, ``spread.distant``. :func:`codesystem` publishes those
codes with the knowledge base's own words, so an edited knowledge base gets its
own CodeSystem.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import attrs

from pnet_expert.core.case import META_KEYS
from pnet_expert.core.schema import FactSpec, KnowledgeBase, Scalar
from pnet_expert.files.strict_yaml import load

Coding = dict[str, str]


@attrs.frozen
class Terminology:
    """The mapping of ``terminology.yaml``, read once."""

    data: Mapping[str, Any]

    @property
    def url(self) -> str:
        """The project's CodeSystem's canonical URL."""
        return str(self.data["codesystem"]["url"])

    def profile(self, name: str) -> str:
        """The URL of an mCODE profile or extension (primary, secondary, histology)."""
        return str(self.data["profiles"][name])

    def system(self, name: str) -> str:
        """The URI of a standard code system (snomed, icdo3)."""
        return str(self.data["systems"][name])

    def part(self, name: str) -> Mapping[str, Any]:
        """The primary or secondary part of the mapping."""
        return self.data[name]

    def coding(self, triple: list[str]) -> Coding:
        """A ``[system, code, display]`` triple as a FHIR Coding."""
        system, code, display = triple
        return {"system": self.system(system), "code": str(code), "display": display}

    def standard(self, part: str, table: str, value: str) -> Coding | None:
        """The standard code of a value in one table of the mapping (histology, locations), if any."""
        triple = self.part(part).get(table, {}).get(value)
        return self.coding(triple) if triple else None

    def own(self, code: str, display: str) -> Coding:
        """A code of the project's own CodeSystem."""
        return {"system": self.url, "code": code, "display": display}


@functools.cache
def terminology() -> Terminology:
    """The mapping shipped with the package."""
    text = resources.files("pnet_expert.interop").joinpath("terminology.yaml").read_text(encoding="utf-8")
    return Terminology(load(text, "terminology.yaml"))


def value_code(spec: FactSpec, value: Scalar, field: str | None = None) -> str:
    """The project's code of a value: ``fact.value`` or ``fact.field.value``."""
    return ".".join(p for p in (spec.id, field, str(value)) if p)


def value_coding(kb: KnowledgeBase, fact: str, value: str, field: str | None = None) -> Coding:
    """A value's coding: the standard one where the mapping has it, else the project's."""
    t = terminology()
    spec = kb.facts[fact]
    if fact == t.part("primary")["fact"] and field is None:
        found = t.standard("primary", "histology", value)
    elif fact == t.part("primary")["records"] and field == t.part("primary")["field"]:
        found = t.standard("primary", "locations", value)
    elif fact == t.part("secondary")["fact"] and field is None:
        found = t.standard("secondary", "locations", value)
    else:
        found = None
    if found is not None:
        return found
    label = spec.field(field).label_of(value) if field else spec.label_of(value)
    return t.own(value_code(spec, value, field), label)


def concepts(kb: KnowledgeBase) -> Iterator[tuple[str, str, str]]:
    """Every code of the project's CodeSystem for this knowledge base: (code, display, definition)."""
    t = terminology()
    records, site = t.part("primary")["records"], t.part("primary")["field"]
    for key in META_KEYS:
        if key != "id":
            yield f"case.{key}", f"the case's {key}", f"Free text of the case ({key}), never reasoned on."
    for spec in kb.facts.values():
        yield spec.id, spec.label, f"{spec.question} {spec.help}".strip()
        for field in spec.fields:
            if not (spec.id == records and field.id == site):
                yield f"{spec.id}.{field.id}", f"{spec.label}: {field.label}", field.question
            for value in field.values:
                coding = value_coding(kb, spec.id, value.id, field.id)
                if coding["system"] == t.url:
                    yield coding["code"], value.label, f"{spec.label}, {field.label}: {value.label}"
        for value in spec.values:
            coding = value_coding(kb, spec.id, value.id)
            if coding["system"] == t.url:
                yield coding["code"], value.label, f"{spec.label}: {value.label}"


def codesystem(kb: KnowledgeBase) -> dict[str, Any]:
    """The project's CodeSystem (FHIR R4) for this knowledge base, its words from facts.yaml."""
    t = terminology()
    meta = t.data["codesystem"]
    return {
        "resourceType": "CodeSystem",
        "id": "pnet-expert-case-facts",
        "url": t.url,
        "version": kb.version,
        "name": meta["name"],
        "title": meta["title"],
        "status": "active",
        "experimental": True,
        "publisher": kb.name,
        "description": (
            f"The facts of a case for {kb.name} {kb.version} (the treatment options of {kb.source.title}, "
            f"last modified {kb.source.last_modified}) that no standard code system names: each fact, "
            "record field and value in the words of the knowledge base's facts.yaml. For teaching; "
            "not for clinical use."
        ),
        "caseSensitive": True,
        "content": "complete",
        "concept": [{"code": c, "display": d, "definition": f} for c, d, f in concepts(kb)],
    }
