"""The limits a knowledge base must keep, checked once its files are read (docs/limits.md).

An edited knowledge base is input too. A count of a million records, a set
fact of forty values (2^40 subsets to reason over), a rule of sixteen
four-way ``any`` (4^16 branches to compile) or a thousand added rules would
each make the engine's build, a consultation or ``kb check`` run for minutes or
hours. Each is refused when the knowledge base loads, at its ``file:line:col``,
with the limit named (``KB-E017``). What a single node can say (a count's
number, a fact's values) is checked where it is read
(:mod:`~pnet_expert.knowledge.parse`, :mod:`~pnet_expert.knowledge.conditions`);
what needs the whole knowledge base (the number of rules, a rule's branches
with its section's condition) is checked here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.limits import KB_BRANCHES, KB_FACTS, KB_FINDINGS, KB_RULES, exceeded
from pnet_expert.core.schema import AnyOf, Condition, FactSpec, FindingSpec, RuleSpec, SectionSpec
from pnet_expert.knowledge.nodes import Problems


def branch_count(conditions: Iterable[Condition]) -> int:
    """How many branches a conjunction has once its ``any`` are opened (disjunctive normal form)."""
    return math.prod(len(c.options) if isinstance(c, AnyOf) else 1 for c in conditions)


def check_sizes(
    problems: Problems,
    facts: Sequence[FactSpec],
    findings: Sequence[FindingSpec],
    rules: Sequence[RuleSpec],
    sections: Mapping[str, SectionSpec],
) -> None:
    """Record a problem for every count past its limit: facts, findings, rules, each rule's branches."""
    for items, limit_id, limit, what in (
        (facts, "kb_facts", KB_FACTS, "facts"),
        (findings, "kb_findings", KB_FINDINGS, "findings"),
        (rules, "kb_rules", KB_RULES, "rules"),
    ):
        if len(items) > limit:
            first_over = items[limit]
            origin = getattr(first_over, "origin", None)
            message = exceeded(limit_id, f"{len(items):,} {what}")
            problems.add(Diagnostic(codes.KB_PAST_LIMIT, what, message, origin=_origin(origin)))
    for finding in findings:
        _branches(problems, finding.rule.id, finding.rule.when, finding.rule.origin)
    for rule in rules:
        section = sections.get(rule.section)
        inherited = section.applies_when if section is not None else ()
        _branches(problems, rule.id, inherited + rule.when, rule.origin)


def _branches(problems: Problems, rule_id: str, conditions: tuple[Condition, ...], origin: Origin) -> None:
    count = branch_count(conditions)
    if count > KB_BRANCHES:
        found = f"the condition opens into {count:,} branches (the product of its 'any' options)"
        hint = "split the rule, or list fewer options"
        problems.add(
            Diagnostic(
                codes.KB_PAST_LIMIT,
                f"{rule_id}.when",
                exceeded("kb_branches", found),
                origin=origin,
                hint=hint,
            )
        )


def _origin(origin: object) -> Origin | None:
    return origin if isinstance(origin, Origin) and origin.line else None
