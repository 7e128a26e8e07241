"""Silences: facts the case states that the source's words for it do not speak to (reading RD-10).

A case may state a fact with content (a true yes/no fact, a non-empty list, a
choice) that rules of its sections read, while no rule that fired used it: a
gastrinoma spread only to the lymph nodes (the section has bullets for the
liver and for other parts of the body, none for lymph nodes alone), an
insulinoma's tumor in the duodenum, severe symptoms when the cancer does not
mostly affect the liver. The consultation names each such fact rather than
passing over it, so that a student does not read the options as the source's
answer to every fact of the case. A gap (``gaps.py``) is the strong form: the
type's own section offers nothing at all.

What "reads" means comes from the knowledge base alone: a rule reads the facts
its own conditions test, directly or through the findings they chain on (the
section's condition, such as the tumor type, is what makes the section apply,
not something it speaks to). Nothing here names a fact or a rule. A silence is
told once per fact, for the first of the case's sections (in the source's
order) whose rules read it; when a rule that reads it is still waiting on a
fact the case does not state, the silence says so, as a gap does, since
unknown is not false. The rule is the contract's, word for word: a fact the
other facts imply (a tumor listed means a tumor was found) is still named when
no fired rule used it, since the source's words for the case do not speak to it.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import attrs

from pnet_expert.core.case import Patient
from pnet_expert.core.logic import Evaluator, Truth
from pnet_expert.core.schema import (
    CountTest,
    FactTest,
    FindingTest,
    KnowledgeBase,
    RuleSpec,
    SectionSpec,
    branches,
)
from pnet_expert.core.words import section_name, value_text
from pnet_expert.reasoning.cautions import plain
from pnet_expert.reasoning.checks import unknown_text
from pnet_expert.reasoning.relevance import Trials, live_rules

Branch = tuple[FactTest | CountTest | FindingTest, ...]


@attrs.frozen
class Silence:
    """A stated fact that rules of the case's sections read and no fired rule used.

    ``rules`` are the section's rules that read it; ``waiting`` those of the
    case's sections that could still speak of it, each with the facts it waits
    on (named for people), when the case leaves them unknown.
    """

    section: str
    title: str
    fact: str
    facts: Mapping[str, Any]
    text: str
    rules: tuple[str, ...]
    waiting: tuple[tuple[str, tuple[str, ...]], ...] = ()
    readings: tuple[str, ...] = ()
    """The readings that explain silences (ids; shown in full wherever they are cited)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's ``silences`` entry: section, facts, text (and the rules that read the
        fact, those waiting on unknown facts, and the readings that explain silences)."""
        return {
            "section": self.section,
            "facts": dict(self.facts),
            "text": self.text,
            "rules": list(self.rules),
            "waiting_on": [{"rule": r, "unknown": list(u)} for r, u in self.waiting],
            "readings": list(self.readings),
        }


def has_content(value: Any) -> bool:
    """Whether a stated value says something: not false, not an empty list."""
    return value is not None and value is not False and value != ()


def find_silences(
    kb: KnowledgeBase,
    patient: Patient,
    evaluator: Evaluator,
    used: Collection[str],
    trials: Trials | None = None,
) -> tuple[Silence, ...]:
    """The silences of a case, in the knowledge base's fact order (``used``: the facts fired rules used;
    ``trials``: the answers tried for this case, shared with the gaps)."""
    sections = case_sections(kb, patient)
    readers = _readers(kb)
    explaining = tuple(r.id for r in kb.readings_explaining("silences"))
    out = []
    for fact, value in patient.known:
        if fact in used or not has_content(value):
            continue
        reading = [(s, readers.of(s.id, fact)) for s in sections]
        reading = [(s, rules) for s, rules in reading if rules]
        if not reading:
            continue
        section, rules = reading[0]
        readers_of = [r for _, rs in reading for r in rs]
        waiting = _waiting(kb, patient, evaluator, fact, readers_of, readers, trials)
        name = section_name(section.title)
        text = f"the {name} section says nothing specific about {fact} = {value_text(value)}"
        if waiting:
            listed = "; ".join(
                f"{', '.join(unknown)} ({', '.join(ids)})" for unknown, ids in _grouped(waiting)
            )
            text += f" (not given, and could change this: {listed})"
        out.append(
            Silence(section.id, section.title, fact, {fact: plain(value)}, text, rules, waiting, explaining)
        )
    return tuple(out)


def case_sections(kb: KnowledgeBase, patient: Patient) -> tuple[SectionSpec, ...]:
    """The sections that apply to a case: its type's own, and the general ones, in the source's order."""
    own = kb.type_section_for(patient.tumor_type)
    return tuple(s for s in kb.sections.values() if s.kind == "general" or s is own)


def _waiting(
    kb: KnowledgeBase,
    patient: Patient,
    evaluator: Evaluator,
    fact: str,
    rule_ids: Sequence[str],
    readers: _Readers,
    trials: Trials | None,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The rules that read ``fact`` in a branch still undecided on this case, with what they wait on
    (those that no answer agreeing with the case could fire are left out, as in a gap)."""
    undecided: list[tuple[RuleSpec, frozenset[str]]] = []
    for rule_id in rule_ids:
        unknown: dict[str, None] = {}
        for branch, reads in readers.branches(rule_id):
            if fact not in reads:
                continue
            truth, outcomes = evaluator.all(branch)
            if truth is Truth.UNKNOWN:
                unknown.update(
                    dict.fromkeys(u for o in outcomes if o.truth is Truth.UNKNOWN for u in o.unknown)
                )
        if unknown:
            undecided.append((kb.rules[rule_id], frozenset(unknown)))
    if not undecided:
        return ()
    live = {rule.id for rule, _ in live_rules(kb, patient.to_dict(), tuple(undecided), trials)[0]}
    return tuple(
        (rule.id, tuple(unknown_text(kb, patient, u) for u in sorted(names, key=_name_order(kb))))
        for rule, names in undecided
        if rule.id in live
    )


def _name_order(kb: KnowledgeBase) -> Any:
    """Unknown names in the knowledge base's fact order (a record's field after its fact)."""
    rank = kb.ranks.facts

    def key(name: str) -> tuple[int, str]:
        return (rank.get(name.split("[", 1)[0], len(rank)), name)

    return key


def _grouped(waiting: Sequence[tuple[str, tuple[str, ...]]]) -> list[tuple[tuple[str, ...], list[str]]]:
    """The waiting rules grouped by what they wait on: ((resectable,), [INS-05, INS-06])."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for rule_id, unknown in waiting:
        groups.setdefault(unknown, []).append(rule_id)
    return list(groups.items())


class _Readers:
    """What the rules of a knowledge base read, worked out once: each section's readers of each fact,
    and each rule's branches with the facts each reads."""

    def __init__(self, kb: KnowledgeBase) -> None:
        from pnet_expert.core.space import facts_of

        self._facts_of = facts_of
        self.kb = kb
        self._readers: dict[str, dict[str, tuple[str, ...]]] = {}
        for section in kb.sections.values():
            by_fact: dict[str, list[str]] = {}
            for rule_id in section.rules:
                for fact in facts_of(kb, kb.rules[rule_id].when):
                    by_fact.setdefault(fact, []).append(rule_id)
            self._readers[section.id] = {f: tuple(rs) for f, rs in by_fact.items()}
        self._branches: dict[str, tuple[tuple[Branch, frozenset[str]], ...]] = {}

    def of(self, section: str, fact: str) -> tuple[str, ...]:
        """The rules of a section whose own conditions read a fact."""
        return self._readers.get(section, {}).get(fact, ())

    def branches(self, rule_id: str) -> tuple[tuple[Branch, frozenset[str]], ...]:
        """A rule's whole condition in disjunctive normal form, each branch with the facts it reads."""
        found = self._branches.get(rule_id)
        if found is None:
            conditions = self.kb.conditions_of(self.kb.rules[rule_id])
            found = tuple((b, frozenset(self._facts_of(self.kb, b))) for b in branches(conditions))
            self._branches[rule_id] = found
        return found


_readers_of: weakref.WeakKeyDictionary[KnowledgeBase, _Readers] = weakref.WeakKeyDictionary()


def _readers(kb: KnowledgeBase) -> _Readers:
    """The readers of a knowledge base, made on first use (a race makes them twice, harmlessly)."""
    found = _readers_of.get(kb)
    if found is None:
        found = _readers_of[kb] = _Readers(kb)
    return found
