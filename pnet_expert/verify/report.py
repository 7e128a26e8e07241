"""What a check says: diagnostics (errors and information), each naming where and what.

An **error** makes ``pnet-expert kb check`` exit 1: the knowledge base does not
load, a quote is not the source's words, a bullet of the source is cited by no
rule, a rule (or finding) can never fire, a rule says nothing another does not
say in the same words, or the engine disagrees with the three-valued logic.
A caution no valid case raises is an error too.
**Information** never fails a check: the gaps (where the source is silent, by
its own design) and rules that another rule covers because the source itself
says the same thing twice.

Each is a :class:`~pnet_expert.core.diagnostics.Diagnostic`. The check it comes
from follows from its code: a knowledge base's or a file's code is the load's,
and a ``CHECK`` code's hundreds name the check (``CHECK-E101``: quotes,
``CHECK-I501``: gaps), in the order of :data:`CHECKS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pnet_expert.core.diagnostics import Diagnostic

CHECKS = ("load", "quotes", "coverage", "reachability", "subsumption", "gaps", "cautions")


def check_of(diagnostic: Diagnostic) -> str:
    """The check a diagnostic comes from: ``load``, or the one its ``CHECK`` code's hundreds name."""
    if diagnostic.code.startswith("CHECK-"):
        return CHECKS[int(diagnostic.code[-3])]
    return "load"


def errors(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The diagnostics that fail a check."""
    return tuple(d for d in diagnostics if d.severity == "error")


def issue_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    """One diagnostic as ``kb check --format json`` lists it: its check, then its parts."""
    return {"check": check_of(diagnostic), **diagnostic.to_dict()}
