"""What changed between two knowledge bases, and which kinds of case it changes.

The text changes are listed item by item (rules added, removed, and changed
field by field; findings, facts, treatments, sections, constraints and cautions
too). A caution never changes which options a case is given, so it has no impact.
The impact is reasoned over cases, not guessed from the text: an option a
case is given depends only on the rules that offer that treatment, so for
each treatment an edit can touch, the verifier walks the cases over the facts
those rules read (in both knowledge bases), fewest known facts first, and
groups the cases whose option changes by which of those rules fire before and
after. Each group is a kind of case, shown with its smallest example and, from
the engine, the example's options before and after.

Only cases valid in both knowledge bases are compared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

import attrs

from pnet_expert.core.limits import CHECK_TOTAL
from pnet_expert.core.logic import Truth
from pnet_expert.core.options import OptionSummary, option_summary
from pnet_expert.core.schema import (
    AnyOf,
    Condition,
    CountTest,
    FactTest,
    FieldSpec,
    FindingRuleSpec,
    FindingTest,
    KnowledgeBase,
    Offer,
    RuleSpec,
    ValueSpec,
    iter_tests,
)
from pnet_expert.core.space import Assignment, Cache, CaseSpace, SearchTooBig, facts_of
from pnet_expert.core.words import describe, value_text
from pnet_expert.explain.recommend import recommend

Status = Literal["added", "removed", "changed"]


@attrs.frozen
class FieldChange:
    """One field of an item: what it held before and what it holds now, in words."""

    field: str
    removed: tuple[str, ...]
    added: tuple[str, ...]


@attrs.frozen
class Change:
    """An item (rule, finding, fact, ...) added, removed or changed, with its changed fields."""

    kind: str
    id: str
    status: Status
    fields: tuple[FieldChange, ...] = ()


@attrs.frozen
class ImpactKind:
    """A kind of case whose option for one treatment changes, with its smallest example.

    ``fired_before`` / ``fired_after`` are the rules offering the treatment
    that fire on such cases; ``before`` / ``after`` the option as a
    consultation shows it (None: not offered). ``options_before`` /
    ``options_after`` are every option of the example, from the engine;
    ``confirmed`` that the engine agrees about the treatment.
    """

    treatment: str
    fired_before: tuple[str, ...]
    fired_after: tuple[str, ...]
    before: OptionSummary | None
    after: OptionSummary | None
    cases: int
    example: dict[str, Any]
    options_before: tuple[OptionSummary, ...]
    options_after: tuple[OptionSummary, ...]
    confirmed: bool

    @property
    def change(self) -> str:
        """The change in words: 'chemoembolization is no longer offered (was: may include)'."""
        if self.before is None:
            return f"{self.treatment} is now offered ({self.after.details if self.after else ''})"
        if self.after is None:
            return f"{self.treatment} is no longer offered (was: {self.before.details})"
        return f"{self.treatment} changes from {self.before.details} to {self.after.details}"


@attrs.frozen
class KbDiff:
    """Two knowledge bases compared: their changes and the kinds of case those change."""

    old: str
    new: str
    old_version: str
    new_version: str
    changes: tuple[Change, ...]
    impact: tuple[ImpactKind, ...]
    treatments: tuple[str, ...]
    unexplored: tuple[str, ...] = ()
    """The treatments whose impact was not fully explored: their cases are past the search limit."""

    def of(self, kind: str, status: Status) -> tuple[Change, ...]:
        """The changes of one kind and status (``of("rule", "changed")``)."""
        return tuple(c for c in self.changes if c.kind == kind and c.status == status)

    @property
    def same(self) -> bool:
        """Nothing differs."""
        return not self.changes and self.old_version == self.new_version


# ---------------------------------------------------------------- the text


def _word(kb: KnowledgeBase, value: object) -> str:
    if isinstance(value, FactTest | CountTest | FindingTest | AnyOf):
        return describe(value, kb)
    if isinstance(value, Offer):
        return f"{value.treatment} ({', '.join(value.qualifiers)})" if value.qualifiers else value.treatment
    if isinstance(value, ValueSpec):
        return f"{value.id}: {value.label}"
    if isinstance(value, FieldSpec):
        kind = "required" if value.required else "optional"
        return f"{value.id} ({kind}): {', '.join(value.value_ids)}"
    if isinstance(value, tuple):
        return " or ".join(_word(kb, v) for v in value)
    if value is None:
        return "(none)"
    return value_text(value)


def _fields(
    old_kb: KnowledgeBase, new_kb: KnowledgeBase, old: Any, new: Any, prefix: str = ""
) -> list[FieldChange]:
    """The fields of two attrs items that differ (``origin`` and ``id`` aside), in words."""
    out: list[FieldChange] = []
    for field in attrs.fields(type(old)):
        if field.name in ("origin", "id") or not field.eq:
            continue
        a, b = getattr(old, field.name), getattr(new, field.name)
        if a == b:
            continue
        name = f"{prefix}{field.name}".rstrip("_")
        if isinstance(a, FindingRuleSpec):
            out.extend(_fields(old_kb, new_kb, a, b, f"{name}."))
            if a.id != b.id:
                out.append(FieldChange(f"{name}.id", (a.id,), (b.id,)))
        elif isinstance(a, tuple) and isinstance(b, tuple):
            before = [_word(old_kb, v) for v in a]
            after = [_word(new_kb, v) for v in b]
            removed = tuple(w for w in before if w not in after)
            added = tuple(w for w in after if w not in before)
            if not removed and not added:  # the same items in another order
                removed, added = ("order: " + "; ".join(before),), ("order: " + "; ".join(after),)
            out.append(FieldChange(name, removed, added))
        else:
            out.append(FieldChange(name, (_word(old_kb, a),), (_word(new_kb, b),)))
    return out


def _compare(kind: str, old_kb: KnowledgeBase, new_kb: KnowledgeBase, old: Any, new: Any) -> list[Change]:
    """Items of one kind (two mappings id -> spec): added, removed, changed."""
    out = [Change(kind, i, "removed") for i in old if i not in new]
    out += [Change(kind, i, "added") for i in new if i not in old]
    for i in old:
        if i in new and old[i] != new[i]:
            out.append(Change(kind, i, "changed", tuple(_fields(old_kb, new_kb, old[i], new[i]))))
    return out


def text_changes(old: KnowledgeBase, new: KnowledgeBase) -> tuple[Change, ...]:
    """Every item added, removed or changed, rules first."""
    out = _compare("rule", old, new, old.rules, new.rules)
    out += _compare("finding", old, new, old.findings, new.findings)
    out += _compare("fact", old, new, old.facts, new.facts)
    out += _compare("treatment", old, new, old.treatments, new.treatments)
    out += _compare("section", old, new, _sections(old), _sections(new))
    out += _compare(
        "constraint", old, new, {c.id: c for c in old.constraints}, {c.id: c for c in new.constraints}
    )
    out += _compare("caution", old, new, {c.id: c for c in old.cautions}, {c.id: c for c in new.cautions})
    out += _compare("strength", old, new, {s.id: s for s in old.strengths}, {s.id: s for s in new.strengths})
    out += _compare(
        "qualifier", old, new, {q.id: q for q in old.qualifiers}, {q.id: q for q in new.qualifiers}
    )
    if (old.source, old.disclaimer) != (new.source, new.disclaimer):
        fields = _fields(old, new, old.source, new.source)
        if old.disclaimer != new.disclaimer:
            fields.append(FieldChange("disclaimer", (old.disclaimer,), (new.disclaimer,)))
        out.append(Change("source", "source", "changed", tuple(fields)))
    if _rank_changed(old, new):
        order = FieldChange(
            "order (strongest first)",
            (", ".join(s.id for s in old.strengths),),
            (", ".join(s.id for s in new.strengths),),
        )
        out.append(Change("vocabulary", "strengths", "changed", (order,)))
    return tuple(out)


def _rank_changed(old: KnowledgeBase, new: KnowledgeBase) -> bool:
    """Whether the strengths are ranked otherwise: an option's strongest strength may then change."""
    return [s.id for s in old.strengths] != [s.id for s in new.strengths]


def _sections(kb: KnowledgeBase) -> dict[str, Any]:
    """Sections without their rule lists (rules are compared on their own)."""
    return {s.id: attrs.evolve(s, rules=()) for s in kb.sections.values()}


# ---------------------------------------------------------------- the impact


def _changed_findings(old: KnowledgeBase, new: KnowledgeBase) -> set[str]:
    """Findings whose rule changed, or that chain on one that did."""
    changed = {
        f for f in old.findings if f not in new.findings or old.findings[f].rule != new.findings[f].rule
    }
    changed |= {f for f in new.findings if f not in old.findings}
    grew = True
    while grew:
        grew = False
        for kb in (old, new):
            for finding in kb.findings.values():
                if finding.id not in changed and set(_findings_read(finding.rule.when)) & changed:
                    changed.add(finding.id)
                    grew = True
    return changed


def _findings_read(conditions: Iterable[Condition]) -> list[str]:
    """The findings a list of conditions tests directly."""
    return [t.finding for t in iter_tests(tuple(conditions)) if isinstance(t, FindingTest)]


def _changed_facts(old: KnowledgeBase, new: KnowledgeBase) -> set[str]:
    """Facts whose domain or constraints changed: every rule that reads them may change."""
    names = set(old.facts) | set(new.facts)
    changed = {f for f in names if old.facts.get(f) != new.facts.get(f)}
    if old.constraints != new.constraints:
        for kb in (old, new):
            for c in kb.constraints:
                changed |= set(facts_of(kb, (*c.if_, c.then)))
    return changed


def touched_treatments(old: KnowledgeBase, new: KnowledgeBase) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each treatment whose option may change, with the rules (by id) whose change may change it.

    A rule whose condition (or section, or a finding or fact it reads) changed
    touches everything it offers; one whose offers or strength alone changed
    touches only the offers that differ (all of them, when the strength did).
    """
    findings, facts = _changed_findings(old, new), _changed_facts(old, new)
    sections = {
        s
        for s in set(old.sections) | set(new.sections)
        if s not in old.sections
        or s not in new.sections
        or old.sections[s].applies_when != new.sections[s].applies_when
    }
    touched: dict[str, list[str]] = {}
    rank_changed = _rank_changed(old, new)

    def touch(treatments: Iterable[str], rule: str) -> None:
        for t in treatments:
            touched.setdefault(t, [])
            if rule not in touched[t]:
                touched[t].append(rule)

    for rule_id in dict.fromkeys([*old.rules, *new.rules]):
        a, b = old.rules.get(rule_id), new.rules.get(rule_id)
        if a is None or b is None:
            touch((o.treatment for o in (a or b).offers), rule_id)  # type: ignore[union-attr]
            continue
        reads_changed = (
            a.section != b.section
            or a.when != b.when
            or a.section in sections
            or b.section in sections
            or set(_findings_read(old.conditions_of(a))) & findings
            or set(_findings_read(new.conditions_of(b))) & findings
            or set(facts_of(old, old.conditions_of(a))) & facts
            or set(facts_of(new, new.conditions_of(b))) & facts
        )
        if reads_changed or a.strength != b.strength or rank_changed:
            touch(dict.fromkeys(o.treatment for o in (*a.offers, *b.offers)), rule_id)
        else:
            differ = set(a.offers) ^ set(b.offers)
            touch(dict.fromkeys(o.treatment for o in (*a.offers, *b.offers) if o in differ), rule_id)
    order = {t: i for i, t in enumerate(dict.fromkeys([*new.treatments, *old.treatments]))}
    return tuple(sorted(((t, tuple(r)) for t, r in touched.items()), key=lambda item: order.get(item[0], 0)))


def treatment_impact(
    old: KnowledgeBase,
    new: KnowledgeBase,
    treatment: str,
    changed_rules: tuple[str, ...],
    cache: Cache | None = None,
    out: list[ImpactKind] | None = None,
) -> list[ImpactKind]:
    """The kinds of case whose option for one treatment changes (``cache`` shared between treatments).

    Kinds are added to ``out`` as they are confirmed, so that a search past its
    budget (:class:`~pnet_expert.core.space.SearchTooBig`) leaves what it found.
    """
    old_rules, new_rules = list(old.rules_offering(treatment)), list(new.rules_offering(treatment))
    old_changed = [r for r in old_rules if r.id in changed_rules]
    new_changed = [r for r in new_rules if r.id in changed_rules]
    first = [
        *(f for r in old_changed for f in facts_of(old, old.conditions_of(r))),
        *(f for r in new_changed for f in facts_of(new, new.conditions_of(r))),
    ]
    rest = [
        *(f for r in old_rules for f in facts_of(old, old.conditions_of(r))),
        *(f for r in new_rules for f in facts_of(new, new.conditions_of(r))),
    ]
    space = CaseSpace([old, new], [*first, *rest], cache=cache)

    def fired(case: Assignment, index: int, rules: list[RuleSpec]) -> list[RuleSpec]:
        return [r for r in rules if space.rule_truth(case, r, index) is Truth.TRUE]

    def keep(case: Assignment) -> bool:
        """Valid in both, and some changed rule may still fire (on this case or one knowing more)."""
        if space.evaluator(case, 0) is None or space.evaluator(case, 1) is None:
            return False
        return any(space.rule_truth(case, r, 0) is not Truth.FALSE for r in old_changed) or any(
            space.rule_truth(case, r, 1) is not Truth.FALSE for r in new_changed
        )

    def changed_fires(case: Assignment) -> bool:
        """Some changed rule fires, before or after: only then can the option differ."""
        return bool(fired(case, 0, old_changed) or fired(case, 1, new_changed))

    Group = tuple[Assignment, int, OptionSummary | None, OptionSummary | None]
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], Group] = {}
    try:
        cost = sum(
            len(kb.conditions_of(r)) for kb, rules in ((old, old_rules), (new, new_rules)) for r in rules
        )
        for case in space.by_known_count(keep, cost + 1):
            if not changed_fires(case):
                continue
            before_rules, after_rules = fired(case, 0, old_rules), fired(case, 1, new_rules)
            before = option_summary(old, treatment, before_rules)
            after = option_summary(new, treatment, after_rules)
            if before == after:
                continue
            key = (tuple(r.id for r in before_rules), tuple(r.id for r in after_rules))
            earliest, count, _, _ = groups.get(key, (case, 0, before, after))
            groups[key] = (earliest, count + 1, before, after)
    finally:  # past the budget too: what was found is kept
        found = _kinds(space, old, new, treatment, groups)
        if out is not None:
            out.extend(found)
    return found


def _kinds(
    space: CaseSpace,
    old: KnowledgeBase,
    new: KnowledgeBase,
    treatment: str,
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], Any],
) -> list[ImpactKind]:
    """Each group as a kind of case, its smallest example confirmed by the engine."""
    out = []
    for (fired_before, fired_after), (smallest, count, before, after) in groups.items():
        example = space.case(smallest, new)
        was, now = recommend(example, old), recommend(example, new)
        options_before = tuple(o.summary for o in was.treatments)
        options_after = tuple(o.summary for o in now.treatments)
        engine_before = next((o for o in options_before if o.treatment == treatment), None)
        engine_after = next((o for o in options_after if o.treatment == treatment), None)
        confirmed = (engine_before, engine_after) == (before, after)
        out.append(
            ImpactKind(
                treatment,
                fired_before,
                fired_after,
                before,
                after,
                count,
                example,
                options_before,
                options_after,
                confirmed,
            )
        )
    return out


def diff_knowledge_bases(
    old: KnowledgeBase, new: KnowledgeBase, advance: Callable[[int], None] | None = None
) -> KbDiff:
    """Compare two loaded knowledge bases: their changes, and every kind of case whose options change."""
    changes = text_changes(old, new)
    touched = touched_treatments(old, new)
    impact: list[ImpactKind] = []
    unexplored: list[str] = []
    cache = Cache(left=CHECK_TOTAL)  # shared by every treatment's search, within one budget (docs/limits.md)
    for treatment, rules in touched:
        found: list[ImpactKind] = []
        try:
            treatment_impact(old, new, treatment, rules, cache, found)
        except SearchTooBig:
            unexplored.append(treatment)
        impact.extend(found)
        if advance:
            advance(1)
    treatments = tuple(t for t, _ in touched)
    return KbDiff(
        old.root, new.root, old.version, new.version, changes, tuple(impact), treatments, tuple(unexplored)
    )
