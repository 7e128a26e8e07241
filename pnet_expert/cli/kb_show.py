"""``pnet-expert kb show RULE``: one rule in full, in plain words, with a case it fires on."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pnet_expert.cli.common import add_kb_option, knowledge_base

if TYPE_CHECKING:
    from pnet_expert.core.schema import FindingSpec, KnowledgeBase, RuleSpec

HELP = "show one rule in full: conditions in plain words, offers, quote, reading, a case it fires on"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """RULE, --kb."""
    parser.add_argument("rule", metavar="RULE", help="a rule id (GAS-03), or a finding's rule (FND-01)")
    add_kb_option(parser)


def _ranges(ids: list[str]) -> str:
    """Rule ids as ranges per prefix: 'GAS-01 to GAS-11, INS-01 to INS-08'."""
    groups: dict[str, list[str]] = {}
    for rule_id in ids:
        groups.setdefault(rule_id.split("-")[0], []).append(rule_id)
    return ", ".join(g[0] if len(g) == 1 else f"{g[0]} to {g[-1]}" for g in groups.values())


def resolve(kb: KnowledgeBase, name: str) -> RuleSpec | FindingSpec:
    """The rule (or finding) typed words name: a rule id, a finding's rule id or the finding itself, in
    any letter case (:mod:`pnet_expert.core.matching`); InputError with a "did you mean" otherwise."""
    from pnet_expert.core import codes
    from pnet_expert.core.matching import Named, Wording, match

    findings = {f.rule.id: f for f in kb.findings.values()}
    hint = f"the rules are {_ranges(list(kb.rules))}, and the findings' rules {_ranges(list(findings))}"
    choices = [*(Named(r) for r in kb.rules), *(Named(i, f.id) for i, f in findings.items())]
    chosen = match(name, choices, Wording("a rule", "rules", "rule", codes.INPUT_UNKNOWN_NAME, hint))
    return kb.rules[chosen] if chosen in kb.rules else findings[chosen]


def run(args: argparse.Namespace) -> int:
    """Print the rule (or finding)."""
    from pnet_expert.core.schema import RuleSpec

    kb = knowledge_base(args)
    item = resolve(kb, args.rule)
    text = show_rule(kb, item) if isinstance(item, RuleSpec) else show_finding(kb, item)
    from pnet_expert.explain.console import emit

    emit(text)
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
    if rule.reading:
        lines += ["", "Reading:", wrap(rule.reading, "  ")]
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
    if finding.reading:
        lines += ["", "Reading:", wrap(finding.reading, "  ")]
    users = [
        r.id
        for r in kb.rules.values()
        if any(
            isinstance(t, FindingTest) and t.finding == finding.id for t in iter_tests(kb.conditions_of(r))
        )
    ]
    lines += ["", f"Rules that use it: {', '.join(users) or 'none'}"]
    return "\n".join(lines) + "\n"
