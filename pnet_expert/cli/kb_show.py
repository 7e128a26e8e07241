"""``pnet-expert kb show RULE``: one rule in full, in plain words, with a case it fires on."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pnet_expert.cli.common import add_kb_option, knowledge_base

if TYPE_CHECKING:
    from pnet_expert.core.schema import CautionSpec, FindingSpec, KnowledgeBase, ReadingSpec, RuleSpec

HELP = "show one rule in full: conditions in plain words, offers, quote, readings, a case it fires on"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """RULE, --kb."""
    parser.add_argument(
        "rule",
        metavar="RULE",
        help="a rule id (GAS-03), a finding's rule (FND-01), a caution (CAU-01) or a reading (RD-07)",
    )
    add_kb_option(parser)


def _ranges(ids: list[str]) -> str:
    """Rule ids as ranges per prefix, each run of consecutive numbers once: 'GAS-01 to GAS-11,
    INS-01 to INS-08' (ids out of order, or with numbers missing, are still all named)."""
    groups: dict[str, list[str]] = {}
    for rule_id in ids:
        groups.setdefault(rule_id.split("-")[0], []).append(rule_id)
    out: list[str] = []
    for group in groups.values():
        numbered = sorted(group, key=_number)
        runs: list[list[str]] = []
        for rule_id in numbered:
            if runs and _number(runs[-1][-1]) >= 0 and _number(rule_id) == _number(runs[-1][-1]) + 1:
                runs[-1].append(rule_id)
            else:
                runs.append([rule_id])
        out += [run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]
    return ", ".join(out)


def _number(rule_id: str) -> int:
    """The number of an id ('GAS-07': 7); -1 for an id without one (sorted first, in no run)."""
    tail = rule_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def resolve(kb: KnowledgeBase, name: str) -> RuleSpec | FindingSpec | CautionSpec | ReadingSpec:
    """The rule, finding, caution or reading typed words name: a rule id, a finding's rule id or the
    finding itself, a caution's or a reading's id, in any letter case
    (:mod:`pnet_expert.core.matching`); InputError with a "did you mean" otherwise."""
    from pnet_expert.core import codes
    from pnet_expert.core.matching import Named, Wording, match

    findings = {f.rule.id: f for f in kb.findings.values()}
    cautions = {c.id: c for c in kb.cautions}
    hint = (
        f"the rules are {_ranges(list(kb.rules))}, the findings' rules {_ranges(list(findings))}"
        + (f", the cautions {_ranges(list(cautions))}" if cautions else "")
        + (f", the readings {_ranges(list(kb.readings))}" if kb.readings else "")
    )
    choices = [
        *(Named(r) for r in kb.rules),
        *(Named(i, f.id) for i, f in findings.items()),
        *(Named(c) for c in cautions),
        *(Named(r) for r in kb.readings),
    ]
    chosen = match(name, choices, Wording("a rule", "rules", "rule", codes.INPUT_UNKNOWN_NAME, hint))
    for found in (kb.rules, findings, cautions):
        if chosen in found:
            return found[chosen]
    return kb.readings[chosen]


def run(args: argparse.Namespace) -> int:
    """Print the rule (finding, caution or reading), under the knowledge base that holds it."""
    from pnet_expert.core.schema import CautionSpec, ReadingSpec, RuleSpec
    from pnet_expert.core.words import wrap
    from pnet_expert.explain.text import reading_lines
    from pnet_expert.knowledge.identity import identify

    kb = knowledge_base(args)
    item = resolve(kb, args.rule)
    if isinstance(item, RuleSpec):
        text = show_rule(kb, item)
    elif isinstance(item, ReadingSpec):
        text = "\n".join(reading_lines(item)) + "\n"
    elif isinstance(item, CautionSpec):
        text = show_caution(kb, item)
    else:
        text = show_finding(kb, item)
    from pnet_expert.explain.console import emit

    emit(wrap(identify(kb).line(), "  ", "") + "\n\n" + text)
    return 0


def show_rule(kb: KnowledgeBase, rule: RuleSpec) -> str:
    """A recommendation rule in full."""
    from pnet_expert.core.space import SearchTooBig, witness
    from pnet_expert.core.words import describe, wrap
    from pnet_expert.verify.words import case_inline

    section = kb.sections[rule.section]
    strength = next(s for s in kb.strengths if s.id == rule.strength)
    lines = [
        f"{rule.id}: a rule of the section {section.title!r} ({section.id}), at {rule.origin}",
        f"Strength: {rule.strength} ({strength.meaning})",
        "",
        "When all of these hold:" if len(kb.conditions_of(rule)) > 1 else "When this holds:",
    ]
    for condition in section.applies_when:
        lines.append(wrap(f"{describe(condition, kb)}  [the section's condition]", "      ", "  - "))
    for condition in rule.when:
        lines.append(wrap(describe(condition, kb), "      ", "  - "))
    if not rule.when:
        lines.append("  - (nothing more: it applies to every case of its section)")
    lines += ["", "It offers:"]
    for offer in rule.offers:
        label = kb.treatments[offer.treatment].label
        qualifiers = f" ({', '.join(offer.qualifiers)})" if offer.qualifiers else ""
        lines.append(wrap(f"{offer.treatment}{qualifiers}: {label}", "      ", "  - "))
    for group in rule.alternatives:
        lines.append(wrap(f"either {' or '.join(group)} (alternatives, in the source's words)", "  "))
    lines += ["", "The source says:", wrap(f'"{rule.quote}"', "  ")]
    lines += [wrap(bullet, "      ", "    - ") for bullet in rule.sub_bullets]
    lines += _annotations(kb, rule.readings, rule.note)
    lines += ["", "It fires on, for example (the smallest valid case):"]
    try:
        space, case = witness(kb, kb.conditions_of(rule))
    except SearchTooBig:
        example = "not searched to the end: its cases are past the search limit (docs/limits.md)"
    else:
        example = (
            case_inline(space.case(case)) if space and case is not None else "no case: it can never fire"
        )
    lines.append(wrap(example, "  "))
    return "\n".join(lines) + "\n"


def show_finding(kb: KnowledgeBase, finding: FindingSpec) -> str:
    """A finding and its rule in full."""
    from pnet_expert.core.schema import FindingTest, iter_tests
    from pnet_expert.core.words import describe, wrap

    rule = finding.rule
    lines = [
        f"{rule.id}: the rule that derives the finding {finding.id} ({finding.label}), at {rule.origin}",
        "",
        "It holds when all of these hold:" if len(rule.when) > 1 else "It holds when:",
    ]
    lines += [wrap(describe(c, kb), "      ", "  - ") for c in rule.when]
    if finding.attributes:
        lines += ["", f"It carries: {', '.join(finding.attributes)} (of the one record it counts)"]
    lines += _annotations(kb, finding.readings, finding.note)
    users = [
        r.id
        for r in kb.rules.values()
        if any(
            isinstance(t, FindingTest) and t.finding == finding.id for t in iter_tests(kb.conditions_of(r))
        )
    ]
    lines += ["", f"Rules that use it: {', '.join(users) or 'none'}"]
    return "\n".join(lines) + "\n"


def show_caution(kb: KnowledgeBase, caution: CautionSpec) -> str:
    """A caution in full: when it holds, the treatments it speaks to, the rules it exempts, its text."""
    from pnet_expert.core.words import describe, wrap

    lines = [f"{caution.id}: a caution ({caution.label}), at {caution.origin}", "", "When:"]
    lines += [wrap(describe(c, kb), "      ", "  - ") for c in caution.when]
    lines += ["", wrap(f"On: {', '.join(caution.treatments)}", "    ", "")]
    if caution.exempt:
        lines.append(wrap(f"Exempt: {', '.join(caution.exempt)}", "    ", ""))
    lines += ["", "It says:", wrap(caution.text, "  ")]
    lines += _annotations(kb, caution.readings, caution.note)
    return "\n".join(lines) + "\n"


def _annotations(kb: KnowledgeBase, readings: tuple[str, ...], note: str | None) -> list[str]:
    """An item's note and the readings that bear on it, each in full."""
    from pnet_expert.core.words import wrap
    from pnet_expert.explain.text import readings_lines

    lines = ["", "Note:", wrap(note, "  ")] if note else []
    if readings:
        lines += ["", "Readings of unclear passages that bear on it:", *readings_lines(kb, readings, "  ")]
    return lines
