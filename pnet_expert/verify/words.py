"""Cases and options as the verifier shows them: a case in one line, a kind of case in words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pnet_expert.core.records import Record
from pnet_expert.core.schema import FactSpec
from pnet_expert.core.space import Value
from pnet_expert.core.words import record_words, value_text

NUMBERS = ("no", "one", "two", "three", "four", "five")


def case_inline(case: Mapping[str, Any]) -> str:
    """A case mapping in one line, as a YAML flow mapping: ``{tumor_type: insulinoma, spread: []}``."""
    return value_text(dict(case))


def _count(n: int) -> str:
    return NUMBERS[n] if n < len(NUMBERS) else str(n)


def records_words(spec: FactSpec, records: tuple[Record, ...]) -> str:
    """Records in words, equal ones counted: 'one small tumor in the body of the pancreas and one tumor in
    the duodenum'."""
    if not records:
        return f"{spec.label}: none"
    groups = Counter(records)
    return " and ".join(f"{_count(n)} {record_words(spec, r, several=n > 1)}" for r, n in groups.items())


def fact_words(spec: FactSpec, value: Value) -> str:
    """One known fact in words, by its label: 'where the cancer has spread: none'."""
    if spec.kind == "records":
        assert isinstance(value, tuple)
        return records_words(spec, value)  # type: ignore[arg-type]
    if spec.kind == "set":
        assert isinstance(value, tuple)
        shown = ", ".join(spec.label_of(v) for v in value) if value else "none"  # type: ignore[arg-type]
        return f"{spec.label}: {shown}"
    return f"{spec.label}: {spec.label_of(value)}"  # type: ignore[arg-type]
