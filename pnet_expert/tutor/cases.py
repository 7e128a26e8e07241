"""Teaching cases: built from the knowledge base's own witnesses, so that every rule can be taught.

A witness is the smallest valid case on which some conditions all hold
(:func:`pnet_expert.verify.reachability.witness`, what ``kb check`` shows for
each rule). The tutor and the quizzes use:

- one case per rule and tumor type it applies to: the smallest case of that type
  that fires the rule (a rule of a type's section applies to that type; a rule of a
  general section, to every type, so its case for an insulinoma may also show the
  insulinoma section's silence: a gap);
- for quizzes, cases that fire several rules at once: the smallest case on which
  the conditions of all of them hold together (:func:`witness_case` with several
  targets).

Every case is confirmed by the engine: it must fire the rules it was built for.
Nothing here is written per rule; an edited knowledge base gets its own cases.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError
from pnet_expert.core.schema import Condition, FactTest, KnowledgeBase
from pnet_expert.core.space import SearchTooBig, witness
from pnet_expert.explain.recommend import recommend

TYPE_FACT = "tumor_type"
"""The required fact that chooses a case's section (facts.yaml must declare it)."""


@attrs.frozen
class TeachingCase:
    """A valid case built to fire some rules (``targets``), with what the engine fires on it."""

    case: Mapping[str, Any]
    targets: tuple[str, ...]
    fired: tuple[str, ...]
    options: tuple[str, ...]

    @property
    def key(self) -> str:
        """The case's facts as canonical JSON: two teaching cases with one key are the same case."""
        return case_key(self.case)

    @property
    def tumor_type(self) -> str:
        """The case's type of tumor."""
        return str(self.case[TYPE_FACT])

    @property
    def size(self) -> int:
        """How many facts the case states."""
        return len(self.case)


def case_key(case: Mapping[str, Any]) -> str:
    """A case's facts as canonical JSON (keys sorted), to tell cases apart."""
    return json.dumps(dict(case), sort_keys=True, ensure_ascii=False)


def check_section(kb: KnowledgeBase, section: str | None, path: str = "section") -> None:
    """An InputError when ``section`` names no section of the knowledge base."""
    if section is not None and section not in kb.sections:
        raise InputError(
            Diagnostic(
                codes.INPUT_UNKNOWN_NAME,
                path,
                f"{section!r} is not a section",
                suggestion=closest(section, kb.sections),
                hint=f"the sections are: {', '.join(kb.sections)}",
            )
        )


def scope(kb: KnowledgeBase, section: str | None = None) -> tuple[str, ...]:
    """The rules taught: every recommendation rule, or a section's (in the knowledge base's order)."""
    check_section(kb, section)
    return tuple(r.id for r in kb.rules.values() if section is None or r.section == section)


def types_of(kb: KnowledgeBase, rule_id: str) -> tuple[str, ...]:
    """The tumor types a rule can apply to: its type section's, or every type for a general section."""
    section = kb.sections[kb.rules[rule_id].section]
    values = tuple(str(v) for v in kb.facts[TYPE_FACT].value_ids)
    if section.kind == "general":
        return values
    return tuple(v for v in values if kb.type_section_for(v) is section)


def witness_case(kb: KnowledgeBase, targets: Sequence[str], tumor_type: str) -> TeachingCase | None:
    """The smallest valid case of a type on which every target rule fires, or None when there is none.

    The engine must fire every target on it; a case it does not is not used
    (``kb check`` reports such a disagreement as a bug). Results are kept per
    knowledge base (at most :data:`MEMO_SIZE` of them): quizzes ask for the same
    sets of rules again and again.
    """
    memo = _witnesses.setdefault(kb, {})
    key = (frozenset(targets), tumor_type)
    if key not in memo:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = _witness_case(kb, targets, tumor_type)
    found = memo[key]
    return None if found is None else attrs.evolve(found, targets=tuple(targets))


MEMO_SIZE = 4096
"""The most witness cases kept per knowledge base."""

_witnesses: weakref.WeakKeyDictionary[
    KnowledgeBase, dict[tuple[frozenset[str], str], TeachingCase | None]
] = weakref.WeakKeyDictionary()


def _witness_case(kb: KnowledgeBase, targets: Sequence[str], tumor_type: str) -> TeachingCase | None:
    conditions: tuple[Condition, ...] = (FactTest(TYPE_FACT, "is", (tumor_type,)),)
    for rule_id in targets:
        conditions += kb.conditions_of(kb.rules[rule_id])
    try:
        space, assignment = witness(kb, conditions)
    except SearchTooBig:  # past the search's budget (an edited knowledge base): no teaching case from it
        return None
    if space is None or assignment is None:
        return None
    case = space.case(assignment)
    consultation = recommend(case, kb)
    if not set(targets) <= set(consultation.fired_rules):
        return None
    return TeachingCase(
        case, tuple(targets), consultation.fired_rules, tuple(o.id for o in consultation.treatments)
    )


_rule_cases: weakref.WeakKeyDictionary[KnowledgeBase, tuple[TeachingCase, ...]] = weakref.WeakKeyDictionary()


def rule_cases(kb: KnowledgeBase, section: str | None = None) -> tuple[TeachingCase, ...]:
    """One case per rule taught and type it applies to (made once per knowledge base), each case once."""
    every = _rule_cases.get(kb)
    if every is None:
        found: dict[str, TeachingCase] = {}
        for rule_id in kb.rules:
            for tumor_type in types_of(kb, rule_id):
                made = witness_case(kb, (rule_id,), tumor_type)
                if made is None:
                    continue
                same = found.get(made.key)  # one case may be the smallest for two rules
                found[made.key] = (
                    made if same is None else attrs.evolve(same, targets=same.targets + made.targets)
                )
        every = _rule_cases[kb] = tuple(found.values())
    taught = set(scope(kb, section))
    return tuple(c for c in every if taught & set(c.targets))
