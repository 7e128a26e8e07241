"""Conditions and values in plain words, for explanations, reports and the REPL.

Each description names the id as well as the words (``liver_metastases: the
cancer has spread to the liver``), so that a student can find the rule in the
knowledge base from what the system says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pnet_expert.core.schema import AnyOf, Condition, CountTest, FactTest, FindingTest, KnowledgeBase


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
        where = f" with {where_text(condition.where)}" if condition.where else ""
        if condition.exactly is not None:
            return f"exactly {condition.exactly} of {condition.fact}{where}"
        return f"at least {condition.at_least} of {condition.fact}{where}"
    assert isinstance(condition, AnyOf)
    return "any of: " + "; ".join(describe(o, kb) for o in condition.options)


def facts_text(facts: Mapping[str, Any]) -> str:
    """Matched facts as 'a = x, b = y'."""
    return ", ".join(f"{name} = {value_text(value)}" for name, value in facts.items())
