"""A case as a student reads it: each known fact in the knowledge base's words, the unknown ones named.

Everything comes from facts.yaml (each fact's label, its values' labels, a
records fact's ``words``, as ``kb check`` says records), so a fact added there
is described without a change here. Unknown is not false: every fact the case does not state is named as
not known, and so is an optional field of a record (a tumor's size).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from pnet_expert.core.records import Record
from pnet_expert.core.schema import FactSpec, KnowledgeBase
from pnet_expert.core.words import record_name
from pnet_expert.verify.words import records_words

NOT_GIVEN = "not given"


@attrs.frozen
class CaseWords:
    """A case in words: (label, value in words) for each known fact, and the labels of the unknown ones."""

    tumor_type: str
    known: tuple[tuple[str, str], ...]
    unknown: tuple[str, ...]
    unknown_ids: tuple[str, ...]

    def lines(self, indent: str = "  ") -> list[str]:
        """One line per known fact, then one line naming what is not known."""
        out = [f"{indent}{label}: {value}" for label, value in self.known]
        if self.unknown:
            out.append(f"{indent}Not known (not given, never taken as false): {'; '.join(self.unknown)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """As JSON: the known facts in words and the unknown facts (ids and labels)."""
        return {
            "known": [{"fact": label, "value": value} for label, value in self.known],
            "unknown": list(self.unknown_ids),
            "unknown_labels": list(self.unknown),
        }


def case_words(kb: KnowledgeBase, case: Mapping[str, Any]) -> CaseWords:
    """Describe a (valid) case's facts in the knowledge base's words; free text (id, title) is left out."""
    known: list[tuple[str, str]] = []
    unknown: list[str] = []
    unknown_ids: list[str] = []
    for spec in kb.facts.values():
        value = case.get(spec.id)
        if value is None:
            unknown.append(spec.label)
            unknown_ids.append(spec.id)
        else:
            known.append((spec.label, value_words(spec, value)))
    type_spec = kb.facts.get("tumor_type")
    tumor_type = case.get("tumor_type")
    type_words = type_spec.label_of(tumor_type) if type_spec and isinstance(tumor_type, str) else ""
    return CaseWords(type_words, tuple(known), tuple(unknown), tuple(unknown_ids))


def value_words(spec: FactSpec, value: Any) -> str:
    """A fact's value in the knowledge base's words: 'yes', 'the lymph nodes and the liver', records."""
    if spec.kind == "boolean":
        return "yes" if value else "no"
    if spec.kind == "choice":
        return str(spec.label_of(value))
    if spec.kind == "set":
        labels = [str(spec.label_of(v)) for v in value]
        return _and(labels) if labels else "none"
    records = tuple(_record(spec, r) for r in value)
    if not records:
        return "none"
    missing = [
        f"the {field.label} of {record_name(spec, record)}"
        for record in records
        for field in spec.fields
        if not field.required and record.get(field.id) is None
    ]
    text = records_words(spec, records)
    return f"{text} ({NOT_GIVEN}: {', '.join(dict.fromkeys(missing))})" if missing else text


def _record(spec: FactSpec, record: Any) -> Record:
    """A record of a case, from a case file's mapping (or as it is)."""
    if isinstance(record, Record):
        return record
    known = tuple((f.id, str(record[f.id])) for f in spec.fields if record.get(f.id) is not None)
    return Record(known, tuple(f.id for f in spec.fields))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
