"""A case as a FHIR R4 bundle shaped by mCODE, and a bundle back to a case.

:func:`to_bundle` writes one ``collection`` Bundle:

* a Patient (no name, no identifier: a teaching case);
* the primary tumor as a Condition (mCODE primary cancer condition), its
  histology the tumor type in ICD-O-3 morphology (mCODE's histology extension)
  and its body sites those of its tumors in SNOMED CT;
* each tumor (a record of the records fact ``terminology.yaml`` names) as a
  BodyStructure located in SNOMED CT, its other fields (size) as Observations
  whose ``focus`` is the BodyStructure, and a List of them (``emptyReason``
  "nil known" when the case says none were found);
* where the cancer has spread as secondary cancer Conditions (mCODE), one per
  place, by body site, and a List of them (empty: "nil known");
* every other known fact as an Observation coded in the project's CodeSystem
  (:mod:`.terminology`), and the case's free text likewise; its id as the
  Bundle's identifier.

An unknown fact has no resource at all. :func:`to_case` reads such a bundle
back (or the same resources from a CDS Hooks prefetch) and validates the case,
so that case -> bundle -> case gives the case back for every valid case. A
bundle it cannot read is refused with a diagnostic naming the entry, the
resource and the element (FHIR-E0xx), never guessed at.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pnet_expert.core import codes, defaults
from pnet_expert.core.case import META_KEYS, Patient, validate_case
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import CaseError
from pnet_expert.core.records import Record
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.core.show import kind_of
from pnet_expert.interop.terminology import Coding, terminology, value_coding

MAX_ENTRIES = 1000
"""The most entries a bundle may hold (FHIR-E005): a case has a few dozen at most."""

CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
LIST_EMPTY = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
_NAMESPACE = uuid.UUID("6f1e0c1e-9a57-4a3c-9a39-2d9d8e6c1b16")

Resource = dict[str, Any]
Entry = tuple[str, Resource, str]
"""A resource of a bundle: where it is (``bundle.entry[3] (Observation/x)``), the resource, its full URL."""


def _concept(coding: Coding, text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


class _Writer:
    """Builds the bundle's entries, with stable ids and ``urn:uuid`` full URLs."""

    def __init__(self, kb: KnowledgeBase, patient: Patient) -> None:
        self.kb = kb
        self.patient = patient
        self.t = terminology()
        self.seed = dict(patient.meta).get("id", "")
        self.entries: list[Resource] = []
        self.subject = self.add({"resourceType": "Patient", "id": "patient"})

    def add(self, resource: Resource) -> dict[str, str]:
        """Add a resource; return a reference to it."""
        url = f"urn:uuid:{uuid.uuid5(_NAMESPACE, self.seed + '/' + resource['id'])}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return {"reference": url}

    def condition(self, ident: str, profile: str, code: Coding, **more: Any) -> dict[str, str]:
        return self.add(
            {
                "resourceType": "Condition",
                "id": ident,
                "meta": {"profile": [profile]},
                "clinicalStatus": _concept({"system": CLINICAL, "code": "active", "display": "Active"}),
                "category": [
                    _concept(
                        {"system": CATEGORY, "code": "problem-list-item", "display": "Problem List Item"}
                    )
                ],
                "code": _concept(code),
                **more,
                "subject": self.subject,
            }
        )

    def observation(self, ident: str, code: Coding, value: dict[str, Any], **more: Any) -> dict[str, str]:
        return self.add(
            {
                "resourceType": "Observation",
                "id": ident,
                "status": "final",
                "code": _concept(code),
                **more,
                "subject": self.subject,
                **value,
            }
        )

    def listing(self, fact: str, items: Sequence[dict[str, str]]) -> None:
        spec = self.kb.facts[fact]
        resource: Resource = {
            "resourceType": "List",
            "id": f"list-{fact}",
            "status": "current",
            "mode": "snapshot",
            "code": _concept(self.t.own(fact, spec.label)),
            "subject": self.subject,
        }
        if items:
            resource["entry"] = [{"item": item} for item in items]
        else:
            resource["emptyReason"] = _concept(
                {"system": LIST_EMPTY, "code": "nilknown", "display": "Nil Known"}
            )
        self.add(resource)


def to_bundle(case: Mapping[str, Any] | Patient, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """A valid case as a FHIR R4 ``collection`` Bundle shaped by mCODE (raises CaseError on a bad case)."""
    kb = kb if kb is not None else defaults.knowledge_base()
    patient = case if isinstance(case, Patient) else validate_case(case, kb)
    w = _Writer(kb, patient)
    t = w.t
    primary, secondary = t.part("primary"), t.part("secondary")
    tumor_type = patient.get(primary["fact"])
    assert isinstance(tumor_type, str)
    records = patient.get(primary["records"])
    sites = []
    if isinstance(records, tuple):
        seen = dict.fromkeys(r.get(primary["field"]) for r in records if isinstance(r, Record))
        sites = [value_coding(kb, primary["records"], s, primary["field"]) for s in seen if s]
    histology = value_coding(kb, primary["fact"], tumor_type)
    w.condition(
        "primary",
        t.profile("primary"),
        t.coding(primary["code"]),
        extension=[{"url": t.profile("histology"), "valueCodeableConcept": _concept(histology)}],
        bodySite=[_concept(c, c.get("display")) for c in sites] or None,
    )
    w.entries[-1]["resource"] = {k: v for k, v in w.entries[-1]["resource"].items() if v is not None}
    for name, value in patient.known:
        spec = kb.facts[name]
        if name == primary["fact"]:
            continue
        if spec.kind == "records":
            assert isinstance(value, tuple)
            items = []
            for n, record in enumerate(value, start=1):
                assert isinstance(record, Record)
                items.append(_record(w, name, n, record))
            w.listing(name, items)
        elif name == secondary["fact"]:
            assert isinstance(value, tuple)
            items = [
                w.condition(
                    f"{name}-{v}",
                    t.profile("secondary"),
                    t.coding(secondary["code"]),
                    bodySite=[_concept(value_coding(kb, name, str(v)), spec.label_of(str(v)))],
                )
                for v in value
            ]
            w.listing(name, items)
        elif spec.kind == "boolean":
            w.observation(f"fact-{name}", t.own(name, spec.label), {"valueBoolean": value})
        elif spec.kind == "choice":
            coding = value_coding(kb, name, str(value))
            w.observation(f"fact-{name}", t.own(name, spec.label), {"valueCodeableConcept": _concept(coding)})
        else:
            assert isinstance(value, tuple)
            members = [value_coding(kb, name, str(v)) for v in value]
            concept = {"coding": members} if members else {"text": "none"}
            w.observation(f"fact-{name}", t.own(name, spec.label), {"valueCodeableConcept": concept})
    for key, text in patient.meta:
        if key != "id":
            w.observation(f"case-{key}", t.own(f"case.{key}", f"the case's {key}"), {"valueString": text})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    if "id" in dict(patient.meta):
        bundle["identifier"] = {"system": t.data["case_identifier"], "value": dict(patient.meta)["id"]}
    bundle["entry"] = w.entries
    return bundle


def _record(w: _Writer, fact: str, n: int, record: Record) -> dict[str, str]:
    """One record as a BodyStructure (located by the mapped field), its other fields as Observations."""
    primary = w.t.part("primary")
    located = fact == primary["records"]
    body: Resource = {
        "resourceType": "BodyStructure",
        "id": f"{fact}-{n}",
        "identifier": [{"system": w.t.data["case_identifier"] + f"/{fact}", "value": str(n)}],
    }
    site = record.get(primary["field"]) if located else None
    if site is not None:
        body["location"] = _concept(value_coding(w.kb, fact, site, primary["field"]))
    body["patient"] = w.subject
    ref = w.add(body)
    spec = w.kb.facts[fact]
    for field, value in record.known:
        if located and field == primary["field"]:
            continue
        label = f"{spec.label}: {spec.field(field).label}"
        w.observation(
            f"{fact}-{n}-{field}",
            w.t.own(f"{fact}.{field}", label),
            {"valueCodeableConcept": _concept(value_coding(w.kb, fact, value, field))},
            focus=[ref],
        )
    return ref


# ---------------------------------------------------------------- reading a bundle


def _problem(code: str, where: str, message: str, hint: str = "") -> CaseError:
    return CaseError(Diagnostic(code, where, message, hint=hint))


class _Reader:
    """Reads the resources of a bundle into a case mapping, naming each problem's entry and element."""

    def __init__(self, kb: KnowledgeBase, entries: list[Entry]) -> None:
        self.kb = kb
        self.t = terminology()
        self.entries = [(where, resource) for where, resource, _ in entries]
        self.case: dict[str, Any] = {}
        self.given: dict[str, str] = {}
        self.by_ref: dict[str, str] = {}
        """A full URL or Type/id -> the entry it names (its ``where``)."""
        for where, resource, url in entries:
            if url:
                self.by_ref[url] = where
            if "id" in resource:
                self.by_ref[f"{resource['resourceType']}/{resource['id']}"] = where
        self.records: dict[str, dict[str, tuple[int, dict[str, str]]]] = {}
        """records fact -> reference of its BodyStructure -> (position, fields)."""

    def set(self, fact: str, value: Any, where: str) -> None:
        if fact in self.given:
            raise _problem(codes.FHIR_CONFLICT, where, f"gives {fact} again (first in {self.given[fact]})")
        self.given[fact] = where
        self.case[fact] = value

    def code_of(self, concept: Any, where: str, allowed: Mapping[tuple[str, str], str]) -> str:
        """The value a CodeableConcept stands for (its first coding the mapping knows)."""
        codings = concept.get("coding") if isinstance(concept, Mapping) else None
        if not isinstance(codings, list) or not codings:
            raise _problem(
                codes.FHIR_UNREADABLE,
                where,
                f"expected a CodeableConcept with a coding, got {kind_of(concept)}",
            )
        for coding in codings:
            if isinstance(coding, Mapping):
                found = allowed.get((str(coding.get("system")), str(coding.get("code"))))
                if found is not None:
                    return found
        first = codings[0] if isinstance(codings[0], Mapping) else {}
        shown = f"{first.get('system')}|{first.get('code')}"
        hint = "known here: " + ", ".join(f"{s}|{c}" for s, c in allowed)
        raise _problem(
            codes.FHIR_UNKNOWN_CODE, f"{where}.coding", f"{shown!r} is not a code this mapping reads", hint
        )

    def values(self, fact: str, field: str | None = None) -> dict[tuple[str, str], str]:
        """(system, code) -> value id, for a fact's (or a field's) values."""
        spec = self.kb.facts[fact]
        ids = spec.field(field).value_ids if field else spec.value_ids
        out = {}
        for v in ids:
            coding = value_coding(self.kb, fact, str(v), field)
            out[(coding["system"], coding["code"])] = str(v)
        return out

    def read(self) -> dict[str, Any]:
        lists: list[tuple[str, Resource]] = []
        for where, resource in self.entries:
            kind = resource.get("resourceType")
            if kind == "Patient":
                continue
            if kind == "Condition":
                self.condition(where, resource)
            elif kind == "BodyStructure":
                self.body_structure(where, resource)
            elif kind == "List":
                lists.append((where, resource))
            elif kind == "Observation":
                continue  # after the BodyStructures, which Observations may focus on
            else:
                raise _problem(
                    codes.FHIR_UNREADABLE,
                    where,
                    f"a {kind} resource is not part of this mapping",
                    "a case bundle holds Patient, Condition, BodyStructure, List and Observation resources",
                )
        for where, resource in self.entries:
            if resource.get("resourceType") == "Observation":
                self.observation(where, resource)
        for where, resource in lists:
            self.listing(where, resource)
        self.finish_records()
        return self.case

    def condition(self, where: str, resource: Resource) -> None:
        primary, secondary = self.t.part("primary"), self.t.part("secondary")
        profiles = (
            resource.get("meta", {}).get("profile", []) if isinstance(resource.get("meta"), Mapping) else []
        )
        histology = [
            e
            for e in resource.get("extension", []) or []
            if isinstance(e, Mapping) and e.get("url") == self.t.profile("histology")
        ]
        if self.t.profile("primary") in profiles or histology:
            if not histology:
                raise _problem(
                    codes.FHIR_UNREADABLE,
                    f"{where}.extension",
                    "the primary cancer condition has no histology (the tumor type)",
                    f"add the extension {self.t.profile('histology')} with an ICD-O-3 morphology code",
                )
            value = self.code_of(
                histology[0].get("valueCodeableConcept"),
                f"{where}.extension[histology].valueCodeableConcept",
                self.values(primary["fact"]),
            )
            self.set(primary["fact"], value, where)
            return
        sites = resource.get("bodySite")
        if self.t.profile("secondary") in profiles or self._is_code(resource.get("code"), secondary["code"]):
            if not isinstance(sites, list) or len(sites) != 1:
                raise _problem(
                    codes.FHIR_UNREADABLE,
                    f"{where}.bodySite",
                    "a secondary cancer condition needs exactly one body site (where the cancer has spread)",
                )
            fact = secondary["fact"]
            value = self.code_of(sites[0], f"{where}.bodySite[0]", self.values(fact))
            spread = self.case.setdefault(fact, [])
            if value in spread:
                raise _problem(
                    codes.FHIR_CONFLICT, f"{where}.bodySite[0]", f"{fact} {value!r} is given twice"
                )
            self.given.setdefault(fact, where)
            spread.append(value)
            return
        raise _problem(
            codes.FHIR_UNREADABLE,
            f"{where}.meta.profile",
            "a Condition that is neither the primary cancer condition nor a secondary one",
            f"profiles read: {self.t.profile('primary')}, {self.t.profile('secondary')}",
        )

    def _is_code(self, concept: Any, triple: list[str]) -> bool:
        coding = self.t.coding(triple)
        codings = concept.get("coding", []) if isinstance(concept, Mapping) else []
        return any(
            isinstance(c, Mapping) and c.get("system") == coding["system"] and c.get("code") == coding["code"]
            for c in codings
        )

    def _records_fact(self, resource: Resource, where: str) -> str:
        """The records fact a BodyStructure belongs to, from its identifier's system."""
        base = self.t.data["case_identifier"] + "/"
        for ident in resource.get("identifier", []) or []:
            system = ident.get("system", "") if isinstance(ident, Mapping) else ""
            fact = system[len(base) :] if system.startswith(base) else ""
            if fact in self.kb.facts and self.kb.facts[fact].kind == "records":
                return fact
        return str(self.t.part("primary")["records"])

    def body_structure(self, where: str, resource: Resource) -> None:
        primary = self.t.part("primary")
        fact = self._records_fact(resource, where)
        fields: dict[str, str] = {}
        if fact == primary["records"]:
            location = resource.get("location")
            if location is None:
                raise _problem(
                    codes.FHIR_UNREADABLE, f"{where}.location", "a tumor without its location (site)"
                )
            fields[primary["field"]] = self.code_of(
                location, f"{where}.location", self.values(fact, primary["field"])
            )
        position = len(self.records.setdefault(fact, {}))
        for ident in resource.get("identifier", []) or []:
            if isinstance(ident, Mapping) and str(ident.get("value", "")).isdigit():
                position = int(ident["value"])
        self.records[fact][where] = (position, fields)

    def resolve(self, reference: Any, where: str) -> str:
        """The key of the resource a reference points to (a full URL or Type/id)."""
        target = reference.get("reference") if isinstance(reference, Mapping) else None
        if not isinstance(target, str):
            raise _problem(codes.FHIR_UNREADABLE, where, f"expected a Reference, got {kind_of(reference)}")
        found = self.by_ref.get(target) or self.by_ref.get("/".join(target.rsplit("/", 2)[-2:]))
        if found is not None:
            return found
        raise _problem(codes.FHIR_UNREADABLE, where, f"{target!r} is not a resource of this bundle")

    def observation(self, where: str, resource: Resource) -> None:
        code = self.code_of(resource.get("code"), f"{where}.code", self._observation_codes())
        if code.startswith("case."):
            text = resource.get("valueString")
            if not isinstance(text, str):
                raise _problem(
                    codes.FHIR_UNREADABLE, f"{where}.valueString", f"expected text, got {kind_of(text)}"
                )
            self.set(code[len("case.") :], text, where)
            return
        if "." in code:  # a field of a record: the Observation's focus is the record's BodyStructure
            fact, field = code.split(".", 1)
            focus = resource.get("focus")
            if not isinstance(focus, list) or len(focus) != 1:
                raise _problem(
                    codes.FHIR_UNREADABLE, f"{where}.focus", f"{code} needs the one BodyStructure it is about"
                )
            target = self.resolve(focus[0], f"{where}.focus[0]")
            record = self.records.get(fact, {}).get(target)
            if record is None:
                raise _problem(
                    codes.FHIR_UNREADABLE, f"{where}.focus[0]", f"{target!r} is not a {fact} record"
                )
            value = self.code_of(
                resource.get("valueCodeableConcept"),
                f"{where}.valueCodeableConcept",
                self.values(fact, field),
            )
            if field in record[1]:
                raise _problem(codes.FHIR_CONFLICT, where, f"gives {code} of {target} twice")
            record[1][field] = value
            return
        spec = self.kb.facts[code]
        if spec.kind == "boolean":
            flag = resource.get("valueBoolean")
            if not isinstance(flag, bool):
                raise _problem(
                    codes.FHIR_UNREADABLE,
                    f"{where}.valueBoolean",
                    f"expected true or false, got {kind_of(flag)}",
                )
            self.set(code, flag, where)
        elif spec.kind == "choice":
            self.set(
                code,
                self.code_of(
                    resource.get("valueCodeableConcept"), f"{where}.valueCodeableConcept", self.values(code)
                ),
                where,
            )
        else:
            concept = resource.get("valueCodeableConcept")
            codings = concept.get("coding", []) if isinstance(concept, Mapping) else None
            if codings is None:
                raise _problem(
                    codes.FHIR_UNREADABLE,
                    f"{where}.valueCodeableConcept",
                    f"expected a CodeableConcept, got {kind_of(concept)}",
                )
            allowed = self.values(code)
            self.set(
                code,
                [self.code_of({"coding": [c]}, f"{where}.valueCodeableConcept", allowed) for c in codings],
                where,
            )

    def _observation_codes(self) -> dict[tuple[str, str], str]:
        url = self.t.url
        out = {(url, f"case.{k}"): f"case.{k}" for k in META_KEYS if k != "id"}
        primary, secondary = self.t.part("primary"), self.t.part("secondary")
        for spec in self.kb.facts.values():
            if spec.kind == "records":
                out.update({(url, f"{spec.id}.{f.id}"): f"{spec.id}.{f.id}" for f in spec.fields})
            elif spec.id not in (primary["fact"], secondary["fact"]):
                out[(url, spec.id)] = spec.id
        return out

    def listing(self, where: str, resource: Resource) -> None:
        allowed = {(self.t.url, f): f for f, s in self.kb.facts.items() if s.kind in ("records", "set")}
        fact = self.code_of(resource.get("code"), f"{where}.code", allowed)
        entries = resource.get("entry") or []
        if not isinstance(entries, list):
            raise _problem(
                codes.FHIR_UNREADABLE, f"{where}.entry", f"expected a list, got {kind_of(entries)}"
            )
        targets = [
            self.resolve(e.get("item") if isinstance(e, Mapping) else e, f"{where}.entry[{i}].item")
            for i, e in enumerate(entries)
        ]
        if self.kb.facts[fact].kind == "records":
            known = self.records.setdefault(fact, {})
            for i, target in enumerate(targets):
                if target not in known:
                    raise _problem(
                        codes.FHIR_UNREADABLE,
                        f"{where}.entry[{i}].item",
                        f"{target!r} is not a {fact} record",
                    )
                known[target] = (i, known[target][1])
            if len(targets) != len(known):
                raise _problem(
                    codes.FHIR_CONFLICT,
                    f"{where}.entry",
                    f"the List holds {len(targets)} {fact} records, the bundle {len(known)}",
                )
        else:
            self.case.setdefault(fact, [])
            if len(targets) != len(self.case[fact]):
                raise _problem(
                    codes.FHIR_CONFLICT,
                    f"{where}.entry",
                    f"the List holds {len(targets)} entries; the bundle has "
                    f"{len(self.case[fact])} {fact} Conditions",
                )

    def finish_records(self) -> None:
        for fact, records in self.records.items():
            ordered = sorted(records.values(), key=lambda item: item[0])
            self.case[fact] = [fields for _, fields in ordered]


def entries_of(bundle: object, name: str = "bundle") -> list[Entry]:
    """The resources of a Bundle, each with where it is (``entry[3] (Observation/x)``), bounded."""
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        got = bundle.get("resourceType") if isinstance(bundle, Mapping) else kind_of(bundle)
        raise _problem(
            codes.FHIR_NOT_A_BUNDLE, name, f"expected a FHIR Bundle (resourceType 'Bundle'), got {got!r}"
        )
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise _problem(
            codes.FHIR_NOT_A_BUNDLE, f"{name}.entry", f"expected a list of entries, got {kind_of(entries)}"
        )
    if len(entries) > MAX_ENTRIES:
        raise _problem(
            codes.FHIR_TOO_LARGE, f"{name}.entry", f"{len(entries)} entries; the limit is {MAX_ENTRIES}"
        )
    out = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            raise _problem(
                codes.FHIR_UNREADABLE,
                f"{name}.entry[{i}].resource",
                "expected a resource with a resourceType",
            )
        where = f"{name}.entry[{i}] ({resource['resourceType']}/{resource.get('id', '?')})"
        url = entry.get("fullUrl")
        out.append((where, dict(resource), url if isinstance(url, str) else ""))
    return out


def to_case(bundle: object, kb: KnowledgeBase | None = None, name: str = "bundle") -> dict[str, Any]:
    """The case a bundle describes, validated, as plain data (CaseError naming the entry and element)."""
    kb = kb if kb is not None else defaults.knowledge_base()
    return case_from_entries(entries_of(bundle, name), kb, bundle if isinstance(bundle, Mapping) else {})


def case_from_entries(entries: list[Entry], kb: KnowledgeBase, bundle: Mapping[str, Any]) -> dict[str, Any]:
    """The case the resources describe (from a bundle, or a CDS Hooks prefetch), validated."""
    case = _Reader(kb, entries).read()
    identifier = bundle.get("identifier")
    if isinstance(identifier, Mapping) and isinstance(identifier.get("value"), str):
        case["id"] = identifier["value"]
    if terminology().part("primary")["fact"] not in case:
        raise _problem(
            codes.FHIR_UNREADABLE,
            "bundle.entry",
            "no primary cancer condition (the tumor type is required)",
            f"add a Condition with the profile {terminology().profile('primary')} and its histology",
        )
    return validate_case(case, kb).to_dict()
