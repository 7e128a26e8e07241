"""The hint ladder for one treatment on one case: the fact that matters, the source's words, the rule.

GUIDON's hints climb from a nudge to the whole answer. For an option the
source offers (one a student missed):

1. **the fact**: which facts of the case the offering rule rests on (not the
   treatment's name);
2. **the passage**: the source's words that offer it, with their sub-bullets;
3. **the rule**: its id, each of its conditions on this case, and HOW it offers the
   treatment (rule, findings, case facts).

For a treatment the source does not offer (one a student added), the same
three steps say why not: the facts the nearest rule's unmet conditions read
(or that are unknown), that rule's passage, then WHY NOT for every rule that
could offer it. Everything is read from the consultation; nothing is written
per rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from pnet_expert.core.logic import Truth, slot_fact
from pnet_expert.core.words import wrap
from pnet_expert.explain.consultation import Consultation, Option
from pnet_expert.explain.text import reason_block
from pnet_expert.reasoning.checks import RuleCheck
from pnet_expert.tutor.cases import TYPE_FACT
from pnet_expert.tutor.words import value_words

HintKind = Literal["fact", "passage", "rule"]
LEVELS = 3
"""Hints per treatment: the fact, the passage, the rule."""


@attrs.frozen
class Hint:
    """One rung of the ladder: its level (1 to 3), what it shows, the words, and the rules it names."""

    level: int
    kind: HintKind
    text: str
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {"level": self.level, "kind": self.kind, "text": self.text, "rules": list(self.rules)}


def ladder(consultation: Consultation, treatment: str) -> tuple[Hint, ...]:
    """The three hints for a treatment on this case (the id must be a treatment's)."""
    option = consultation.option(treatment)
    if option is not None:
        return _offered(consultation, option)
    return _not_offered(consultation, treatment)


def facts_words(consultation: Consultation, facts: Mapping[str, Any]) -> str:
    """'where the cancer has spread: the liver; ...' for some of the case's facts (plain values)."""
    kb = consultation.kb
    shown = {k: v for k, v in facts.items() if k != TYPE_FACT} or {
        k: v for k, v in facts.items() if k == TYPE_FACT
    }
    return "; ".join(
        f"{kb.facts[name].label}: {value_words(kb.facts[name], value)}" for name, value in shown.items()
    )


def passage(consultation: Consultation, rule_id: str) -> str:
    """A rule's words of the source, sub-bullets included, with its section."""
    rule = consultation.kb.rules[rule_id]
    section = consultation.kb.sections[rule.section].title
    bullets = "".join(f' / "{b}"' for b in rule.sub_bullets)
    return f'the {section} section says: "{rule.quote}"{bullets}'


def _offered(consultation: Consultation, option: Option) -> tuple[Hint, ...]:
    reason = option.because[0]
    treatment = option.id
    rule = reason.rule
    facts = facts_words(consultation, reason.facts) or f"{TYPE_FACT}: {consultation.patient.tumor_type}"
    first = (
        f"Look again at the case: {facts}. The source offers something for it that your answer does not name."
    )
    second = f"The source's words: {passage(consultation, rule)}"
    third = [_rule_line(consultation, consultation.rule_check(rule))]
    third += [_fill(c.line(), "    ", "        ") for c in consultation.rule_check(rule).conditions]
    label = consultation.kb.treatments[treatment].label
    third.append(_fill(f"So it offers {treatment} ({label}). HOW:", "  ", "    "))
    third += reason_block(consultation, reason)
    return (
        Hint(1, "fact", first),
        Hint(2, "passage", second, (rule,)),
        Hint(3, "rule", "\n".join(third), option.rules),
    )


def nearest(consultation: Consultation, treatment: str) -> RuleCheck | None:
    """The rule closest to offering a treatment on this case: in the case's sections first, fewest unmet."""
    checks = consultation.why_not_checks(treatment)
    if not checks:
        return None
    mine = {c.rule.id for c in consultation.section_checks()}
    return min(
        checks,
        key=lambda c: (c.rule.id not in mine, len(c.failed), len(c.unknown)),
    )


def _not_offered(consultation: Consultation, treatment: str) -> tuple[Hint, ...]:
    kb = consultation.kb
    label = kb.treatments[treatment].label
    check = nearest(consultation, treatment)
    if check is None:  # no rule of the knowledge base offers it at all
        text = f"No rule of the knowledge base offers {treatment} ({label}) for any case."
        return (Hint(1, "fact", text), Hint(2, "passage", text), Hint(3, "rule", text))
    blocking = [c for c in check.conditions if c.truth is not Truth.TRUE]
    known: dict[str, Any] = {}
    unknown: list[str] = []
    for c in blocking:
        known.update({k: _plain(v) for k, v in c.outcome.facts.items()})
        unknown.extend(slot_fact(u) for u in c.unknown)
    parts = []
    if known:
        parts.append(facts_words(consultation, known))
    if unknown:
        labels = dict.fromkeys(kb.facts[u].label for u in unknown if u in kb.facts)
        parts.append("not known: " + ", ".join(labels))
    said = "; ".join(parts) or "its conditions"
    first = f"Look again at the case: {said}. Does the source offer {treatment} for a case like this one?"
    second = f"{check.rule.id} is the rule closest to offering it; {passage(consultation, check.rule.id)}"
    third = [_fill(f"WHY NOT: {treatment} ({label}) is not offered for this case.", "  ", "    ")]
    for other in consultation.why_not_checks(treatment):
        third.append(_rule_line(consultation, other))
        third += [_fill(c.line(), "    ", "        ") for c in other.conditions]
    rules = tuple(c.rule.id for c in consultation.why_not_checks(treatment))
    return (
        Hint(1, "fact", first),
        Hint(2, "passage", second, (check.rule.id,)),
        Hint(3, "rule", "\n".join(third), rules),
    )


def _rule_line(consultation: Consultation, check: RuleCheck) -> str:
    section = consultation.kb.sections[check.rule.section].title
    if check.fired:
        state = "fired"
    elif check.failed:
        state = "did not fire"
    else:
        state = "did not fire (waiting on unknown facts)"
    return f"  {check.rule.id} ({section} section, {check.rule.strength}) — {state}:"


def _fill(text: str, first: str, rest: str) -> str:
    """A line of a multi-line hint, filled to the width of the text views."""
    return wrap(text, rest, first)


def _plain(value: Any) -> Any:
    """A fact value as a case file writes it (records as mappings, sets as lists)."""
    if isinstance(value, tuple):
        return [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
    return value
