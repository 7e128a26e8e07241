"""Which question to ask next: of those that can still change the options, one that leaves the fewest.

:mod:`pnet_expert.reasoning.relevance` says which names are worth asking (a
fact, how many records, one field of one record). Often several are, and then
the order can matter: once a tumor is listed, whether a tumor was found can
change nothing; once the tumor has recurred, "continues to grow or has
recurred" is settled and growth need not be asked. No fixed order suits every
case, so the next question is chosen for the case as it stands, from the
knowledge base alone:

1. The names worth asking are taken in the knowledge base's order of facts
   (a record's fields after its count). The first is asked now when nothing
   can spare it: whatever the answers to the other names that share a rule or
   a constraint with it, a rule will still wait on it. Asking it first costs
   nothing, since it will be asked anyway, and its answer can only spare others.
2. Otherwise it and those other names are the candidates. For each, every
   answer that agrees with the case so far is tried, "unknown" included (an
   answer that stays unknown), and the case is assessed again. The
   **questions to follow** an answer are those it brings (how many tumors
   brings each one's site) and those still worth asking after it (how many
   records counting one plus the required fields of an average list).
3. The candidate chosen has the fewest questions to follow, on average over
   its answers, each answer counting alike. Ties go to the one whose answers
   settle more of the rules still waiting (decide whether they fire), on
   average; then to the fact that fewer rules and findings of the whole
   knowledge base read (the narrower question: a fixed choice, made from the
   knowledge base's data, between questions that are equally good for this
   case); then to the knowledge base's order.

A tumor list is tried as one list of sites per outcome of the counts the
knowledge base takes (the representatives of :mod:`pnet_expert.core.space`),
sizes left to their own questions. Nothing here names a fact, a rule or a value.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from pnet_expert.core.case import validate_case
from pnet_expert.core.errors import CaseError
from pnet_expert.core.limits import CONSULT_SEARCH
from pnet_expert.core.logic import FIELD_SLOT, slot_fact
from pnet_expert.core.schema import CountTest, FactTest, FindingTest, KnowledgeBase, iter_tests
from pnet_expert.core.space import SearchTooBig, plain, record_values
from pnet_expert.reasoning.relevance import Relevance, assess, trial_cases

Case = Mapping[str, Any]

MAX_JOINT = 256
"""How many joint answers to the related names are tried to see whether they can spare the first name;
past that it is taken as one that can be spared, and the candidates are weighed."""


@attrs.frozen
class Choice:
    """One candidate, with what its answers would do.

    ``follow`` is the average number of questions to follow it (those its
    answer brings and those still worth asking after); ``settled`` how many of
    the rules still waiting its answers decide, on average; ``answers`` how
    many answers were tried; ``readers`` how many rules and findings of the
    knowledge base read its fact.
    """

    name: str
    follow: float
    settled: float
    answers: int
    readers: int
    rank: int

    def key(self) -> tuple[float, float, int, int]:
        """Fewest questions to follow, then most rules settled, then fewest readers, then the KB's order."""
        return (round(self.follow, 9), -round(self.settled, 9), self.readers, self.rank)


@attrs.frozen
class Reason:
    """Why a name is asked now.

    ``first`` is the first name worth asking in the knowledge base's order;
    ``waiting`` the rules waiting on the chosen name. ``choices`` is empty when
    nothing could spare ``first`` (it is then the name asked), else every
    candidate weighed, best first.
    """

    name: str
    first: str
    waiting: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    too_many: str | None = None
    """What could not be weighed (past the search budget), when the knowledge base's order decided."""
    fixed: str | None = None
    """A reason that needed no weighing (a record's field asked right after its count), in words."""

    @property
    def text(self) -> str:
        """The reason in a sentence or two: "Asked now because ..."."""
        if self.fixed is not None:
            return self.fixed
        rules = _listed(self.waiting)
        if self.too_many is not None:
            return (
                f"Asked now in the knowledge base's order of facts: {self.too_many} were too many to "
                "weigh the questions against one another (limit consult_search). "
                f"Its answer can settle {rules}."
            )
        if not self.choices:
            return (
                f"Asked now because {rules} will wait on it whatever the other answers: it has to be "
                "asked, so it comes in the knowledge base's order of facts."
            )
        best, runner = self.choices[0], self.choices[1]
        spare = [c.name for c in self.choices if c.name != self.first]
        if best.name == self.first:
            them = "it" if len(spare) == 1 else "them"
            lead = (
                "Asked now because it comes first in the knowledge base's order, and though answers to "
                f"{_listed(spare)} could make it unnecessary, asking {them} first would not leave "
                "fewer questions"
            )
        else:
            lead = (
                f"Asked now because answers to it can make {self.first} unnecessary, so it comes before "
                f"{self.first}"
            )
        if best.follow < runner.follow - 1e-9:
            why = (
                f"on average over its {best.answers} possible answers it leaves {best.follow:.1f} "
                f"questions to follow, the fewest ({runner.name}: {runner.follow:.1f})"
            )
        elif best.settled > runner.settled + 1e-9:
            why = (
                f"it leaves as few questions to follow as {runner.name} ({best.follow:.1f} on average) "
                f"and its answers settle more of the rules waiting ({best.settled:.1f} on average, "
                f"against {runner.settled:.1f})"
            )
        elif best.readers < runner.readers:
            why = (
                f"it is as good a question as {runner.name} for this case, and fewer rules of the "
                f"knowledge base read it ({best.readers} against {runner.readers})"
            )
        else:
            why = (
                f"it is as good a question as {runner.name} for this case, and comes first in the "
                "knowledge base"
            )
        return f"{lead}: {why}. Its answer can settle {rules}."


def _listed(ids: Sequence[str]) -> str:
    if not ids:
        return "no rule"
    if len(ids) == 1:
        return ids[0]
    return ", ".join(ids[:-1]) + " and " + ids[-1]


def choose(kb: KnowledgeBase, case: Case, relevance: Relevance) -> Reason | None:
    """The name to ask next and why (None when nothing is worth asking; see the module's docstring).

    ``case`` is the case so far, with a fact or field answered unknown given as
    null; ``relevance`` is its assessment (:func:`~pnet_expert.reasoning.relevance.assess`).
    """
    if not relevance.needed:
        return None
    first = min(relevance.needed, key=lambda name: _rank(kb, name))
    related = _related(kb, relevance, first)
    live = {rule.id for rule, _ in relevance.live}
    try:
        if not _can_be_spared(kb, case, relevance, first, related):
            return Reason(first, first, _waiting(kb, relevance, first))
        choices = sorted(
            (_weigh(kb, case, relevance, name, live) for name in (first, *related)), key=Choice.key
        )
    except SearchTooBig as error:
        # A records fact's answers are past the search budget (an edited knowledge base with
        # many counts): they cannot be weighed, so the knowledge base's order decides.
        return Reason(first, first, _waiting(kb, relevance, first), too_many=error.what)
    name = choices[0].name
    return Reason(name, first, _waiting(kb, relevance, name), tuple(choices))


def _waiting(kb: KnowledgeBase, relevance: Relevance, name: str) -> tuple[str, ...]:
    order = kb.ranks.rules
    return tuple(sorted((r.id for r in relevance.waiting_on(name)), key=order.__getitem__))


def _related(kb: KnowledgeBase, relevance: Relevance, name: str) -> tuple[str, ...]:
    """The other names worth asking that share a waiting rule or a constraint with a name."""
    coupled = _coupled(kb).get(slot_fact(name), frozenset())
    out: set[str] = set()
    for _rule, unknown in relevance.live:
        if name in unknown:
            out |= unknown
    out |= {n for n in relevance.needed if slot_fact(n) in coupled and slot_fact(n) != slot_fact(name)}
    out &= relevance.needed
    out.discard(name)
    return tuple(sorted(out, key=lambda n: _rank(kb, n)))


def _can_be_spared(
    kb: KnowledgeBase, case: Case, relevance: Relevance, name: str, related: Sequence[str]
) -> bool:
    """Whether some joint answer to the related names leaves ``name`` not worth asking."""
    coupled = _coupled(kb).get(slot_fact(name), frozenset())
    if not any(slot_fact(n) in coupled for n in related) and any(
        unknown == {name} for _, unknown in relevance.live
    ):
        return False  # a rule waits on it alone, and no answer elsewhere can hold its answers back
    answers = [_answers(kb, case, n) for n in related]
    total = 1
    for options in answers:
        total *= len(options)
    if total > MAX_JOINT:
        return True
    for combo in itertools.product(*answers):
        trial: dict[str, Any] = dict(case)
        for other, (value, _) in zip(related, combo, strict=True):
            trial = _with(kb, trial, other, value)
        try:
            after = assess(kb, trial)
        except CaseError:
            continue  # the answers contradict one another
        if name not in after.needed:
            return True
    return False


def _weigh(kb: KnowledgeBase, case: Case, relevance: Relevance, name: str, live: set[str]) -> Choice:
    """A candidate's questions to follow and rules settled, on average over its answers."""
    total, decided, tried = 0.0, 0.0, 0
    for value, brought in _answers(kb, case, name):
        after = assess(kb, _with(kb, case, name, value))
        total += brought + sum(_cost(kb, n) for n in after.needed)
        decided += len(live - {rule.id for rule, _ in after.live})
        tried += 1
    return Choice(
        name=name,
        follow=total / tried if tried else float(len(relevance.needed)),
        settled=decided / tried if tried else 0.0,
        answers=tried,
        readers=readers(kb).get(slot_fact(name), 0),
        rank=_rank(kb, name),
    )


def _answers(kb: KnowledgeBase, case: Case, name: str) -> list[tuple[Any, int]]:
    """Every answer to a name that agrees with the case (None: unknown, first), with the questions it brings.

    A records fact's answers are its representative lists of required fields (each
    record's site), which bring one question per field; other answers bring none.
    """
    candidates: list[tuple[Any, int]] = [(None, 0)]
    spec = kb.facts.get(name)
    if spec is not None and spec.kind == "records":
        required = [f for f in spec.fields if f.required]
        candidates += [
            ([dict(r) for r in records], len(records) * len(required)) for records in entries(kb, name)
        ]
    else:
        for trial in trial_cases(kb, case, name) or []:
            candidates.append((_value_in(trial, name), 0))
    out = []
    for value, brought in candidates:
        try:
            validate_case(_with(kb, case, name, value), kb)
        except CaseError:
            continue
        out.append((value, brought))
    return out


def _value_in(case: Case, name: str) -> Any:
    match = FIELD_SLOT.fullmatch(name)
    if match is None:
        return case[name]
    return case[match.group(1)][int(match.group(2))].get(match.group(3))


def _with(kb: KnowledgeBase, case: Case, name: str, value: Any) -> dict[str, Any]:
    """The case with one name answered (None: answered unknown, given as null)."""
    out = dict(case)
    match = FIELD_SLOT.fullmatch(name)
    if match is None:
        out[name] = value
        return out
    fact, index, field = match.group(1), int(match.group(2)), match.group(3)
    records = [dict(r) for r in case[fact]]
    records[index][field] = value
    out[fact] = records
    return out


@functools.lru_cache(maxsize=16)
def entries(kb: KnowledgeBase, fact: str) -> tuple[tuple[Mapping[str, str], ...], ...]:
    """One list of records per outcome of the counts, with only the required fields (what "how
    many" and the questions that come with it enter), shortest first. Raises SearchTooBig past
    the interview's search budget (``consult_search``)."""
    spec = kb.facts[fact]
    required = [f.id for f in spec.fields if f.required]
    seen: dict[tuple[tuple[tuple[str, str], ...], ...], None] = {}
    for records in record_values((kb,), fact, False, CONSULT_SEARCH):
        cut = tuple(tuple((k, v) for k, v in r.items() if k in required) for r in plain(records))
        seen.setdefault(cut, None)
    return tuple(tuple(dict(r) for r in records) for records in seen)


@functools.lru_cache(maxsize=16)
def readers(kb: KnowledgeBase) -> Mapping[str, int]:
    """How many rules and findings of the knowledge base read each fact in their own conditions."""
    counts: dict[str, int] = {}
    groups = [r.when for r in kb.rules.values()] + [f.rule.when for f in kb.findings.values()]
    for group in groups:
        for fact in {t.fact for t in iter_tests(group) if not isinstance(t, FindingTest)}:
            counts[fact] = counts.get(fact, 0) + 1
    return counts


@functools.lru_cache(maxsize=16)
def _coupled(kb: KnowledgeBase) -> Mapping[str, frozenset[str]]:
    """For each fact, the facts a constraint of facts.yaml names together with it."""
    out: dict[str, set[str]] = {}
    for constraint in kb.constraints:
        tests = iter_tests((*constraint.if_, constraint.then))
        named = {t.fact for t in tests if isinstance(t, FactTest | CountTest)}
        for fact in named:
            out.setdefault(fact, set()).update(named - {fact})
    return {fact: frozenset(others) for fact, others in out.items()}


def _cost(kb: KnowledgeBase, name: str) -> float:
    """The questions a name still worth asking will take: one; how many records, one plus the
    required fields of the average list."""
    spec = kb.facts.get(name)
    if spec is None or spec.kind != "records":
        return 1.0
    return 1.0 + _average_fields(kb, name)


@functools.lru_cache(maxsize=64)
def _average_fields(kb: KnowledgeBase, fact: str) -> float:
    lists = entries(kb, fact)
    required = [f for f in kb.facts[fact].fields if f.required]
    return sum(len(r) for r in lists) * len(required) / len(lists) if lists else 0.0


def _rank(kb: KnowledgeBase, name: str) -> int:
    """A name's place in the knowledge base's order of facts (a record's fields after its count)."""
    match = FIELD_SLOT.fullmatch(name)
    fact = match.group(1) if match else name
    base = kb.ranks.facts.get(fact, len(kb.facts)) * 10_000
    if match is None:
        return base
    fields = [f.id for f in kb.facts[fact].fields]
    return base + 1 + int(match.group(2)) * len(fields) + fields.index(match.group(3))
