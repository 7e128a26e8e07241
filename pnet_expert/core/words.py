"""Conditions and values in plain words, for explanations, reports and the REPL.

Each description names the id as well as the words (``liver_metastases: the
cancer has spread to the liver``), so that a student can find the rule in the
knowledge base from what the system says.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Mapping
from typing import Any, TextIO

from pnet_expert.core.records import Record
from pnet_expert.core.schema import (
    AnyOf,
    Condition,
    CountTest,
    FactSpec,
    FactTest,
    FindingTest,
    KnowledgeBase,
)


def value_text(value: Any) -> str:
    """A fact value as a user writes it: true/false, words, [a, b], {site: head}."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "unknown"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(v.to_dict() if hasattr(v, "to_dict") else v) for v in value) + "]"
    return str(value)


WIDTH = 88
"""The width plain text is wrapped to when it is not going to a terminal (and COLUMNS is not set)."""

MIN_WIDTH = 40
"""The narrowest width text is wrapped to: below it, ids and quotes would break into pieces."""


def terminal_width(stream: TextIO | None = None) -> int:
    """The width text is wrapped to: ``COLUMNS`` when set, else the terminal's, else :data:`WIDTH`.

    ``stream`` is where the text goes (standard output by default): a progress
    bar on standard error fits standard error's terminal even when the results
    go to a file. Never less than :data:`MIN_WIDTH`.
    """
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    target = stream if stream is not None else sys.stdout
    try:
        if target is not None and target.isatty():
            return max(MIN_WIDTH, os.get_terminal_size(target.fileno()).columns)
    except (AttributeError, OSError, ValueError):  # no file descriptor, or not a terminal after all
        pass
    return WIDTH


def wrap(text: str, indent: str = "", first: str | None = None, width: int | None = None) -> str:
    """A paragraph filled to ``width`` (:func:`terminal_width` when None): its first line starts with
    ``first`` (``indent`` when None), the others with ``indent``. A word is never broken at a hyphen,
    so ids such as ``GAS-03`` stay whole; only a word longer than a whole line is cut."""
    return textwrap.fill(
        text,
        width or terminal_width(),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


_BULLET = re.compile(r"\s*(?:[-*+•]|\d+[.)]|[A-Z]+:)\s+")


def fit(text: str, width: int | None = None) -> str:
    """Text with every line longer than ``width`` (:func:`terminal_width` when None) wrapped.

    The safety net under every text output: lines that fit are left as they
    are (tables, aligned columns); a longer one is filled, its continuation
    indented under its text (under a bullet's text, for a list item), so that
    no line is ever longer than the width.
    """
    limit = width or terminal_width()
    out = []
    for line in text.split("\n"):
        if len(line) <= limit:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        bullet = _BULLET.match(line)
        hang = " " * len(bullet.group(0)) if bullet else lead + "  "
        if len(hang) > limit // 2:
            hang = " " * (limit // 4)
        out.append(wrap(line.strip(), hang, lead[: limit // 2], limit))
    return "\n".join(out)


class _Blank(dict[str, str]):
    """Template values where a field that is not given reads as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def record_words(spec: FactSpec, record: Record, several: bool = False) -> str:
    """A record (or, with ``several``, a group of records alike) in the knowledge base's words.

    From the records fact's ``words`` (facts.yaml): "small tumor in the body of
    the pancreas". A known field the words do not name follows in brackets
    ("(grade: high)"), so that no known value goes unsaid. A fact without
    ``words`` gives the record as a user writes it: "{site: body, size: small}".
    """
    if spec.words is None:
        return value_text(record.to_dict())
    labels = _Blank({f.id: f.label_of(v) for f in spec.fields if (v := record.get(f.id)) is not None})
    text = " ".join((spec.words.several if several else spec.words.one).format_map(labels).split())
    named = spec.words.fields()
    rest = [f"{spec.field(name).label}: {words}" for name, words in labels.items() if name not in named]
    return f"{text} ({', '.join(rest)})" if rest else text


def record_name(spec: FactSpec, record: Record) -> str:
    """The words that name one record of a case by its first required field: "the tumor in the duodenum".

    Named by a value, not by its place in the list, so that no word depends
    on the order in which the records were given.
    """
    first = next((f.id for f in spec.fields if f.required), None)
    value = record.get(first) if first is not None else None
    if first is None or value is None:
        return value_text(record.to_dict())
    named = Record(((first, value),), record.field_ids)
    return value_text(named.to_dict()) if spec.words is None else "the " + record_words(spec, named)


def _alternatives(values: tuple[Any, ...]) -> str:
    words = [value_text(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def where_text(where: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """Field constraints as words: 'site head or tail, size small'."""
    return ", ".join(f"{field} {_alternatives(values)}" for field, values in where)


def describe(condition: Condition, kb: KnowledgeBase) -> str:
    """One condition in words, with the ids it tests."""
    if isinstance(condition, FactTest):
        spec = kb.facts.get(condition.fact)
        label = f" ({spec.label})" if spec else ""
        if condition.op == "is" and condition.values[0] is False and spec:
            # "tumor_found is false (a tumor was found)" would read as its opposite.
            return f"{condition.fact} is false ({spec.label}: no)"
        if condition.op == "is":
            return f"{condition.fact} is {value_text(condition.values[0])}{label}"
        if condition.op == "in":
            return f"{condition.fact} is {_alternatives(condition.values)}{label}"
        if condition.op == "contains":
            return f"{condition.fact} includes {value_text(condition.values[0])}{label}"
        return f"{condition.fact} includes {_alternatives(condition.values)}{label}"
    if isinstance(condition, FindingTest):
        finding = kb.findings.get(condition.finding)
        label = f" ({finding.label})" if finding else ""
        where = f" with {where_text(condition.where)}" if condition.where else ""
        return f"{condition.finding}{where}{label}"
    if isinstance(condition, CountTest):
        if condition.exactly == 0 and not condition.where:  # the list known to be empty
            spec = kb.facts.get(condition.fact)
            return f"{condition.fact} is []" + (f" ({spec.label}: none)" if spec else "")
        where = f" with {where_text(condition.where)}" if condition.where else ""
        if condition.exactly is not None:
            return f"exactly {condition.exactly} of {condition.fact}{where}"
        return f"at least {condition.at_least} of {condition.fact}{where}"
    assert isinstance(condition, AnyOf)
    return "any of: " + "; ".join(describe(o, kb) for o in condition.options)


def section_name(title: str) -> str:
    """A section's title inside a sentence: "the gastrinoma section", "the VIPoma section"."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def facts_text(facts: Mapping[str, Any]) -> str:
    """Matched facts as 'a = x, b = y'."""
    return ", ".join(f"{name} = {value_text(value)}" for name, value in facts.items())
