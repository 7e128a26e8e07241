"""The condition language's shape: one small reader per head, chosen from a table.

A condition is a mapping with exactly one *head* key: ``fact`` (with one of
the tests of :data:`~pnet_expert.core.schema.FACT_OPS`), ``finding``, ``count``
or ``any``. :func:`condition` finds the head and hands the mapping to its
reader in :data:`HEADS`; a reader raises at its first problem
(:class:`~pnet_expert.knowledge.nodes.Invalid`), and each condition of a list
is read on its own, so that every bad condition of a rule is reported at once.
Whether the names refer to something declared is checked later, in
:mod:`pnet_expert.knowledge.crosscheck`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import yaml

from pnet_expert.core import codes
from pnet_expert.core.limits import KB_COUNT, exceeded
from pnet_expert.core.schema import (
    FACT_OPS,
    AnyOf,
    Condition,
    CountTest,
    FactOp,
    FactTest,
    FindingTest,
    Scalar,
    Where,
)
from pnet_expert.files.strict_yaml import scalar
from pnet_expert.knowledge.nodes import Reader, kind

HeadReader = Callable[[Reader, yaml.MappingNode, str], Condition]
ValuesReader = Callable[[Reader, yaml.Node, str], tuple[Scalar, ...]]


def condition(
    r: Reader, node: yaml.Node, where: str, heads: Mapping[str, HeadReader] | None = None
) -> Condition:
    """One condition, read by the reader of its head (``heads``: every head, unless inside an ``any``)."""
    heads = HEADS if heads is None else heads
    if not isinstance(node, yaml.MappingNode):
        message = f"expected a condition (a mapping with {_listed(HEADS)}), got {kind(node)}"
        raise r.invalid(node, codes.KB_WRONG_KIND, where, message)
    keys = [scalar(k) for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    found = [k for k in keys if k in HEADS]
    if len(found) != 1:
        message = f"a condition has exactly one of {', '.join(HEADS)}"
        raise r.invalid(node, codes.KB_ONE_OF_KEYS, where, message)
    read = heads.get(found[0])
    if read is None:  # only 'any' is ever left out: inside an 'any'
        message = "'any' inside 'any' is not needed: list every option in one 'any'"
        raise r.invalid(node, codes.KB_NESTED_ANY, where, message)
    return read(r, node, where)


def conditions(r: Reader, node: yaml.Node, where: str) -> tuple[Condition, ...]:
    """A list of conditions, all of which must hold (an empty list always holds)."""
    return r.every(node, where, condition)


def where_spec(r: Reader, node: yaml.Node, where: str) -> Where:
    """Field constraints ``{field: value or [values]}``, sorted by field."""
    out = []
    for key, (_, value_node) in r.mapping_any(node, where).items():
        values = r.scalar_list(value_node, f"{where}.{key}", single=True)
        if any(isinstance(v, bool) for v in values):
            message = "a field's values are words, not true/false"
            raise r.invalid(value_node, codes.KB_FIELD_VALUE_NOT_WORD, f"{where}.{key}", message)
        out.append((key, tuple(str(v) for v in values)))
    return tuple(sorted(out))


# ---------------------------------------------------------------- the heads


def _fact(r: Reader, node: yaml.MappingNode, where: str) -> FactTest:
    """``{fact: F, is|in|contains|contains_any: ...}``: one test on a case fact."""
    m = r.mapping(node, where, required=("fact",), optional=FACT_OPS)
    fact = r.name(m["fact"], f"{where}.fact")
    ops = [op for op in FACT_OPS if op in m]
    if len(ops) != 1:
        raise r.invalid(
            node, codes.KB_ONE_OF_KEYS, where, f"a fact test has exactly one of {', '.join(FACT_OPS)}"
        )
    op = ops[0]
    values = OP_VALUES[op](r, m[op], f"{where}.{op}")
    return FactTest(fact, op, values, origin=r.origin(node))


def _one_value(r: Reader, node: yaml.Node, where: str) -> tuple[Scalar, ...]:
    return (r.scalar_value(node, where),)


def _values(r: Reader, node: yaml.Node, where: str) -> tuple[Scalar, ...]:
    return r.scalar_list(node, where)


OP_VALUES: dict[FactOp, ValuesReader] = {
    "is": _one_value,
    "in": _values,
    "contains": _one_value,
    "contains_any": _values,
}
"""How each test of :data:`~pnet_expert.core.schema.FACT_OPS` writes its values: one, or a list."""


def _finding(r: Reader, node: yaml.MappingNode, where: str) -> FindingTest:
    """``{finding: F, where: {...}}``: a finding holds (with these attributes)."""
    m = r.mapping(node, where, required=("finding",), optional=("where",))
    finding = r.name(m["finding"], f"{where}.finding")
    return FindingTest(finding, _where(r, m, where), origin=r.origin(node))


COUNT_BOUNDS = ("exactly", "at_least")


def _count(r: Reader, node: yaml.MappingNode, where: str) -> CountTest:
    """``{count: F, where: {...}, exactly|at_least: N, carry: [...]}``: how many records match."""
    m = r.mapping(node, where, required=("count",), optional=("where", *COUNT_BOUNDS, "carry"))
    fact = r.name(m["count"], f"{where}.count")
    test_where = _where(r, m, where)
    bounds = [b for b in COUNT_BOUNDS if b in m]
    if len(bounds) != 1:
        raise r.invalid(
            node, codes.KB_ONE_OF_KEYS, where, f"a count has exactly one of {', '.join(COUNT_BOUNDS)}"
        )
    bound = bounds[0]
    number = r.integer(m[bound], f"{where}.{bound}")
    if number < 0:
        raise r.invalid(m[bound], codes.KB_NEGATIVE, f"{where}.{bound}", f"{number} is negative")
    if number > KB_COUNT:  # no case holds more records than its limit, and the reasoning counts up to it
        message = exceeded("kb_count", f"{number:,} is too many")
        raise r.invalid(m[bound], codes.KB_PAST_LIMIT, f"{where}.{bound}", message)
    carry = tuple(str(c) for c in r.scalar_list(m["carry"], f"{where}.carry")) if "carry" in m else ()
    exactly, at_least = (number, None) if bound == "exactly" else (None, number)
    return CountTest(fact, test_where, exactly, at_least, carry, origin=r.origin(node))


def _any(r: Reader, node: yaml.MappingNode, where: str) -> AnyOf:
    """``{any: [...]}``: two or more elementary conditions, one of which must hold."""
    m = r.mapping(node, where, required=("any",))
    if len(r.sequence(m["any"], f"{where}.any")) < 2:
        raise r.invalid(m["any"], codes.KB_TOO_FEW, f"{where}.any", "'any' needs at least two options")
    return AnyOf(r.every(m["any"], f"{where}.any", _option), origin=r.origin(node))


def _option(r: Reader, node: yaml.Node, where: str) -> Condition:
    return condition(r, node, where, ELEMENTARY)


def _where(r: Reader, m: dict[str, yaml.Node], where: str) -> Where:
    return where_spec(r, m["where"], f"{where}.where") if "where" in m else ()


def _listed(heads: Mapping[str, HeadReader]) -> str:
    *first, last = (repr(h) for h in heads)
    return f"{', '.join(first)} or {last}"


HEADS: dict[str, HeadReader] = {"fact": _fact, "finding": _finding, "count": _count, "any": _any}
"""The reader of each condition head."""

ELEMENTARY: dict[str, HeadReader] = {head: read for head, read in HEADS.items() if head != "any"}
"""The heads an option of ``any`` may have (``any`` inside ``any`` is not needed)."""
