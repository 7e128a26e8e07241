"""The fewest questions that force a case's result: a minimum certificate, the interview's lower bound.

``pnet-expert consult`` asks only what can still change the options. How close
it comes to the fewest questions possible is measured against this module's
bound, computed from the knowledge base alone (``benchmarks/interview_questions.py``
prints both; the tests hold the interview to it on the public example cases).

Definitions:

- **The result** of a case: the recommendation rules that fire on it, and so the
  options, each with the rules that offer it (its strength, qualifiers and
  either/or follow from those rules). Gaps, cautions and silences are words
  about the case, not options, and are not part of it.
- **A question** is what the interview asks: a fact (``tumor_type``,
  ``spread``, ``resectable``, ...), how many records a records fact holds (how
  many tumors), or one field of one record (``tumors[0].site``,
  ``tumors[0].size``): a tumor's count, site and size are one question each. A
  record is entered with its required fields (a tumor with its site), so asking
  how many tumors asks each one's site as well: that *unit* is 1 + n questions.
  An optional field (a size) is a unit of its own, asked only once the count is.
- **An answer** is the case's value, or "unknown" where the case has none: an
  answer too, which stays unknown.
- **A completion** of a set of questions is any valid case (the constraints of
  ``facts.yaml`` hold) that answers them as the case does; every other fact
  takes any value or none (unknown), an optional field not asked any value or
  none, and a records fact not asked any list of records or none.
- **A certificate** is a set of questions whose answers force the case's
  result: every completion has it. The bound is the size of a smallest one.

Lists of at most three tumors are every list there is, here: a rule sees the
tumors only through the counts the knowledge base takes (exactly one and at
least two in the pancreas, at least one in the duodenum, exactly none at all,
and the site and size of the one tumor of "exactly one"), and a longer list has
the same outcome on every count as the list that keeps at most two of its
tumors in the pancreas (the one, when there is one) and one in the duodenum.
:func:`pnet_expert.core.space.record_values` finds those representative lists
from the knowledge base's own counts (none is longer than three), and
:func:`longest_needed_list` says how long they are.

How the bound is found and proved, without sampling:

1. A set of questions is *checked* rule by rule. A rule reads a few facts;
   evaluated in three values on the answers alone (an answer "unknown" stays
   unknown, :class:`~pnet_expert.core.logic.Evaluator`'s ``settled``), it is
   either decided for every completion (true or false), or it is not, and then
   the facts it reads that were not asked are tried with every value and none
   (tumor lists by their representatives) until a valid completion fires it
   where the case does not, or leaves it silent where the case fires it. Two
   completions differ in their result exactly when some rule does, so this is
   every completion.
2. Each completion found is a **refutation**: it agrees with the case on some
   questions and differs on others, and refutes every set of questions among
   those it agrees on. It is first made to differ on as few as it can, then run
   through :func:`~pnet_expert.explain.recommend.recommend`, whose fired rules
   must differ from the case's.
3. The smallest set of questions that meets every refutation's differing
   questions (an exact branch and bound) is checked as in 1; a new refutation
   is added until the set is a certificate. Every smaller set misses some
   refutation's differing questions, so that refutation is a completion of it
   with another result: the bound is proved, and :func:`refute_smaller` checks
   it set by set.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from pnet_expert.core.case import Patient, validate_case
from pnet_expert.core.errors import CaseError
from pnet_expert.core.logic import Evaluator, Truth, field_slot
from pnet_expert.core.records import FactValue, Record
from pnet_expert.core.schema import FactSpec, KnowledgeBase, RuleSpec
from pnet_expert.core.space import plain, record_values, rule_facts
from pnet_expert.explain.recommend import recommend


@attrs.frozen
class Unit:
    """Questions the interview asks together: a fact; how many records, with each record's
    required fields; or one optional field of one record (which needs the count asked)."""

    fact: str
    slots: tuple[str, ...]
    field: str | None = None
    index: int | None = None

    @property
    def cost(self) -> int:
        """How many questions it is."""
        return len(self.slots)


@attrs.frozen
class Refutation:
    """A valid completion with another result: it refutes every set of questions that avoids ``differs``.

    ``case`` is the completion as case data; ``differs`` the questions it answers
    otherwise than the case; ``fired_rules`` what ``recommend`` fires on it.
    """

    case: Mapping[str, Any]
    differs: tuple[str, ...]
    fired_rules: tuple[str, ...]


@attrs.frozen
class Certificate:
    """A smallest set of questions whose answers force a case's result, and its proof.

    ``questions`` are slots in the knowledge base's order of facts; ``answers``
    the case's answer to each (None: unknown); ``refutations`` prove that no
    smaller set will do.
    """

    case: Mapping[str, Any]
    fired_rules: tuple[str, ...]
    questions: tuple[str, ...]
    answers: Mapping[str, Any]
    refutations: tuple[Refutation, ...]
    units: tuple[Unit, ...] = attrs.field(repr=False, eq=False)
    chosen: frozenset[int] = attrs.field(repr=False, eq=False)
    refuted_units: tuple[frozenset[int], ...] = attrs.field(repr=False, eq=False)

    @property
    def size(self) -> int:
        """The bound: how many questions a smallest certificate holds."""
        return len(self.questions)


def units_of(kb: KnowledgeBase, patient: Patient) -> tuple[Unit, ...]:
    """The case's units of questions, in the knowledge base's order of facts."""
    out: list[Unit] = []
    for spec in kb.facts.values():
        if spec.kind != "records":
            out.append(Unit(spec.id, (spec.id,)))
            continue
        records = _records(patient, spec.id)
        required = [f.id for f in spec.fields if f.required]
        slots = [field_slot(spec.id, i, f) for i in range(len(records or ())) for f in required]
        out.append(Unit(spec.id, (spec.id, *slots)))
        for index in range(len(records or ())):
            for field in spec.fields:
                if not field.required:
                    out.append(Unit(spec.id, (field_slot(spec.id, index, field.id),), field.id, index))
    return tuple(out)


def longest_needed_list(kb: KnowledgeBase, fact: str) -> int:
    """How many records the longest representative list holds: longer lists add no outcome."""
    return max((len(records) for records in record_values((kb,), fact, False)), default=0)


def fired(kb: KnowledgeBase, patient: Patient) -> frozenset[str]:
    """The recommendation rules whose whole condition holds (the engine fires exactly these)."""
    evaluator = Evaluator(kb, patient)
    return frozenset(r.id for r in kb.rules.values() if evaluator.all(kb.conditions_of(r))[0] is Truth.TRUE)


def minimum_certificate(kb: KnowledgeBase, case: Mapping[str, Any]) -> Certificate:
    """A smallest set of questions whose answers force the case's result, with the refutations
    that prove no smaller set does."""
    patient = validate_case(case, kb)
    search = _Search(kb, patient)
    refutations: list[Refutation] = []
    refuted: list[frozenset[int]] = []
    while True:
        chosen = search.smallest_hitting(refuted)
        found = search.counterexamples(chosen)
        if not found:
            break
        before = len(refuted)
        for example in found:
            differs = search.differs(example)
            if differs in refuted:
                continue
            slots = tuple(s for i in sorted(differs) for s in search.units[i].slots)
            engine = recommend(example.to_dict(), kb).fired_rules
            if frozenset(engine) == search.result:  # pragma: no cover - the logic and the engine agree
                message = f"refutation {example.to_dict()} gives the case's own result"
                raise AssertionError(message)
            refutations.append(Refutation(example.to_dict(), slots, tuple(engine)))
            refuted.append(differs)
        if len(refuted) == before:  # pragma: no cover - a completion of the set differs from it nowhere
            message = f"no new refutation for {sorted(chosen)}"
            raise AssertionError(message)
    questions = tuple(s for i in sorted(chosen) for s in search.units[i].slots)
    return Certificate(
        case=patient.fact_dict(),
        fired_rules=tuple(sorted(search.result, key=kb.ranks.rules.__getitem__)),
        questions=questions,
        answers={slot: search.answer(slot) for slot in questions},
        refutations=tuple(refutations),
        units=search.units,
        chosen=frozenset(chosen),
        refuted_units=tuple(refuted),
    )


def refute_smaller(certificate: Certificate) -> int:
    """Check the bound set by set: every set of questions smaller than the certificate that the
    interview could ask (an optional field with its count) avoids some refutation's differing
    questions. Returns how many sets were checked; AssertionError names one that is not refuted."""
    units = certificate.units
    cost = [u.cost for u in units]
    needs = [_count_unit(units, u) for u in units]
    masks = [sum(1 << i for i in r) for r in certificate.refuted_units]
    # A set that meets no refutation's units but holds a unit outside them all could drop it.
    useful = sorted({i for r in certificate.refuted_units for i in r} | {n for n in needs if n is not None})
    checked = 0
    for size in range(len(useful) + 1):
        for combo in itertools.combinations(useful, size):
            picked = set(combo)
            if any(needs[i] is not None and needs[i] not in picked for i in picked):
                continue
            if sum(cost[i] for i in picked) >= certificate.size:
                continue
            mask = sum(1 << i for i in picked)
            checked += 1
            if all(m & mask for m in masks):
                slots = [s for i in sorted(picked) for s in units[i].slots]
                message = f"no refutation of the smaller set {slots}"
                raise AssertionError(message)
    return checked


def _count_unit(units: Sequence[Unit], unit: Unit) -> int | None:
    """The index of the count unit an optional field's unit needs (None for other units)."""
    if unit.field is None:
        return None
    return next(i for i, u in enumerate(units) if u.fact == unit.fact and u.field is None)


def _records(patient: Patient, fact: str) -> tuple[Record, ...] | None:
    value = patient.get(fact)
    return value if isinstance(value, tuple) else None  # type: ignore[return-value]


class _Search:
    """One case's units, its result, and the checks and refutations of sets of units."""

    def __init__(self, kb: KnowledgeBase, patient: Patient) -> None:
        self.kb = kb
        self.patient = patient
        self.units = units_of(kb, patient)
        self.result = fired(kb, patient)
        self.cost = [u.cost for u in self.units]
        self.needs = [_count_unit(self.units, u) for u in self.units]
        self._reads = {r.id: rule_facts(kb, r) for r in kb.rules.values()}

    # ------------------------------------------------------------ answers

    def answer(self, slot: str) -> Any:
        """The case's answer to one question, as case data (None: unknown; a count for a records fact)."""
        unit = next(u for u in self.units if slot in u.slots)
        value = self.patient.get(unit.fact)
        if slot != unit.fact:
            index, field = slot.split("[", 1)[1].split("].")
            return (_records(self.patient, unit.fact) or ())[int(index)].get(field)
        if self.kb.facts[unit.fact].kind == "records":
            return None if value is None else len(value)  # type: ignore[arg-type]
        return None if value is None else plain(value)

    # ------------------------------------------------------------ the smallest set meeting the refutations

    def smallest_hitting(self, refuted: Sequence[frozenset[int]]) -> frozenset[int]:
        """The cheapest set of units (an optional field's with its count) that meets every refuted set."""
        best: list[Any] = [sum(self.cost) + 1, frozenset(range(len(self.units)))]

        def closure(unit: int) -> set[int]:
            need = self.needs[unit]
            return {unit} if need is None else {unit, need}

        def walk(chosen: frozenset[int], cost: int) -> None:
            if cost >= best[0]:
                return
            open_sets = [r for r in refuted if not r & chosen]
            if not open_sets:
                best[0], best[1] = cost, chosen
                return
            smallest = min(open_sets, key=lambda r: (len(r), sorted(r)))
            for unit in sorted(smallest, key=lambda u: (self.cost[u], u)):
                added = closure(unit) - chosen
                walk(chosen | added, cost + sum(self.cost[u] for u in added))

        walk(frozenset(), 0)
        return frozenset(best[1])

    # ------------------------------------------------------------ checking a set

    def partial(self, chosen: frozenset[int]) -> tuple[Patient, frozenset[str]]:
        """The case as the chosen units answer it (the rest unknown), and the names answered unknown."""
        asked_facts = {self.units[i].fact for i in chosen if self.units[i].field is None}
        asked_fields = {s for i in chosen if self.units[i].field is not None for s in self.units[i].slots}
        known: list[tuple[str, FactValue]] = []
        settled: set[str] = set()
        for spec in self.kb.facts.values():
            if spec.id not in asked_facts:
                continue
            value = self.patient.get(spec.id)
            if value is None:
                settled.add(spec.id)
                continue
            if spec.kind == "records":
                value = tuple(self._cut(spec, i, r, asked_fields, settled) for i, r in enumerate(value))  # type: ignore[arg-type]
            known.append((spec.id, value))
        return Patient(known=tuple(known), validated_for=self.patient.validated_for), frozenset(settled)

    @staticmethod
    def _cut(spec: FactSpec, index: int, record: Record, asked: set[str], settled: set[str]) -> Record:
        """A record with only its required fields and the optional ones asked."""
        kept = []
        for field in spec.fields:
            slot = field_slot(spec.id, index, field.id)
            value = record.get(field.id)
            if field.required or slot in asked:
                if value is None:
                    settled.add(slot)
                else:
                    kept.append((field.id, value))
        return Record(tuple(kept), record.field_ids)

    def counterexamples(self, chosen: frozenset[int]) -> list[Patient]:
        """For each rule that the chosen answers do not decide as the case does, one completion
        where it goes the other way (each made to differ from the case on as few units as it can)."""
        partial, settled = self.partial(chosen)
        judge = Evaluator(self.kb, partial, settled)
        out: list[Patient] = []
        for rule in self.kb.rules.values():
            fires = rule.id in self.result
            truth = judge.all(self.kb.conditions_of(rule))[0]
            if truth is (Truth.TRUE if fires else Truth.FALSE):
                continue
            example = self._other_way(rule, fires, partial, chosen)
            if example is not None:
                out.append(self._closest(example))
        return out

    def _other_way(
        self, rule: RuleSpec, fires: bool, partial: Patient, chosen: frozenset[int]
    ) -> Patient | None:
        """A valid completion of the chosen answers on which the rule fires when the case's does
        not, or does not when the case's does; None when there is none."""
        dims = list(self._free(rule, partial, chosen))
        base = partial.to_dict()
        for values in itertools.product(*(domain for _, domain in dims)):
            case = dict(base)
            for (slot, _), value in zip(dims, values, strict=True):
                _assign(case, slot, value)
            patient = self._valid(case)
            if patient is None:
                continue
            holds = Evaluator(self.kb, patient).all(self.kb.conditions_of(rule))[0] is Truth.TRUE
            if holds != fires:
                return patient
        return None

    def _free(
        self, rule: RuleSpec, partial: Patient, chosen: frozenset[int]
    ) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The questions a rule reads that the chosen units leave open, each with its answers (None first)."""
        asked = {s for i in chosen for s in self.units[i].slots}
        required = [s.id for s in self.kb.facts.values() if s.required and s.id not in self._reads[rule.id]]
        for fact in (*self._reads[rule.id], *required):  # a case needs its required facts
            spec = self.kb.facts[fact]
            none: tuple[Any, ...] = () if spec.required else (None,)
            if fact not in asked:
                yield fact, none + known_values(self.kb, spec)
                continue
            if spec.kind != "records":
                continue
            for index in range(len(_records(partial, fact) or ())):
                for field in spec.fields:
                    slot = field_slot(fact, index, field.id)
                    if slot not in asked:
                        yield slot, (None, *field.value_ids)

    def _valid(self, case: dict[str, Any]) -> Patient | None:
        try:
            return validate_case(case, self.kb)
        except CaseError:
            return None

    # ------------------------------------------------------------ how a completion differs

    def differs(self, other: Patient) -> frozenset[int]:
        """The units a completion answers otherwise than the case."""
        out = set()
        for i, unit in enumerate(self.units):
            if unit.field is None:
                if self._unit_value(self.patient, unit) != self._unit_value(other, unit):
                    out.add(i)
                continue
            count = self.needs[i]
            assert count is not None
            if count in out:
                continue  # the count differs: a set that asks this field asks the count
            assert unit.index is not None
            mine = (_records(self.patient, unit.fact) or ())[unit.index].get(unit.field)
            theirs = (_records(other, unit.fact) or ())[unit.index].get(unit.field)
            if mine != theirs:
                out.add(i)
        return frozenset(out)

    def _unit_value(self, patient: Patient, unit: Unit) -> Any:
        """What a fact's unit answers: its value; for records, how many and each one's required fields."""
        value = patient.get(unit.fact)
        spec = self.kb.facts[unit.fact]
        if not isinstance(value, tuple) or spec.kind != "records":
            return value
        required = [f.id for f in spec.fields if f.required]
        return tuple(tuple(r.get(f) for f in required) for r in value if isinstance(r, Record))

    def _closest(self, example: Patient) -> Patient:
        """The completion with as many units as can be put back to the case's answers, still
        valid and still with another result."""
        current = example
        for i in sorted(self.differs(example)):
            unit = self.units[i]
            case = current.to_dict()
            mine = self.patient.to_dict()
            if unit.field is None:
                if unit.fact in mine:
                    case[unit.fact] = mine[unit.fact]
                else:
                    case.pop(unit.fact, None)
            else:
                assert unit.index is not None
                records = [dict(r) for r in case[unit.fact]]
                value = mine[unit.fact][unit.index].get(unit.field)
                if value is None:
                    records[unit.index].pop(unit.field, None)
                else:
                    records[unit.index][unit.field] = value
                case[unit.fact] = records
            patient = self._valid(case)
            if patient is not None and fired(self.kb, patient) != self.result:
                current = patient
        return current


def known_values(kb: KnowledgeBase, spec: FactSpec) -> tuple[Any, ...]:
    """Every known answer to a fact: values, subsets, or the representative lists of records."""
    if spec.kind == "boolean":
        return (True, False)
    if spec.kind == "choice":
        return tuple(spec.value_ids)
    if spec.kind == "set":
        ids = list(spec.value_ids)
        return tuple(list(c) for n in range(len(ids) + 1) for c in itertools.combinations(ids, n))
    return tuple(plain(records) for records in record_values((kb,), spec.id, False))


def _assign(case: dict[str, Any], slot: str, value: Any) -> None:
    """Set one question's answer in a case mapping (None: unknown)."""
    if "[" not in slot:
        if value is None:
            case.pop(slot, None)
        else:
            case[slot] = value
        return
    fact, rest = slot.split("[", 1)
    index, field = rest.split("].")
    records = [dict(r) for r in case[fact]]
    if value is None:
        records[int(index)].pop(field, None)
    else:
        records[int(index)][field] = value
    case[fact] = records
