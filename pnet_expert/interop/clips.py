"""The knowledge base as CLIPS source, and a case's facts as CLIPS facts, generated from the data.

For knowledge engineers who think in CLIPS. Nothing here is written per rule:
:func:`knowledge_base_source` walks the knowledge base's specs and writes

* one ``deftemplate`` per fact of ``facts.yaml``, named after the fact: a
  boolean or choice fact has a ``value`` slot (``TRUE``/``FALSE`` for a
  boolean), a set fact a ``values`` multislot (``(spread (values))`` is "none"),
  and a records fact one fact per record, with its ``index`` and one slot per
  field (``nil`` when an optional field is unknown), and one ``FACT-count`` fact
  saying how many records a known list holds (``(tumors-count (value 0))`` is
  ``tumors: []``, what "exactly: 0" of the whole list tests, as in the engine);
* a ``finding`` template (its ``name`` and the attributes findings carry), and
  an ``offer`` template with one fact per offer of each rule (``deffacts``);
* one ``defrule`` per branch of each rule's condition in disjunctive normal
  form (an ``any`` opens branches), as the engine compiles them: a finding
  rule asserts its finding, on which the recommendation rules chain; a
  recommendation rule asserts ``(fired RULE-ID)``.

A fact the case does not state is simply absent, so no pattern on it can
match: unknown facts fire nothing, as in the engine. The semantics are the
engine's, test by test: ``is``/``in`` match a value, ``contains`` and
``contains_any`` a member of the set, a count binds that many records with
rising indices (``exactly`` adds a ``not`` for one more), a record whose field
is unknown (``nil``) matches no test on that field, and a finding carries the
fields of its one record.

:func:`program` adds a case's facts as ``deffacts``, so that ``(load)``,
``(reset)`` and ``(run)`` of that one file leave one ``(fired RULE-ID)`` fact
per recommendation rule the engine fires on the case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pnet_expert.core import codes
from pnet_expert.core.case import Patient
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import InputError
from pnet_expert.core.records import Record
from pnet_expert.core.schema import (
    CountTest,
    FactSpec,
    FactTest,
    FindingTest,
    KnowledgeBase,
    Scalar,
    branches,
    iter_tests,
)
from pnet_expert.knowledge.identity import identify

FINDING_TEMPLATE = "finding"
OFFER_TEMPLATE = "offer"
FIRED = "fired"
FINDING_SALIENCE = 10
"""Finding rules fire first, so that a trace reads facts, findings, options (as in the engine)."""

RESERVED = frozenset(
    {
        FINDING_TEMPLATE,
        OFFER_TEMPLATE,
        FIRED,
        "fired-rules",
        "initial-fact",
        "and",
        "or",
        "not",
        "test",
        "exists",
        "forall",
        "logical",
        "object",
        "declare",
        "nil",
        "TRUE",
        "FALSE",
    }
)
"""Names a fact, finding or value of the knowledge base may not take in CLIPS: ours, and CLIPS's own words."""

_SYMBOL = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


def string(text: str) -> str:
    """A CLIPS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def symbol(value: Scalar) -> str:
    """A value as a CLIPS symbol: TRUE or FALSE for a boolean, the id otherwise."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def comment(text: str, prefix: str = ";; ") -> list[str]:
    """Text as comment lines (each line of the text its own comment, so nothing escapes it)."""
    return [f"{prefix}{line}".rstrip() for line in text.splitlines() or [""]]


def check_names(kb: KnowledgeBase) -> None:
    """Refuse a knowledge base with a name CLIPS cannot take as it is (INPUT-E013), naming each."""
    names: list[tuple[str, str]] = [(f"facts.{f.id}", f.id) for f in kb.facts.values()]
    for spec in kb.facts.values():
        names += [(f"facts.{spec.id}.values", str(v)) for v in spec.value_ids if not isinstance(v, bool)]
        for field in spec.fields:
            names += [(f"facts.{spec.id}.{field.id}", field.id)]
            names += [(f"facts.{spec.id}.{field.id}.values", v) for v in field.value_ids]
    names += [(f"findings.{f}", f) for f in kb.findings]
    names += [(f"treatments.{t}", t) for t in kb.treatments]
    problems = [
        Diagnostic(
            codes.INPUT_CLIPS_NAME,
            where,
            f"{name!r} cannot be a name in CLIPS",
            hint="rename it: a CLIPS name is a word (letters, digits, '_', '-') that is not "
            + ", ".join(sorted(RESERVED)),
        )
        for where, name in names
        if name in RESERVED or not _SYMBOL.match(name)
    ]
    if problems:
        raise InputError.of(problems)


# ---------------------------------------------------------------- templates


def _slot(name: str, values: Iterable[str], required: bool) -> str:
    allowed = " ".join(values)
    default = "?NONE" if required else "nil"
    nil = "" if required else " nil"
    return f"   (slot {name} (type SYMBOL) (allowed-symbols {allowed}{nil}) (default {default}))"


def _fact_template(spec: FactSpec) -> list[str]:
    lines = [f"(deftemplate {spec.id} {string(spec.label)}"]
    if spec.kind in ("boolean", "choice"):
        lines.append(_slot("value", (symbol(v) for v in spec.value_ids), required=True))
    elif spec.kind == "set":
        allowed = " ".join(str(v) for v in spec.value_ids)
        lines.append(f"   (multislot values (type SYMBOL) (allowed-symbols {allowed}))")
    else:
        lines.append("   (slot index (type INTEGER) (default ?NONE))")
        lines += [_slot(f.id, f.value_ids, f.required) for f in spec.fields]
    lines[-1] += ")"
    if spec.kind == "records":
        lines += [
            f"(deftemplate {count_template(spec.id)} {string(f'how many {spec.label} the case lists')}",
            "   (slot value (type INTEGER) (default ?NONE)))",
        ]
    return lines


def count_template(fact: str) -> str:
    """The template of a known list's number of records: ``tumors-count`` (no id of the knowledge
    base has a '-', so it names nothing else)."""
    return f"{fact}-count"


def _attributes(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Every attribute a finding may carry, with the values of the record field it comes from."""
    out: dict[str, list[str]] = {}
    for finding in kb.findings.values():
        for test in iter_tests(finding.rule.when):
            if isinstance(test, CountTest):
                for name in test.carry:
                    values = kb.facts[test.fact].field(name).value_ids
                    out.setdefault(name, [])
                    out[name] += [v for v in values if v not in out[name]]
    return out


def templates(kb: KnowledgeBase) -> list[str]:
    """The deftemplates: the case's facts (records among them), findings and offers."""
    lines = [";;; The case's facts, one template per fact of facts.yaml. A fact not known is absent."]
    for spec in kb.facts.values():
        lines += _fact_template(spec)
    lines += ["", ";;; Findings: what the finding rules derive, and the recommendation rules chain on."]
    finding = [
        f"(deftemplate {FINDING_TEMPLATE} {string('a finding about the case, derived by its rule')}",
        f"   (slot name (type SYMBOL) (allowed-symbols {' '.join(kb.findings)}) (default ?NONE))",
    ]
    finding += [_slot(name, values, required=False) for name, values in _attributes(kb).items()]
    finding[-1] += ")"
    lines += finding
    lines += [
        "",
        ";;; What each rule offers (a deffacts below): join it with (fired ?rule) to list the options.",
        f"(deftemplate {OFFER_TEMPLATE} {string('a treatment a rule offers, as the source words it')}",
        f"   (slot rule (type SYMBOL) (allowed-symbols {' '.join(kb.rules)}) (default ?NONE))",
        f"   (slot treatment (type SYMBOL) (allowed-symbols {' '.join(kb.treatments)}) (default ?NONE))",
        "   (slot strength (type STRING) (default ?NONE))",
        "   (multislot qualifiers (type STRING)))",
    ]
    return lines


def offers(kb: KnowledgeBase) -> list[str]:
    """One offer fact per treatment each rule offers, as a deffacts."""
    lines = [f"(deffacts offers {string('what each rule offers (rules/*.yaml)')}"]
    for rule in kb.rules.values():
        for offer in rule.offers:
            qualifiers = " ".join(string(q) for q in offer.qualifiers)
            lines.append(
                f"   ({OFFER_TEMPLATE} (rule {rule.id}) (treatment {offer.treatment}) "
                f"(strength {string(rule.strength)}) (qualifiers {qualifiers}))".replace(" (qualifiers )", "")
            )
    lines[-1] += ")"
    return lines


# ---------------------------------------------------------------- rules


class _Branch:
    """The left-hand side of one branch of one rule, pattern by pattern."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.patterns: list[str] = []
        self.carried: dict[str, str] = {}
        self.counts = 0

    def add(self, test: FactTest | CountTest | FindingTest) -> None:
        if isinstance(test, FactTest):
            self._fact(test)
        elif isinstance(test, CountTest):
            self._count(test)
        else:
            constraints = "".join(f" ({a} {'|'.join(v)})" for a, v in test.where)
            self.patterns.append(f"({FINDING_TEMPLATE} (name {test.finding}){constraints})")

    def _fact(self, test: FactTest) -> None:
        values = "|".join(symbol(v) for v in test.values)
        if self.kb.facts[test.fact].kind == "set":  # contains, contains_any: one member of the set
            self.patterns.append(f"({test.fact} (values $? {values} $?))")
        else:
            self.patterns.append(f"({test.fact} (value {values}))")

    def _count(self, test: CountTest) -> None:
        if test.exactly == 0 and not test.where:  # the whole list, known to be empty
            self.patterns.append(f"({count_template(test.fact)} (value 0))")
            return
        self.counts += 1
        number = test.exactly if test.exactly is not None else test.at_least
        needed = max(number or 1, 1)
        where = {field: "|".join(values) for field, values in test.where}
        indices = [f"?r{self.counts}_{k}" for k in range(needed)]
        for k, index in enumerate(indices):
            rising = f"{index}&:(> {index} {indices[k - 1]})" if k else index
            slots = [f"(index {rising})"]
            for field in dict.fromkeys([*where, *(test.carry if k == 0 else ())]):
                if k == 0 and field in test.carry:
                    variable = f"?c{self.counts}_{field}"
                    self.carried[field] = variable
                    slots.append(
                        f"({field} {variable}&{where[field]})" if field in where else f"({field} {variable})"
                    )
                else:
                    slots.append(f"({field} {where[field]})")
            self.patterns.append(f"({test.fact} {' '.join(slots)})")
        if test.exactly is not None:
            others = "&".join(f"~{i}" for i in indices)
            slots = [f"(index {others})", *(f"({f} {v})" for f, v in where.items())]
            self.patterns.append(f"(not ({test.fact} {' '.join(slots)}))")


def _rule_name(rule_id: str, number: int, count: int) -> str:
    return rule_id if count == 1 else f"{rule_id}/{number + 1}"


def finding_rules(kb: KnowledgeBase) -> list[str]:
    """One defrule per branch of each finding's rule: it asserts the finding (with what it carries)."""
    lines: list[str] = []
    for finding in kb.findings.values():
        rule = finding.rule
        every = branches(rule.when)
        for number, tests in enumerate(every):
            lhs = _Branch(kb)
            for test in tests:
                lhs.add(test)
            carried = "".join(f" ({name} {variable})" for name, variable in lhs.carried.items())
            doc = f"{rule.id}: {finding.label}"
            lines += [
                f"(defrule {_rule_name(rule.id, number, len(every))} {string(doc)}",
                f"   (declare (salience {FINDING_SALIENCE}))",
                *(f"   {p}" for p in lhs.patterns),
                "   =>",
                f"   (assert ({FINDING_TEMPLATE} (name {finding.id}){carried})))",
                "",
            ]
    return lines


def recommendation_rules(kb: KnowledgeBase) -> list[str]:
    """One defrule per branch of each recommendation rule (its section's test first), asserting (fired ID)."""
    lines: list[str] = []
    for rule in kb.rules.values():
        every = branches(kb.conditions_of(rule))
        offered = ", ".join(o.treatment for o in rule.offers)
        doc = f"{rule.id} ({rule.section}, {rule.strength}: {offered}). {rule.quote}"
        for number, tests in enumerate(every):
            lhs = _Branch(kb)
            for test in tests:
                lhs.add(test)
            lines += [
                f"(defrule {_rule_name(rule.id, number, len(every))} {string(doc)}",
                *(f"   {p}" for p in lhs.patterns),
                "   =>",
                f"   (assert ({FIRED} {rule.id})))",
                "",
            ]
    return lines


def fired_function() -> list[str]:
    """``(fired-rules)``: the ids of the recommendation rules that fired, as one multifield."""
    return [
        ";;; (fired-rules) after (run): the ids of the recommendation rules that fired.",
        f"(deffunction fired-rules () {string('the ids of the recommendation rules that fired')}",
        "   (bind ?ids (create$))",
        f"   (do-for-all-facts ((?f {FIRED})) TRUE (bind ?ids (create$ ?ids (nth$ 1 ?f:implied))))",
        "   ?ids)",
    ]


def header(kb: KnowledgeBase) -> list[str]:
    """Where the source comes from, and how to use it."""
    return [
        *comment(
            f"{identify(kb).brief()}: the knowledge base as CLIPS source, generated from its data", ";;; "
        ),
        f";;; (fingerprint {kb.fingerprint}; pnet-expert kb export --format clips).",
        *comment(
            f"Source: {kb.source.title}, {kb.source.publisher}, last modified {kb.source.last_modified}.",
            ";;; ",
        ),
        *comment(kb.disclaimer, ";;; "),
        ';;; (load "this file") (reset) (run): each recommendation rule that fires leaves (fired RULE-ID);',
        ";;; an unknown fact is absent, so it fires nothing. Assert a case's facts before (run), or use",
        ";;; 'kb export --format clips --case CASE', which writes them as deffacts after the rules.",
        "",
    ]


def knowledge_base_source(kb: KnowledgeBase) -> str:
    """The whole knowledge base as CLIPS source (templates, offers, finding and recommendation rules)."""
    check_names(kb)
    lines = [
        *header(kb),
        *templates(kb),
        "",
        *offers(kb),
        "",
        ";;; Finding rules (findings.yaml), one defrule per branch of each condition.",
        *finding_rules(kb),
        ";;; Recommendation rules (rules/*.yaml), one defrule per branch; each asserts (fired RULE-ID).",
        *recommendation_rules(kb),
        *fired_function(),
    ]
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- a case


def case_facts(kb: KnowledgeBase, patient: Patient) -> list[str]:
    """The case's known facts as CLIPS facts (an unknown fact has none; a record one fact each)."""
    out: list[str] = []
    for name, value in patient.known:
        spec = kb.facts[name]
        if spec.kind in ("boolean", "choice"):
            assert isinstance(value, bool | str)
            out.append(f"({name} (value {symbol(value)}))")
        elif spec.kind == "set":
            assert isinstance(value, tuple)
            out.append(f"({name} (values {' '.join(str(v) for v in value)}))".replace(" ))", "))"))
        else:
            assert isinstance(value, tuple)
            out.append(f"({count_template(name)} (value {len(value)}))")
            for index, record in enumerate(value):
                assert isinstance(record, Record)
                fields = "".join(f" ({field} {v})" for field, v in record.known)
                out.append(f"({name} (index {index}){fields})")
    return out


def case_source(kb: KnowledgeBase, patient: Patient) -> list[str]:
    """The case as a ``deffacts``, with its free text and its unknown facts as comments."""
    lines = [";;; The case's facts: (reset) asserts them."]
    for key, text in patient.meta:
        lines += comment(f"{key}: {text}", ";;; ")
    unknown = [f for f in kb.facts if not patient.is_known(f)]
    lines.append(f";;; unknown (absent, so they fire nothing): {', '.join(unknown) or 'none'}")
    empty = [name for name, value in patient.known if kb.facts[name].kind == "records" and not value]
    if empty:
        lines.append(f";;; known to be empty (no record facts, a count of 0): {', '.join(empty)}")
    lines.append(f"(deffacts case {string(dict(patient.meta).get('id', 'the case'))}")
    lines += [f"   {fact}" for fact in case_facts(kb, patient)]
    lines[-1] += ")"
    return lines


def program(kb: KnowledgeBase, patient: Patient) -> str:
    """The knowledge base and one case's facts: load it, (reset), (run), and read the (fired ...) facts."""
    return knowledge_base_source(kb) + "\n" + "\n".join(case_source(kb, patient)) + "\n"
