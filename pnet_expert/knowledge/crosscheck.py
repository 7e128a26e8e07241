"""Check that the knowledge base's parts fit together, once every file is read.

Names must refer to something declared, values must lie in their fact's
domain, ids must be unique, tests must suit their fact's kind. Every problem is
recorded with the position it was written at; nothing stops at the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin, closest
from pnet_expert.core.errors import one_of
from pnet_expert.core.records import RESERVED_FIELD_IDS
from pnet_expert.core.schema import (
    AnyOf,
    CautionSpec,
    Condition,
    ConstraintSpec,
    CountTest,
    FactSpec,
    FactTest,
    FindingSpec,
    FindingTest,
    QualifierSpec,
    ReadingSpec,
    RuleSpec,
    SectionSpec,
    StrengthSpec,
    TreatmentSpec,
    iter_tests,
)
from pnet_expert.core.show import show
from pnet_expert.knowledge.nodes import Problems


class CrossCheck:
    """Checks one knowledge base's references, recording problems."""

    def __init__(
        self,
        problems: Problems,
        facts: Mapping[str, FactSpec],
        findings: Mapping[str, FindingSpec],
        treatments: Mapping[str, TreatmentSpec],
        strengths: Iterable[StrengthSpec],
        qualifiers: Iterable[QualifierSpec],
    ) -> None:
        self.problems = problems
        self.facts = facts
        self.findings = findings
        self.treatments = treatments
        self.strengths = tuple(s.id for s in strengths)
        self.qualifiers = tuple(q.id for q in qualifiers)

    def fail(
        self, code: str, origin: Origin, where: str, message: str, *, suggestion: str = "", hint: str = ""
    ) -> None:
        """Record a problem."""
        self.problems.add(Diagnostic(code, where, message, origin=origin, suggestion=suggestion, hint=hint))

    # ------------------------------------------------------------ facts

    def fact_specs(self) -> None:
        """A records fact's fields: one required (it names a record), ids unique and free to use;
        its words name only its fields."""
        for fact in self.facts.values():
            if fact.kind != "records":
                continue
            where = f"{fact.id}.fields"
            if not any(f.required for f in fact.fields):
                message = "a records fact needs a required field (it names each record)"
                self.fail(codes.KB_RECORD_FIELDS, fact.origin, where, message)
            ids = [f.id for f in fact.fields]
            for i, field_id in enumerate(ids):
                if field_id in ids[:i]:
                    message = f"the field {field_id!r} is declared twice"
                    self.fail(codes.KB_DUPLICATE_ID, fact.origin, f"{where}.{field_id}", message)
                if field_id in RESERVED_FIELD_IDS:
                    self.fail(
                        codes.KB_RECORD_FIELDS,
                        fact.origin,
                        f"{where}.{field_id}",
                        f"{field_id!r} cannot be a field id (the engine's facts and records use it)",
                        hint=f"not any of: {one_of(sorted(RESERVED_FIELD_IDS))}",
                    )
            for name in fact.words.fields() if fact.words else ():
                if name not in ids:
                    self.fail(
                        codes.KB_NOT_A_FIELD,
                        fact.origin,
                        f"{fact.id}.words",
                        f"{{{name}}} is not a field of {fact.id}",
                        suggestion=closest(name, ids),
                        hint=f"fields: {one_of(ids)}",
                    )

    # ------------------------------------------------------------ conditions

    def conditions(self, conditions: Iterable[Condition], where: str, *, in_rule: bool = True) -> None:
        """Check every test of a list of conditions."""
        for i, c in enumerate(conditions):
            self.condition(c, f"{where}[{i}]", in_rule=in_rule)

    def condition(self, c: Condition, where: str, *, in_rule: bool = True) -> None:
        """Check one condition against the declarations."""
        if isinstance(c, AnyOf):
            for i, option in enumerate(c.options):
                self.condition(option, f"{where}.any[{i}]", in_rule=in_rule)
        elif isinstance(c, FactTest):
            self._fact_test(c, where)
        elif isinstance(c, CountTest):
            self._count_test(c, where, in_rule=in_rule)
        else:
            self._finding_test(c, where)

    def _fact(self, name: str, origin: Origin, where: str) -> FactSpec | None:
        fact = self.facts.get(name)
        if fact is None:
            self.fail(
                codes.KB_UNDECLARED,
                origin,
                where,
                f"{name!r} is not a declared fact",
                suggestion=closest(name, self.facts),
                hint=_declared(self.facts),
            )
        return fact

    def _fact_test(self, t: FactTest, where: str) -> None:
        fact = self._fact(t.fact, t.origin, f"{where}.fact")
        if fact is None:
            return
        suits = {
            "boolean": ("is", "in"),
            "choice": ("is", "in"),
            "set": ("contains", "contains_any"),
        }
        if fact.kind == "records":
            message = f"{t.fact!r} is a list of records: test it with 'count'"
            self.fail(codes.KB_TEST_UNSUITED, t.origin, where, message)
            return
        if t.op not in suits[fact.kind]:
            self.fail(
                codes.KB_TEST_UNSUITED,
                t.origin,
                f"{where}.{t.op}",
                f"a {fact.kind} fact is tested with {' or '.join(suits[fact.kind])}",
            )
            return
        for value in t.values:
            if value not in fact.value_ids or isinstance(value, bool) != (fact.kind == "boolean"):
                self.fail(
                    codes.KB_NOT_A_VALUE,
                    t.origin,
                    f"{where}.{t.op}",
                    f"{show(value)} is not a value of {t.fact}",
                    suggestion=closest(value, fact.value_ids),
                    hint=f"allowed: {one_of(fact.value_ids)}",
                )

    def _count_test(self, t: CountTest, where: str, *, in_rule: bool) -> None:
        fact = self._fact(t.fact, t.origin, f"{where}.count")
        if fact is None:
            return
        if fact.kind != "records":
            self.fail(
                codes.KB_TEST_UNSUITED,
                t.origin,
                f"{where}.count",
                f"{t.fact!r} is a {fact.kind} fact: only records are counted",
            )
            return
        fields = {f.id: f for f in fact.fields}
        for field, values in t.where:
            spec = fields.get(field)
            if spec is None:
                self.fail(
                    codes.KB_NOT_A_FIELD,
                    t.origin,
                    f"{where}.where.{field}",
                    f"{field!r} is not a field of {t.fact}",
                    suggestion=closest(field, fields),
                    hint=f"fields: {one_of(fields)}",
                )
                continue
            for value in values:
                if value not in spec.value_ids:
                    self.fail(
                        codes.KB_NOT_A_VALUE,
                        t.origin,
                        f"{where}.where.{field}",
                        f"{value!r} is not a value of {t.fact}.{field}",
                        suggestion=closest(value, spec.value_ids),
                        hint=f"allowed: {one_of(spec.value_ids)}",
                    )
        # A rule may say that a list is known to be empty ("exactly: 0" of the whole list:
        # the case states []), but not that no record matches a filter, which a record
        # with an unknown field would leave open (absence is not a positive test).
        empty_list = t.exactly == 0 and not t.where
        smallest = 1 if in_rule and not empty_list else 0
        number = t.exactly if t.exactly is not None else t.at_least
        if number is not None and number < smallest:
            self.fail(
                codes.KB_COUNT_BELOW_ONE,
                t.origin,
                where,
                "a rule can only count one or more records, or 'exactly: 0' of the whole list "
                "(a list known to be empty): absence is not a positive test",
            )
        for field in t.carry:
            if field not in fields:
                message = f"{field!r} is not a field of {t.fact}"
                self.fail(
                    codes.KB_NOT_A_FIELD,
                    t.origin,
                    f"{where}.carry",
                    message,
                    suggestion=closest(field, fields),
                )
        if t.carry and t.exactly != 1:
            message = "'carry' needs 'exactly: 1' (one record to carry from)"
            self.fail(codes.KB_CARRY_NEEDS_ONE, t.origin, f"{where}.carry", message)

    def _finding_test(self, t: FindingTest, where: str) -> None:
        finding = self.findings.get(t.finding)
        if finding is None:
            self.fail(
                codes.KB_UNDECLARED,
                t.origin,
                f"{where}.finding",
                f"{t.finding!r} is not a declared finding",
                suggestion=closest(t.finding, self.findings),
                hint=_declared(self.findings),
            )
            return
        for attribute, values in t.where:
            if attribute not in finding.attributes:
                carried = one_of(finding.attributes) or "none"
                self.fail(
                    codes.KB_NOT_A_FIELD,
                    t.origin,
                    f"{where}.where.{attribute}",
                    f"{attribute!r} is not an attribute of {t.finding} (it carries: {carried})",
                )
                continue
            domain = self.attribute_values(finding, attribute)
            for value in values:
                if value not in domain:
                    self.fail(
                        codes.KB_NOT_A_VALUE,
                        t.origin,
                        f"{where}.where.{attribute}",
                        f"{value!r} is not a value of {attribute}",
                        suggestion=closest(value, domain),
                        hint=f"allowed: {one_of(domain)}",
                    )

    def attribute_values(self, finding: FindingSpec, attribute: str) -> tuple[str, ...]:
        """The values a finding's attribute can take (those of the record field it carries)."""
        for condition in finding.rule.when:
            if isinstance(condition, CountTest) and attribute in condition.carry:
                fact = self.facts.get(condition.fact)
                if fact is not None:
                    return next((f.value_ids for f in fact.fields if f.id == attribute), ())
        return ()

    # ------------------------------------------------------------ the parts

    def finding_specs(self) -> None:
        """Findings' rules, and no finding that depends on itself."""
        for finding in self.findings.values():
            self.conditions(finding.rule.when, f"{finding.rule.id}.when")
        for finding in self.findings.values():
            if self._depends_on(finding.id, finding.id, set()):
                self.fail(
                    codes.KB_SELF_DEPENDENT, finding.origin, finding.id, "the finding depends on itself"
                )

    def _depends_on(self, start: str, target: str, seen: set[str]) -> bool:
        finding = self.findings.get(start)
        if finding is None or start in seen:
            return False
        seen.add(start)
        for c in iter_tests(finding.rule.when):
            if isinstance(c, FindingTest) and (
                c.finding == target or self._depends_on(c.finding, target, seen)
            ):
                return True
        return False

    def section_specs(self, sections: Iterable[SectionSpec]) -> None:
        """A section's own conditions."""
        for section in sections:
            self.conditions(section.applies_when, f"{section.id}.applies_when")
            if section.kind == "type" and not any(
                isinstance(c, FactTest) and c.fact == "tumor_type" for c in section.applies_when
            ):
                self.fail(
                    codes.KB_TYPE_SECTION_UNTYPED,
                    section.origin,
                    f"{section.id}.applies_when",
                    "a type section names its tumor_type",
                )

    def rule_specs(self, rules: Iterable[RuleSpec]) -> None:
        """A rule's conditions, offers, strength, qualifiers and alternatives."""
        for rule in rules:
            self.conditions(rule.when, f"{rule.id}.when")
            offered = [o.treatment for o in rule.offers]
            for i, o in enumerate(rule.offers):
                where = f"{rule.id}.offers[{i}]"
                if o.treatment not in self.treatments:
                    self.fail(
                        codes.KB_UNDECLARED,
                        o.origin,
                        f"{where}.treatment",
                        f"{o.treatment!r} is not a declared treatment",
                        suggestion=closest(o.treatment, self.treatments),
                    )
                if offered.count(o.treatment) > 1 and offered.index(o.treatment) == i:
                    message = f"{o.treatment!r} is offered twice"
                    self.fail(codes.KB_REPEATED, o.origin, f"{where}.treatment", message)
                for q in o.qualifiers:
                    if q not in self.qualifiers:
                        self.fail(
                            codes.KB_UNDECLARED,
                            o.origin,
                            f"{where}.qualifiers",
                            f"{q!r} is not a qualifier",
                            suggestion=closest(q, self.qualifiers),
                            hint=f"allowed: {'; '.join(self.qualifiers)}",
                        )
            if rule.strength not in self.strengths:
                self.fail(
                    codes.KB_UNDECLARED,
                    rule.origin,
                    f"{rule.id}.strength",
                    f"{rule.strength!r} is not a strength",
                    suggestion=closest(rule.strength, self.strengths),
                    hint=f"allowed: {one_of(self.strengths)}",
                )
            for i, group in enumerate(rule.alternatives):
                for treatment in group:
                    if treatment not in offered:
                        self.fail(
                            codes.KB_ALTERNATIVE_NOT_OFFERED,
                            rule.origin,
                            f"{rule.id}.alternatives[{i}]",
                            f"{treatment!r} is not among the rule's offers ({one_of(offered)})",
                        )

    def caution_specs(self, cautions: Iterable[CautionSpec], rules: Mapping[str, RuleSpec]) -> None:
        """A caution's condition, its treatments, and the rules it exempts (rules offering one of them)."""
        for caution in cautions:
            self.conditions(caution.when, f"{caution.id}.when")
            for i, treatment in enumerate(caution.treatments):
                if treatment not in self.treatments:
                    self.fail(
                        codes.KB_UNDECLARED,
                        caution.origin,
                        f"{caution.id}.treatments[{i}]",
                        f"{treatment!r} is not a declared treatment",
                        suggestion=closest(treatment, self.treatments),
                    )
            for i, rule_id in enumerate(caution.exempt):
                where = f"{caution.id}.exempt[{i}]"
                rule = rules.get(rule_id)
                if rule is None:
                    self.fail(
                        codes.KB_EXEMPT_NOT_A_RULE,
                        caution.origin,
                        where,
                        f"{rule_id!r} is not a recommendation rule",
                        suggestion=closest(rule_id, rules),
                    )
                elif not any(rule.offers_treatment(t) for t in caution.treatments):
                    offered = one_of(o.treatment for o in rule.offers)
                    self.fail(
                        codes.KB_EXEMPT_OFFERS_NONE,
                        caution.origin,
                        where,
                        f"{rule_id} offers none of the caution's treatments (it offers {offered})",
                        hint="exempt only a rule whose offer the caution would otherwise mark",
                    )

    def reading_specs(
        self,
        readings: Iterable[ReadingSpec],
        findings: Iterable[FindingSpec],
        rules: Iterable[RuleSpec],
        cautions: Iterable[CautionSpec],
        constraints: Iterable[ConstraintSpec],
        complete: bool = True,
    ) -> None:
        """Readings and what cites them agree: every id a reading names exists, every reading cited
        is declared, and each side names the other (a constraint cannot cite, so it need not).

        ``complete``: every rule, finding, caution and constraint was read without a problem.
        When one was not, it is missing here, so only the readings cited are checked: that
        they are declared (a missing item would otherwise be reported again, as a reading's).
        """
        declared = {x.id: x for x in readings}
        citing: dict[str, tuple[tuple[str, ...], Origin]] = {}
        for f in findings:
            citing[f.rule.id] = (f.readings, f.origin)
        for rule in rules:
            citing[rule.id] = (rule.readings, rule.origin)
        for caution in cautions:
            citing[caution.id] = (caution.readings, caution.origin)
        known = [*citing, *(c.id for c in constraints)]
        for reading in declared.values() if complete else ():
            for i, rule_id in enumerate(reading.rules):
                where = f"{reading.id}.rules[{i}]"
                if rule_id not in known:
                    self.fail(
                        codes.KB_READING_NAMES_NO_RULE,
                        reading.origin,
                        where,
                        f"{rule_id!r} is not a rule, a finding's rule, a caution or a constraint",
                        suggestion=closest(rule_id, known),
                    )
                elif rule_id in citing and reading.id not in citing[rule_id][0]:
                    self.fail(
                        codes.KB_READING_ONE_WAY,
                        reading.origin,
                        where,
                        f"the reading names {rule_id}, which does not cite it",
                        hint=f"add {reading.id} to {rule_id}'s readings, or {rule_id} out of these rules",
                    )
        for item_id, (cited, origin) in citing.items():
            for i, reading_id in enumerate(cited):
                where = f"{item_id}.readings[{i}]"
                cited_reading = declared.get(reading_id)
                if cited_reading is None:
                    self.fail(
                        codes.KB_UNDECLARED_READING,
                        origin,
                        where,
                        f"{reading_id!r} is not a reading of readings.yaml",
                        suggestion=closest(reading_id, declared),
                        hint=_declared(declared),
                    )
                elif complete and item_id not in cited_reading.rules:
                    self.fail(
                        codes.KB_READING_ONE_WAY,
                        origin,
                        where,
                        f"{item_id} cites {reading_id}, which does not name it among its rules",
                        hint=f"add {item_id} to {reading_id}'s rules, or {reading_id} out of these readings",
                    )

    def constraint_specs(self, constraints: Iterable[ConstraintSpec]) -> None:
        """The constraints between facts."""
        for c in constraints:
            self.conditions(c.if_, f"{c.id}.if", in_rule=False)
            self.condition(c.then, f"{c.id}.then", in_rule=False)
            if c.field not in self.facts:
                message = f"{c.field!r} is not a declared fact"
                self.fail(
                    codes.KB_UNDECLARED,
                    c.origin,
                    f"{c.id}.field",
                    message,
                    suggestion=closest(c.field, self.facts),
                )


def unique(problems: Problems, items: Iterable[tuple[str, Origin]], what: str) -> None:
    """Report every id given twice, at its second place."""
    seen: dict[str, Origin] = {}
    for item_id, origin in items:
        if item_id in seen:
            message = f"duplicate {what} id (first at {seen[item_id]})"
            problems.add(Diagnostic(codes.KB_DUPLICATE_ID, item_id, message, origin=origin))
        else:
            seen[item_id] = origin


def _declared(names: Iterable[str]) -> str:
    """The hint after an undeclared name: what is declared."""
    listed = one_of(names)
    return f"declared: {listed}" if listed else "none is declared"
