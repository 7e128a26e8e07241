"""What is still worth asking about a case: three-valued reasoning over the knowledge base.

The interview asks a fact only while it can change the options. This module
decides that, for a case as far as it is known, with
:class:`pnet_expert.core.logic.Evaluator` and the knowledge base's own conditions
and constraints; nothing here names a fact, a rule or a value.

- The rules that count are those of the case's sections: its type's own
  section and the general ones.
- A rule is *undecided* when its conditions are unknown (neither met nor
  false). The evaluator names what it does not know: a fact (``resectable``,
  ``tumors``) or one field of one record (``tumors[0].size``).
- A name is tried with each possible answer that agrees with the rest of the
  case (the constraints of ``facts.yaml``). A rule is *ruled out* when its
  conditions are false, or when every such answer to one name it waits on
  makes them false: leaving that name unknown cannot fire it either, since
  unknown fires nothing.
- A name is *needed* when some agreeing answer leaves a rule that is not
  ruled out able to fire.
- Trying is bounded: a set fact of many values, or a list of records whose
  representative lists are past the search budget (``consult_search``, an
  edited knowledge base with many counts), is not tried. Its name is then
  *untried*: every rule waiting on it stays open (never ruled out unseen), and
  a gap says that what could change it was not fully explored.
- **Unknown is an answer.** A fact (or a record's field) the case gives as
  null was asked and answered "unknown": it stays unknown, so a rule that needs
  it known can no longer fire and waits on nothing through it (the evaluator's
  ``settled`` names). A fact left out was not asked yet, and may still be.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import attrs

from pnet_expert.core.case import Patient, validate_case
from pnet_expert.core.errors import InputError
from pnet_expert.core.limits import CONSULT_SEARCH, CONSULT_TRIALS
from pnet_expert.core.logic import FIELD_SLOT, Evaluator, Truth, field_slot, slot_fact
from pnet_expert.core.schema import AnyOf, CountTest, FactSpec, FactTest, KnowledgeBase, RuleSpec, iter_tests

MAX_TRIALS = CONSULT_TRIALS
"""How many trial answers one name may be tried with; past that it is taken as needed, untried."""


Case = Mapping[str, Any]
Waiting = tuple[tuple[RuleSpec, frozenset[str]], ...]


@attrs.frozen
class Relevance:
    """A case as far as it is known, the rules that can still fire on it, and the names worth asking.

    ``live`` holds each rule that is neither met nor ruled out, with the names
    it does not know; ``needed`` the names for which some agreeing answer
    would leave a live rule able to fire; ``settled`` the names answered
    unknown. ``evaluator`` reads the case as explanations do (a name answered
    unknown is unknown); ``judge`` as what can still fire does (it is false).
    """

    patient: Patient
    evaluator: Evaluator
    live: Waiting
    needed: frozenset[str]
    untried: frozenset[str] = frozenset()
    """The names whose answers were too many to try (their rules were kept open)."""
    settled: frozenset[str] = frozenset()
    judge: Evaluator | None = None

    def waiting_on(self, name: str) -> tuple[RuleSpec, ...]:
        """The live rules that wait on one name."""
        return tuple(rule for rule, unknown in self.live if name in unknown)


def assess(kb: KnowledgeBase, case: Case) -> Relevance:
    """Evaluate the case's rules in three values, then try each answer to each name they wait on.

    ``case`` is a case mapping with the required facts (CaseError otherwise); a
    fact or field given as null was answered unknown (:func:`answered_unknown`).
    """
    patient = validate_case(case, kb)
    settled = answered_unknown(kb, case)
    judge = Evaluator(kb, patient, settled)
    own = kb.type_section_for(patient.tumor_type)
    sections = {s.id for s in kb.sections.values() if s.kind == "general" or s is own}
    undecided: list[tuple[RuleSpec, frozenset[str]]] = []
    for rule in kb.rules.values():
        if rule.section not in sections:
            continue
        truth, outcomes = judge.all(kb.conditions_of(rule))
        if truth is Truth.UNKNOWN:
            unknown = frozenset(u for o in outcomes if o.truth is Truth.UNKNOWN for u in o.unknown)
            undecided.append((rule, unknown))
    live, alive, untried = _live(kb, case, undecided, settled=settled)
    live_ids = {rule.id for rule, _ in live}
    needed = frozenset(
        name
        for name, rules in alive.items()
        if (bool(rules & live_ids) if rules is not None else any(name in u for _, u in live))
    )
    evaluator = Evaluator(kb, patient) if settled else judge
    return Relevance(patient, evaluator, live, needed, untried, settled, judge)


def answered_unknown(kb: KnowledgeBase, case: Case) -> frozenset[str]:
    """The names a case gives as null: facts (``resectable: null``) and records' fields
    (``tumors[0].size``) that were asked and answered unknown. A name left out is not among them."""
    names: set[str] = set()
    for fact, value in case.items():
        spec = kb.facts.get(fact)
        if spec is None:
            continue
        if value is None:
            names.add(fact)
        elif spec.kind == "records" and isinstance(value, list | tuple):
            for index, record in enumerate(value):
                plain = record.to_dict() if hasattr(record, "to_dict") else record
                names.update(
                    field_slot(fact, index, f.id)
                    for f in spec.fields
                    if isinstance(plain, Mapping) and f.id in plain and plain[f.id] is None
                )
    return frozenset(names)


Trials = dict[str, "list[Evaluator] | None"]
"""For one case: each name tried, with an evaluator per answer that agrees with the case (None: not tried)."""


def live_rules(
    kb: KnowledgeBase, case: Case, undecided: Waiting, trials: Trials | None = None
) -> tuple[Waiting, frozenset[str]]:
    """The undecided rules not ruled out (for each name they wait on, some agreeing answer keeps them
    open), and the names that were too many answers to try (their rules were kept open unseen).

    ``trials``, kept by the caller for one case, spares validating the same trial answers
    twice (a consultation's gaps and silences ask about the same case).
    """
    live, _, untried = _live(kb, case, list(undecided), trials)
    return live, untried


def _live(
    kb: KnowledgeBase,
    case: Case,
    undecided: list[tuple[RuleSpec, frozenset[str]]],
    trials: Trials | None = None,
    settled: frozenset[str] = frozenset(),
) -> tuple[Waiting, dict[str, set[str] | None], frozenset[str]]:
    names = dict.fromkeys(name for _, unknown in undecided for name in unknown)
    restricted = restricted_facts(kb, case)
    # Conditions are positive tests: an unknown name always has an answer that meets the
    # tests on it, unless a constraint holds that answer against the case's other facts.
    # Only names of such facts are tried; for the others every waiting rule stays open.
    cache: Trials = {} if trials is None else trials
    alive: dict[str, set[str] | None] = {}
    untried: set[str] = set()
    for name in names:
        if slot_fact(name) not in restricted:
            alive[name] = None
            continue
        alive[name] = _alive_under(kb, case, name, undecided, cache, settled)
        if alive[name] is None:
            untried.add(name)
    live = tuple(
        (rule, unknown)
        for rule, unknown in undecided
        if not any((a := alive[n]) is not None and rule.id not in a for n in unknown)
    )
    return live, alive, frozenset(untried)


def restricted_facts(kb: KnowledgeBase, case: Case) -> frozenset[str]:
    """The unknown facts that a constraint could hold against some answer, given the known ones.

    A constraint is broken only when its ``if`` holds and its ``then`` is false, and an
    unknown fact never makes a positive test hold: so a constraint can restrict the
    answer to one unknown fact only when every other fact it names is known (or when it
    has an ``any``, where one known option can hold alone).
    """
    facts: set[str] = set()
    for constraint in kb.constraints:
        conditions = (*constraint.if_, constraint.then)
        named = {t.fact for t in iter_tests(conditions) if isinstance(t, FactTest | CountTest)}
        unknown = {f for f in named if case.get(f) is None}
        if len(unknown) == 1 or any(isinstance(c, AnyOf) for c in conditions):
            facts |= unknown
    return frozenset(facts)


def _alive_under(
    kb: KnowledgeBase,
    case: Case,
    name: str,
    undecided: list[tuple[RuleSpec, frozenset[str]]],
    trials: Trials,
    settled: frozenset[str] = frozenset(),
) -> set[str] | None:
    """The rules waiting on ``name`` that some agreeing answer leaves not false (None: not tried)."""
    if name not in trials:
        trials[name] = _agreeing(kb, case, name, settled)
    agreeing = trials[name]
    if agreeing is None:
        return None
    waiting = [rule for rule, unknown in undecided if name in unknown]
    alive: set[str] = set()
    for evaluator in agreeing:
        alive.update(r.id for r in waiting if evaluator.all(kb.conditions_of(r))[0] is not Truth.FALSE)
    return alive


def _agreeing(
    kb: KnowledgeBase, case: Case, name: str, settled: frozenset[str] = frozenset()
) -> list[Evaluator] | None:
    """An evaluator for each answer to ``name`` that agrees with the rest of the case (None: not tried)."""
    trials = trial_cases(kb, case, name)
    if trials is None:
        return None
    out = []
    for trial in trials:
        try:
            out.append(Evaluator(kb, validate_case(trial, kb), settled))
        except InputError:
            continue  # that answer would contradict the rest of the case
    return out


def trial_cases(kb: KnowledgeBase, case: Case, name: str) -> list[dict[str, Any]] | None:
    """The case with each possible answer for one unknown name (None: too many to try, or not a name)."""
    match = FIELD_SLOT.fullmatch(name)
    if match is not None:
        fact, index, field = match.group(1), int(match.group(2)), match.group(3)
        return _field_trials(kb.facts[fact], case, index, field)
    spec = kb.facts.get(name)
    if spec is None:
        return None
    values = _record_lists(kb, spec) if spec.kind == "records" else _values(spec)
    return None if values is None else [{**case, spec.id: value} for value in values]


def _values(spec: FactSpec) -> list[Any] | None:
    """Every answer to a boolean or choice fact; every subset of a set fact's values."""
    if spec.kind != "set":
        return list(spec.value_ids)
    ids = list(spec.value_ids)
    if 2 ** len(ids) > MAX_TRIALS:
        return None
    return [list(c) for n in range(len(ids) + 1) for c in itertools.combinations(ids, n)]


def _record_lists(kb: KnowledgeBase, spec: FactSpec) -> list[Any] | None:
    """One list of records per outcome of every count the knowledge base takes of the fact.

    The same representatives ``kb check`` reasons over (``verify.space``): lists
    long enough for every combination of counts, each kind of record once.
    """
    from pnet_expert.core.space import SearchTooBig, plain, record_values

    try:
        found = record_values((kb,), spec.id, False, CONSULT_SEARCH)
    except SearchTooBig:
        return None
    lists = [plain(records) for records in found]
    return None if len(lists) > MAX_TRIALS else lists


def _field_trials(spec: FactSpec, case: Case, index: int, field: str) -> list[dict[str, Any]]:
    """The case with each possible value of one field of one record."""
    trials = []
    for value in spec.field(field).value_ids:
        records = [dict(r) for r in case[spec.id]]
        records[index][field] = value
        trials.append({**case, spec.id: records})
    return trials
