"""The finite space of cases that a set of conditions can tell apart.

The verifier never samples. A condition tests only some facts, and each fact
has finitely many values that matter: a boolean is true, false or unknown; a
set is one of its subsets or unknown; a list of tumors matters only through the
counts the knowledge base takes of it (how many tumors lie in the pancreas, the
fields of the one tumor it carries), so a few representative lists stand
for all the others. A :class:`CaseSpace` holds one dimension per relevant fact;
every other fact is left unknown, which can neither make a condition hold nor
break a constraint between facts, so nothing is lost by leaving it out.

Unknown is a value of its own here ("unknown is not false"): a rule that holds
only while a fact is unknown is still a rule that fires on some valid case.
Cases are validated with :func:`~pnet_expert.core.case.validate_case`
(the constraints of facts.yaml) and conditions are decided by
:class:`~pnet_expert.core.logic.Evaluator`; both answers are cached per case.

Every search here has a budget (docs/limits.md): the representative lists of
records are found within a number of steps, and a search tests at most a
number of conditions on the cases it visits (and the searches sharing a
:class:`Cache`, a number in all). Past its budget a search raises :class:`SearchTooBig`, and
its caller says that it did not explore everything, rather than run for hours
on an edited knowledge base whose counts or facts make the space huge.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, TypeAlias

import attrs

from pnet_expert.core.case import validate_case
from pnet_expert.core.errors import CaseError
from pnet_expert.core.limits import CHECK_LISTS, CHECK_SEARCH
from pnet_expert.core.logic import Evaluator, Truth, count_truth
from pnet_expert.core.records import FactValue, Record
from pnet_expert.core.schema import (
    Condition,
    CountTest,
    FactSpec,
    FindingTest,
    KnowledgeBase,
    RuleSpec,
    iter_tests,
)

Value: TypeAlias = FactValue
"""A known value of a fact, hashable: sets are tuples of values, records tuples of Records."""

Assignment: TypeAlias = tuple[tuple[str, Value], ...]
"""The known facts of a case in the space, in the space's dimension order; the rest are unknown."""


CACHED_CASES = 50_000
"""How many cases (and rule truths) a :class:`Cache` keeps before it starts afresh: memory stays bounded."""


class SearchTooBig(Exception):
    """A search went past its budget: what it was looking for was not fully explored."""

    def __init__(self, budget: int, what: str = "the cases of this search") -> None:
        super().__init__(f"{what}: past {budget:,}")
        self.what, self.budget = what, budget


@attrs.frozen
class Dimension:
    """One relevant fact and the values that matter (``None`` is unknown, when the space allows it)."""

    fact: str
    values: tuple[Value | None, ...]
    required: bool = False

    @property
    def known(self) -> tuple[Value, ...]:
        """The values other than unknown."""
        return tuple(v for v in self.values if v is not None)


def facts_of(kb: KnowledgeBase, conditions: Iterable[Condition]) -> tuple[str, ...]:
    """The case facts a list of conditions reads, through the findings it tests, in the KB's fact order."""
    seen: set[str] = set()
    findings: set[str] = set()

    def walk(group: tuple[Condition, ...]) -> None:
        for test in iter_tests(group):
            if not isinstance(test, FindingTest):
                seen.add(test.fact)
            elif test.finding in kb.findings and test.finding not in findings:
                findings.add(test.finding)
                walk(kb.findings[test.finding].rule.when)

    walk(tuple(conditions))
    return tuple(f for f in kb.facts if f in seen)


def rule_facts(kb: KnowledgeBase, rule: RuleSpec) -> tuple[str, ...]:
    """The facts a rule reads, its section's condition included."""
    return facts_of(kb, kb.conditions_of(rule))


def _count_tests(kb: KnowledgeBase, fact: str) -> list[CountTest]:
    """Every count the knowledge base takes of a records fact (findings, rules, sections, constraints)."""
    groups: list[tuple[Condition, ...]] = [f.rule.when for f in kb.findings.values()]
    groups += [r.when for r in kb.rules.values()]
    groups += [s.applies_when for s in kb.sections.values()]
    groups += [(*c.if_, c.then) for c in kb.constraints]
    return [t for g in groups for t in iter_tests(g) if isinstance(t, CountTest) and t.fact == fact]


def _length_bound(optional: Collection[str], tests: Sequence[CountTest], complete: bool) -> int:
    """How many records a representative list needs, at most, to meet every combination of counts.

    Each distinct filter needs as many matching records as its largest count
    (one more for ``exactly``); a filter on an optional field counts unsure
    matches apart, so it needs twice as many when such fields may be unknown.
    """
    caps: dict[tuple[tuple[str, tuple[str, ...]], ...], int] = {}
    for t in tests:
        need = (t.exactly + 1) if t.exactly is not None else (t.at_least or 0)
        if not complete and any(name in optional for name, _ in t.where):
            need *= 2
        caps[t.where] = max(caps.get(t.where, 0), need)
    return max(1, sum(caps.values()))


def _record_fields(kbs: tuple[KnowledgeBase, ...], fact: str) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Each field of a records fact in any of the knowledge bases: required or not, and its values.

    As for choices, the values of every knowledge base: a record one of them
    does not allow makes an invalid case there.
    """
    fields: dict[str, tuple[bool, dict[str, None]]] = {}
    for kb in kbs:
        for field in kb.facts[fact].fields if fact in kb.facts else ():
            fields.setdefault(field.id, (field.required, {}))[1].update(dict.fromkeys(field.value_ids))
    return {name: (required, tuple(values)) for name, (required, values) in fields.items()}


def record_values(
    kbs: tuple[KnowledgeBase, ...], fact: str, complete: bool, budget: int = CHECK_LISTS
) -> tuple[tuple[Record, ...], ...]:
    """Representative lists of records: one per distinct outcome of every count taken of the fact.

    Two lists that every count test (and every field it carries) sees
    alike are alike to every rule, so the shortest, first in the knowledge
    base's value order, stands for all. With ``complete``, optional fields are
    given wherever a count can see them. Cached per knowledge base (a
    knowledge base is never changed once loaded), and so is a search that went
    past its ``budget`` of steps: :class:`SearchTooBig`, at once, every time.
    """
    found = _record_values(kbs, fact, complete, budget)
    if found is None:
        raise SearchTooBig(budget, what=f"the lists of {fact} the counts tell apart")
    return found


@functools.lru_cache(maxsize=64)
def _record_values(
    kbs: tuple[KnowledgeBase, ...], fact: str, complete: bool, budget: int
) -> tuple[tuple[Record, ...], ...] | None:
    """:func:`record_values`, or None past the budget."""
    fields = _record_fields(kbs, fact)
    field_ids = tuple(fields)
    per_field = [values if required or complete else (None, *values) for required, values in fields.values()]
    tests = tuple(t for kb in kbs for t in _count_tests(kb, fact))
    if math.prod(len(values) for values in per_field) > budget:
        return None
    # Records that every count sees alike (matched or not, carrying the same values) are
    # interchangeable in any list: the first of each kind, in the KB's order, stands for all.
    kinds: dict[RecordSeen, Record] = {}
    for given in itertools.product(*per_field):
        known = tuple((f, v) for f, v in zip(field_ids, given, strict=True) if v is not None)
        record = Record(known, field_ids)
        kinds.setdefault(_record_seen(tests, record), record)
    optional = [name for name, (required, _) in fields.items() if not required]
    bound = _length_bound(optional, tests, complete)
    found = _representatives(tests, tuple(kinds.items()), bound, budget)
    if found is None:
        return None
    if not complete:
        return tuple(records for _, records in found)
    # A complete list still need not say what no count can see (the size of a
    # tumor in the duodenum): such fields are dropped, for plainer examples.
    simplified = []
    for key, records in found:
        for i, name in itertools.product(range(len(records)), optional):
            fewer = (*records[:i], records[i].without(name), *records[i + 1 :])
            if _outcome(tests, _state_of(tests, fewer)) == key:
                records = fewer
        simplified.append(records)
    return tuple(simplified)


RecordSeen: TypeAlias = tuple[tuple[bool | None, tuple[str | None, ...]], ...]
"""What each count test sees of one record: whether it matches, and the values it would carry."""

CountState: TypeAlias = tuple[tuple[int, int, tuple[str | None, ...]], ...]
"""What each count test has seen of a list: records that match and that might (each clipped
where more would change nothing), and the values of the one match it would carry."""


def _record_seen(tests: Sequence[CountTest], record: Record) -> RecordSeen:
    """What every count test sees of one record."""
    out = []
    for test in tests:
        matched = test.matches(record)
        out.append((matched, tuple(record.get(f) for f in test.carry) if matched else ()))
    return tuple(out)


def _caps(tests: Sequence[CountTest]) -> tuple[tuple[bool, int], ...]:
    """Each count as (is it ``exactly``, its number): what :func:`_count` needs to clip a state."""
    return tuple(
        (t.exactly is not None, t.exactly if t.exactly is not None else (t.at_least or 0)) for t in tests
    )


def _count(n_true: int, n_unsure: int, exact: bool, number: int) -> tuple[int, int]:
    """Records that match and that might, clipped where more could change nothing, now or later.

    ``at_least: k``: past k matches the count holds for good, and unsure
    records matter only up to what is missing. ``exactly: k``: past k matches
    it fails for good; unsure records matter up to what is missing, and
    whether there is one. Lists in one clipped state stay alike whatever is
    added to them, so the walk may keep one of them.
    """
    if exact:
        if n_true > number:
            return number + 1, 0
        return n_true, min(n_unsure, max(number - n_true, 1))
    if n_true >= number:
        return number, 0
    return n_true, min(n_unsure, number - n_true)


Change: TypeAlias = tuple[tuple[int, bool | None, tuple[str | None, ...], bool, int], ...]
"""What one kind of record changes in a state: (count, matched or might, values carried, exactly?, number)."""


def _change(seen: RecordSeen, caps: tuple[tuple[bool, int], ...]) -> Change:
    """The counts one kind of record touches (it matches, or might), with how each is clipped."""
    return tuple((i, m, v, *caps[i]) for i, (m, v) in enumerate(seen) if m is not False)


def _add(state: CountState, seen: RecordSeen, caps: tuple[tuple[bool, int], ...]) -> CountState:
    """The state of a list once one more record is in it."""
    return _added(state, _change(seen, caps))


def _added(state: CountState, change: Change) -> CountState:
    """The state of a list once one more record of a kind is in it (only the counts it touches change)."""
    if not change:
        return state
    out = list(state)
    for i, matched, values, exact, number in change:
        n_true, n_unsure, carried = out[i]
        if matched:
            n_true, n_unsure = _count(n_true + 1, n_unsure, exact, number)
            carried = values if n_true == 1 else ()  # a count carries from exactly one match
        else:
            n_true, n_unsure = _count(n_true, n_unsure + 1, exact, number)
        out[i] = (n_true, n_unsure, carried)
    return tuple(out)


def _state_of(tests: Sequence[CountTest], records: Iterable[Record]) -> CountState:
    """What every count test has seen of a list of records."""
    caps, state = _caps(tests), _empty(tests)
    for record in records:
        state = _add(state, _record_seen(tests, record), caps)
    return state


def _empty(tests: Sequence[CountTest]) -> CountState:
    return tuple((0, 0, ()) for _ in tests)


def _outcome(tests: Sequence[CountTest], state: CountState) -> tuple[Any, ...]:
    """What every count test says of a list in this state: its truth and, when true, what it carries.

    The truth is :func:`~pnet_expert.core.logic.count_truth`'s, the evaluator's
    own; the clipped numbers give the same truths as the real ones.
    """
    out = []
    for test, (n_true, n_unsure, carried) in zip(tests, state, strict=True):
        truth = count_truth(test, n_true, n_unsure)
        out.append((truth, carried if truth is Truth.TRUE and test.carry else ()))
    return tuple(out)


def _representatives(
    tests: Sequence[CountTest], kinds: Sequence[tuple[RecordSeen, Record]], bound: int, budget: int
) -> list[tuple[tuple[Any, ...], tuple[Record, ...]]] | None:
    """For each outcome of the counts, the shortest list of at most ``bound`` records that has it,
    first in the knowledge base's order (lists as sorted tuples of kinds); shortest first.

    It walks the states of lists, not the lists: the lists of up to ``bound``
    records run into the millions once a count reads an optional field, their
    states into the hundreds. Two lists in one state stay alike whatever is
    added to them, so each state is reached from the first list that reaches
    it, shortest first; adding a record to the first of two lists keeps it
    first, so the list kept for each outcome is the one the lists' order
    would give. Each state tried with each kind of record is a step; past
    ``budget`` steps the walk gives up (None).
    """
    caps = _caps(tests)
    start = _empty(tests)
    best: dict[CountState, tuple[int, ...]] = {start: ()}
    frontier = [start]
    steps = 0
    # What each kind of record changes: only the counts it matches (or might), not every count.
    changes = [_change(seen, caps) for seen, _ in kinds]
    for _ in range(bound):
        found: dict[CountState, tuple[int, ...]] = {}
        for state in frontier:
            base = best[state]
            steps += len(kinds)
            if steps > budget:
                return None
            for index, change in enumerate(changes):
                after = _added(state, change)
                if after in best:
                    continue
                candidate = tuple(sorted((*base, index)))
                if after not in found or candidate < found[after]:
                    found[after] = candidate
        if not found:
            break
        best.update(found)
        frontier = list(found)
    shortest: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for state, indices in best.items():
        key = _outcome(tests, state)
        if key not in shortest or (len(indices), indices) < (len(shortest[key]), shortest[key]):
            shortest[key] = indices
    ordered = sorted(shortest.items(), key=lambda item: (len(item[1]), item[1]))
    return [(key, tuple(kinds[i][1] for i in indices)) for key, indices in ordered]


def _subsets(values: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [c for n in range(len(values) + 1) for c in itertools.combinations(values, n)]


@attrs.define
class Cache:
    """What is known of cases already: their evaluators (None: not valid) and their rules' truths.

    Spaces over the same knowledge bases may share one, so that a case met
    again (from another space's walk) is validated and evaluated once. ``left``
    is how many condition tests the spaces sharing it may still make in all (None: no total),
    so that a whole ``kb check`` stays within its budget however many searches it makes.
    """

    evaluators: dict[tuple[int, frozenset[tuple[str, Value]]], Evaluator | None] = attrs.Factory(dict)
    truths: dict[tuple[int, str, frozenset[tuple[str, Value]]], Truth] = attrs.Factory(dict)
    reads: dict[tuple[int, str], frozenset[str]] = attrs.Factory(dict)
    left: int | None = None

    def spend(self, cost: int = 1) -> None:
        """Count the tests of one more case visited; past the total, :class:`SearchTooBig`."""
        if self.left is not None:
            self.left -= cost
            if self.left < 0:
                raise SearchTooBig(0, what="the cases of this whole run")


class CaseSpace:
    """The cases over some facts (every other fact unknown), with validation and evaluation cached.

    ``kbs`` are the knowledge bases the cases are checked against (two for a
    diff). With ``complete``, every relevant fact is known (gaps are about
    what the source says of fully described cases); otherwise each fact may
    also be unknown.
    """

    def __init__(
        self,
        kbs: Sequence[KnowledgeBase],
        facts: Iterable[str],
        *,
        complete: bool = False,
        cache: Cache | None = None,
        budget: int = CHECK_SEARCH,
        lists: int = CHECK_LISTS,
    ):
        self.kbs = tuple(kbs)
        self.complete = complete
        self.budget = budget
        self.lists = lists
        self.visited = 0
        """The condition tests the searches of this space have made so far (past ``budget``: SearchTooBig)."""
        self.dimensions = tuple(self._dimension(f) for f in dict.fromkeys(facts))
        self.cache = cache if cache is not None else Cache()
        first = self.kbs[0]
        # Knowledge bases with the same facts and constraints accept the same cases: validate once.
        self._same_cases = all(
            dict(kb.facts) == dict(first.facts) and kb.constraints == first.constraints for kb in self.kbs
        )

    def _spec(self, fact: str) -> FactSpec:
        return next(kb.facts[fact] for kb in self.kbs if fact in kb.facts)

    def _dimension(self, fact: str) -> Dimension:
        spec = self._spec(fact)
        known: tuple[Value, ...]
        if spec.kind == "boolean":
            known = (True, False)
        elif spec.kind == "choice":
            # The values of every knowledge base: a value one of them lacks makes an invalid case there.
            ids = {v: None for kb in self.kbs if fact in kb.facts for v in kb.facts[fact].value_ids}
            known = tuple(str(v) for v in ids)
        elif spec.kind == "set":
            ids = {v: None for kb in self.kbs if fact in kb.facts for v in kb.facts[fact].value_ids}
            known = tuple(_subsets(tuple(str(v) for v in ids)))
        else:
            known = record_values(self.kbs, fact, self.complete, self.lists)
        unknown_allowed = not self.complete and not spec.required
        return Dimension(fact, ((None, *known) if unknown_allowed else known), spec.required)

    @property
    def facts(self) -> tuple[str, ...]:
        """The relevant facts, in the space's order."""
        return tuple(d.fact for d in self.dimensions)

    @property
    def size(self) -> int:
        """How many cases the space holds."""
        total = 1
        for d in self.dimensions:
            total *= len(d.values)
        return total

    def case(self, assignment: Assignment, kb: KnowledgeBase | None = None) -> dict[str, Any]:
        """The case as plain data (a case file's mapping); a required fact it does not know (the
        tumor type, for a general section's rule) takes its first value."""
        kb = kb or self.kbs[0]
        given = dict(assignment)
        out: dict[str, Any] = {}
        for fact in kb.facts.values():
            if fact.id in given:
                out[fact.id] = plain(given[fact.id])
            elif fact.required:
                out[fact.id] = fact.value_ids[0]
        for name, value in assignment:
            if name not in out:  # a fact this knowledge base lacks: validation names it
                out[name] = plain(value)
        return out

    def evaluator(self, assignment: Assignment, kb_index: int = 0) -> Evaluator | None:
        """An evaluator for the case, or None when the case is not valid in that knowledge base."""
        key = (kb_index, frozenset(assignment))
        evaluators = self.cache.evaluators
        if key not in evaluators:
            if len(evaluators) >= CACHED_CASES:  # memory stays bounded: forgetting only costs time
                evaluators.clear()
            kb = self.kbs[kb_index]
            if kb_index and self._same_cases:
                shared = self.evaluator(assignment, 0)
                evaluators[key] = None if shared is None else Evaluator(kb, shared.patient)
                return evaluators[key]
            try:
                patient = validate_case(self.case(assignment, kb), kb)
            except CaseError:
                evaluators[key] = None
            else:
                evaluators[key] = Evaluator(kb, patient)
        return evaluators[key]

    def truth(self, assignment: Assignment, conditions: tuple[Condition, ...], kb_index: int = 0) -> Truth:
        """Whether the conditions hold on a case (the case must be valid)."""
        evaluator = self.evaluator(assignment, kb_index)
        assert evaluator is not None
        return evaluator.all(conditions)[0]

    def rule_truth(self, assignment: Assignment, rule: RuleSpec, kb_index: int = 0) -> Truth:
        """Whether a rule's whole condition holds on a (valid) case.

        A rule reads only some facts, so its truth is that on the case cut down
        to those facts (still a valid case: forgetting a fact never breaks a
        constraint); it is cached per rule and cut-down case, which many cases share.
        """
        reads = self.cache.reads.get((kb_index, rule.id))
        if reads is None:
            reads = frozenset(rule_facts(self.kbs[kb_index], rule))
            self.cache.reads[(kb_index, rule.id)] = reads
        cut = frozenset((name, value) for name, value in assignment if name in reads)
        key = (kb_index, rule.id, cut)
        truths = self.cache.truths
        if key not in truths:
            if len(truths) >= CACHED_CASES:
                truths.clear()
            conditions = self.kbs[kb_index].conditions_of(rule)
            truths[key] = self.truth(self.ordered(dict(cut)), conditions, kb_index)
        return truths[key]

    # ------------------------------------------------------------ walking the space

    def roots(self) -> list[Assignment]:
        """The cases that know only what every case must: one per combination of required values."""
        required = [d for d in self.dimensions if d.required]
        return [
            self.ordered({d.fact: v for d, v in zip(required, combo, strict=True)})
            for combo in itertools.product(*(d.known for d in required))
        ]

    def refinements(self, assignment: Assignment) -> Iterator[Assignment]:
        """The cases one more known fact away, each reached once from a root.

        A case is refined only on optional dimensions after its last known
        optional one, so the tree these edges form visits every case once. (In
        a complete space, every case of the tree is a partial case.)
        """
        given = dict(assignment)
        optional = [i for i, d in enumerate(self.dimensions) if not d.required]
        start = max((n + 1 for n, i in enumerate(optional) if self.dimensions[i].fact in given), default=0)
        for i in optional[start:]:
            d = self.dimensions[i]
            for value in d.known:
                yield self.ordered({**given, d.fact: value})

    def ordered(self, given: dict[str, Value]) -> Assignment:
        """Known facts as an assignment, in the space's dimension order."""
        return tuple((d.fact, given[d.fact]) for d in self.dimensions if d.fact in given)

    def by_known_count(self, keep: Callable[[Assignment], bool], cost: int = 1) -> Iterator[Assignment]:
        """Every case, fewest known facts first, skipping the refinements of cases ``keep`` rejects.

        ``keep(case)`` is asked once per case; when it says no, no case that
        knows more than this one is visited from it. That is sound for every
        question the verifier asks, because the three-valued logic is
        monotone: a condition that is true (or false) with a fact unknown stays
        so whatever the fact turns out to be, and an invalid case stays invalid.

        Each case visited costs ``cost`` against the budget (the conditions
        ``keep`` tests on it). The cases waiting for the next level count as
        they are made: each will be visited, and a level that alone would pass
        the budget is not even made (:class:`SearchTooBig`).
        """
        level = self.roots()
        while level:
            following: list[Assignment] = []
            for case in level:
                self.visit(cost)
                if keep(case):
                    yield case
                    following.extend(self.refinements(case))
                    if self.visited + len(following) * cost > self.budget:
                        raise SearchTooBig(self.budget)
            level = following

    def visit(self, cost: int = 1) -> None:
        """Count one case visited by a search of this space, at the cost of the conditions it tests there:
        past the space's budget (or the shared cache's total), :class:`SearchTooBig`."""
        self.visited += cost
        if self.visited > self.budget:
            raise SearchTooBig(self.budget)
        self.cache.spend(cost)


def plain(value: Value) -> Any:
    """A value as a case file writes it: lists for sets and records."""
    if isinstance(value, tuple):
        return [v.to_dict() if isinstance(v, Record) else v for v in value]
    return value


def witness(
    kb: KnowledgeBase, conditions: tuple[Condition, ...], cache: Cache | None = None
) -> tuple[CaseSpace, Assignment] | tuple[None, None]:
    """The smallest valid case (fewest known facts) on which every condition holds, if there is one.

    ``kb check`` proves reachability with it; the knowledge-base report and the
    cautions' check ask it whether a rule can fire together with a caution's condition.
    Raises :class:`SearchTooBig` past the search's budget.
    """
    space = CaseSpace([kb], facts_of(kb, conditions), cache=cache)

    def keep(case: Assignment) -> bool:
        evaluator = space.evaluator(case)
        return evaluator is not None and evaluator.all(conditions)[0] is not Truth.FALSE

    for case in space.by_known_count(keep, len(conditions) + 1):
        if space.truth(case, conditions) is Truth.TRUE:
            return space, case
    return None, None
