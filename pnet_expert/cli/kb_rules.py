"""``pnet-expert kb rules``: the recommendation rules in a table, one line each."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pnet_expert.cli.common import add_kb_option, knowledge_base

if TYPE_CHECKING:
    from pnet_expert.core.schema import Condition, KnowledgeBase, RuleSpec

HELP = "list the rules in a table: id, section, strength, condition, offers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--section, --kb."""
    parser.add_argument(
        "--section", "-s", metavar="S", help="only the rules of this section (e.g. insulinoma)"
    )
    add_kb_option(parser)


def check_section(kb: KnowledgeBase, section: str | None) -> str | None:
    """The section id that typed words name (an id or a title, in any case, or a unique start;
    :mod:`pnet_expert.core.matching`); InputError (exit 2) when they name none, or several."""
    from pnet_expert.core import codes
    from pnet_expert.core.matching import Wording, match, named

    if section is None:
        return None
    hint = f"the sections are: {', '.join(kb.sections)}"
    wording = Wording("a section", "sections", "--section", codes.INPUT_UNKNOWN_NAME, hint)
    return match(section, named(kb.sections), wording)


def short(condition: Condition) -> str:
    """A condition in a few characters, ids only: 'single_pancreatic_tumor[site head]', 'resectable=false'."""
    from pnet_expert.core.schema import AnyOf, CountTest, FactTest
    from pnet_expert.core.words import value_text

    if isinstance(condition, FactTest):
        values = "|".join(value_text(v) for v in condition.values)
        op = {"is": "=", "in": " in ", "contains": " has ", "contains_any": " has "}[condition.op]
        return f"{condition.fact}{op}{values}"
    if isinstance(condition, AnyOf):
        return "(" + " or ".join(short(o) for o in condition.options) + ")"
    where = " ".join(f"{field} {'|'.join(values)}" for field, values in condition.where)
    where = f"[{where}]" if where else ""
    if isinstance(condition, CountTest):
        bound = f"={condition.exactly}" if condition.exactly is not None else f">={condition.at_least}"
        return f"count {condition.fact}{where}{bound}"
    return f"{condition.finding}{where}"


def offers_text(rule: RuleSpec) -> str:
    """A rule's offers: 'tumor_resection, total_gastrectomy (rare)'; alternatives joined by ' or '."""
    parts = []
    for offer in rule.offers:
        qualifiers = f" ({', '.join(offer.qualifiers)})" if offer.qualifiers else ""
        parts.append(offer.treatment + qualifiers)
    text = ", ".join(parts)
    for group in rule.alternatives:
        text += f"; either {' or '.join(group)}"
    return text


def run(args: argparse.Namespace) -> int:
    """Print the table."""
    from pnet_expert.core.words import wrap
    from pnet_expert.explain.console import emit, table
    from pnet_expert.knowledge.identity import identify

    kb = knowledge_base(args)
    section = check_section(kb, args.section)
    rows = [
        (
            rule.id,
            rule.section,
            rule.strength,
            " and ".join(short(c) for c in rule.when) or "always",
            offers_text(rule),
        )
        for rule in kb.rules.values()
        if section is None or rule.section == section
    ]
    text = table(("rule", "section", "strength", "when", "offers"), rows, keep=(0, 1, 2))
    count = len(rows)
    where = f" in section {section}" if section else f" in {len(kb.sections)} sections"
    rules = f"{count} rule{'s' if count != 1 else ''}"
    head = wrap(identify(kb).line(), "  ", "")
    emit(f"{head}\n\n{text}\n\n{rules}{where}; 'pnet-expert kb show RULE' for one in full\n")
    return 0
