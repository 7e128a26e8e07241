"""What a check says: issues (errors and information), each naming where and what.

An **error** makes ``pnet-expert kb check`` exit 1: the knowledge base does not
load, a quote is not the source's words, a bullet of the source is cited by no
rule, a rule (or finding) can never fire, a rule says nothing another does not
say in the same words, or the engine disagrees with the three-valued logic.
**Information** never fails a check: the gaps (where the source is silent, by
its own design) and rules that another rule covers because the source itself
says the same thing twice.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

Severity = Literal["error", "info"]
CHECKS = ("load", "quotes", "coverage", "reachability", "subsumption", "gaps")


@attrs.frozen
class Issue:
    """One thing a check found: which check, how grave, where (``file:line:col``), about what, and what."""

    check: str
    severity: Severity
    message: str
    where: str = ""
    subject: str = ""

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.subject) if p]
        return ": ".join([*parts, self.message])

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "check": self.check,
            "severity": self.severity,
            "where": self.where,
            "subject": self.subject,
            "message": self.message,
        }


def errors(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    """The issues that fail a check."""
    return tuple(i for i in issues if i.severity == "error")
