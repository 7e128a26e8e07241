"""``pnet-expert kb diff OLD NEW``: what changed between two knowledge bases, and which cases it changes.

Exit status, as diff(1): 0 when the two are the same, 1 when they differ, 2
on bad input (a knowledge base that does not load, say).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pnet_expert.verify.diff import Change, ImpactKind, KbDiff

from pnet_expert.cli.common import add_progress_option, show_progress

HELP = "compare two knowledge bases: rules added, removed and changed, and the cases whose options change"
BUNDLED = "bundled"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """OLD, NEW, --progress."""
    parser.add_argument(
        "old", metavar="OLD", help="the knowledge base before: a directory (see 'kb init'), or 'bundled'"
    )
    parser.add_argument("new", metavar="NEW", help="the knowledge base after: a directory, or 'bundled'")
    add_progress_option(parser)


def run(args: argparse.Namespace) -> int:
    """Load both, compare, print; 0 same, 1 different."""
    from pnet_expert.cli.progress import Progress
    from pnet_expert.knowledge.loader import load_knowledge_base
    from pnet_expert.verify.diff import diff_knowledge_bases, touched_treatments

    old, new = load_knowledge_base(_path(args.old)), load_knowledge_base(_path(args.new))
    show = show_progress(args)
    total = len(touched_treatments(old, new))
    bar = Progress(total, "kb diff", sys.stderr, enabled=show and total > 0)
    result = diff_knowledge_bases(old, new, bar.advance)
    if total:
        bar.close()
    from pnet_expert.explain.console import emit
    from pnet_expert.knowledge.identity import identify

    identities = (identify(old).line(), identify(new).line())
    emit(render(result, args.old, args.new, new.strengths[-1].id, identities))
    return 0 if result.same else 1


def _path(name: str) -> str | None:
    """A knowledge base directory; 'bundled' (when no such directory exists) means the bundled one."""
    from pathlib import Path

    return None if name == BUNDLED and not Path(name).exists() else name


def _change(change: Change) -> list[str]:
    from pnet_expert.core.words import wrap

    lines = [f"  {change.kind} {change.id}" if change.kind != "rule" else f"  {change.id}"]
    for field in change.fields:
        lines.append(f"    {field.field}:")
        lines += [wrap(text, "        ", "      - ") for text in field.removed]
        lines += [wrap(text, "        ", "      + ") for text in field.added]
    return lines


def _kind(number: int, kind: ImpactKind, plain: str) -> list[str]:
    from pnet_expert.core.words import wrap
    from pnet_expert.verify.words import case_inline

    def rules(ids: tuple[str, ...]) -> str:
        return ", ".join(ids) if ids else "none"

    fired = (
        f"rules offering {kind.treatment} that fire: before {rules(kind.fired_before)}; "
        f"after {rules(kind.fired_after)} ({kind.cases} case{'s' if kind.cases != 1 else ''})"
    )
    lines = [
        wrap(kind.change, "     ", f"  {number}. "),
        wrap(fired, "       ", "     where "),
        wrap(case_inline(kind.example), "          ", "     e.g. "),
        wrap(
            ", ".join(o.brief(plain) for o in kind.options_before) or "nothing",
            " " * 13,
            "     before: ",
        ),
        wrap(
            ", ".join(o.brief(plain) for o in kind.options_after) or "nothing",
            " " * 13,
            "     after:  ",
        ),
    ]
    if not kind.confirmed:
        lines.append("     (the engine disagrees with the logic on this example: a bug, please report it)")
    return lines


def render(
    diff: KbDiff,
    old_name: str,
    new_name: str,
    plain: str = "may include",
    identities: tuple[str, str] = ("", ""),
) -> str:
    """The diff as text: the rules, the other changes, then the impact.

    Options are listed with their strength only when it is not ``plain`` (the weakest);
    ``identities`` (each knowledge base's identity line) are shown under OLD and NEW.
    """
    from pnet_expert.core.words import wrap

    lines = [f"OLD {old_name} (version {diff.old_version})"]
    lines += [wrap(identities[0], "    ", "    ")] if identities[0] else []
    lines += [f"NEW {new_name} (version {diff.new_version})"]
    lines += [wrap(identities[1], "    ", "    ")] if identities[1] else []
    lines += [""]
    if diff.same:
        return "\n".join([*lines, "The two knowledge bases hold the same knowledge."]) + "\n"
    for status in ("added", "removed", "changed"):
        found = diff.of("rule", status)
        lines += [f"Rules {status}: {'none' if not found else ''}".rstrip()]
        if status == "changed":
            for change in found:
                lines += _change(change)
        elif found:
            lines.append("  " + ", ".join(c.id for c in found))
    other = [c for c in diff.changes if c.kind != "rule"]
    lines += ["", "Other changes:" if other else "Other changes: none"]
    for change in other:
        if change.status == "changed":
            lines += _change(change)
        else:
            lines.append(f"  {change.kind} {change.id} {change.status}")
    if diff.old_version == diff.new_version and any(c.kind != "source" for c in diff.changes):
        note = (
            f"Note: the knowledge changed, its version ({diff.new_version}) did not: bump it in source.yaml."
        )
        lines += ["", note]
    lines += [""]
    if not diff.impact:
        touched = ", ".join(diff.treatments) or "none"
        lines.append(wrap(f"Impact: no case changes its options (treatments looked at: {touched})."))
    else:
        count = len(diff.impact)
        kinds = "1 kind of case changes its" if count == 1 else f"{count} kinds of case change their"
        lines.append(f"Impact: {kinds} options (cases valid in both; options from the engine):")
        for number, kind in enumerate(diff.impact, 1):
            lines += _kind(number, kind, plain)
    if diff.unexplored:
        lines.append(
            wrap(
                f"(Not fully explored: the impact on {', '.join(diff.unexplored)}; their cases are past the "
                "search limit, docs/limits.md. Kinds of case listed for them may not be all.)",
            )
        )
    if any(c.kind in ("fact", "constraint") for c in diff.changes):
        lines.append(
            wrap(
                "(The facts or their constraints changed: a case valid in only one of the two knowledge "
                "bases is not compared.)"
            )
        )
    return "\n".join(lines) + "\n"
