"""``pnet-expert kb check``: load, quotes, coverage, reachability, subsumption and gaps, in one report.

Exit status: 0 when the knowledge base is clean (information, such as the
source's gaps, does not count), 1 when a check found an error, 2 on bad input
(an unreadable source text, say).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from pnet_expert.cli.common import add_kb_option, add_progress_option, show_progress

if TYPE_CHECKING:
    from pnet_expert.cli.progress import Progress
    from pnet_expert.verify.check import CheckReport

HELP = "check the knowledge base: load, quotes, coverage, every rule reachable, subsumed rules, gaps"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--kb, --source, --format, --progress."""
    add_kb_option(parser)
    parser.add_argument(
        "--source",
        metavar="FILE",
        help="the source text (Markdown): check every quote against it, and that every bullet is cited",
    )
    parser.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    add_progress_option(parser)


class _Bar:
    """Adapts the progress bar to the checks' tracker (the total is known once the KB has loaded)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Progress | None = None

    def start(self, total: int) -> None:
        from pnet_expert.cli.progress import Progress

        self.bar = Progress(total, "kb check", sys.stderr, enabled=self.enabled and total > 0)

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.advance(count)

    def close(self) -> None:
        if self.bar is not None and self.bar.total:
            self.bar.close()


def run(args: argparse.Namespace) -> int:
    """Run every check, print the report, exit 0 (clean) or 1 (errors)."""
    from pnet_expert.verify.check import check_knowledge_base

    show = show_progress(args)
    bar = _Bar(show)
    try:
        report = check_knowledge_base(args.kb, args.source, bar)
    finally:
        bar.close()
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        from pnet_expert.explain.console import emit

        emit(render(report))
    return 0 if report.ok else 1


def render(report: CheckReport) -> str:
    """The report as text: errors, each rule with a case it fires on, information, gaps, summary."""
    from pnet_expert.core.words import wrap
    from pnet_expert.explain.console import table
    from pnet_expert.verify.report import check_of
    from pnet_expert.verify.words import case_inline

    if report.loaded:
        identity = report.identity
        if report.source and not report.source_own:  # its quote status is its own text's, not this check's
            identity += "; this check reads the source text given with --source instead (below)"
        lines = [wrap(identity, "  ", ""), f"Checked at: {report.root}"]
    else:
        lines = [f"Knowledge base (did not load) at {report.root}"]
    if report.source:
        whose = "the knowledge base's own" if report.source_own else "given with --source"
        lines.append(f"Source text: {report.source} ({whose})")
    errors = report.errors
    lines += ["", f"Errors ({len(errors)})" if errors else "Errors: none"]
    lines += [wrap(issue.tagged(), "      ", "  ") for issue in errors]
    if report.source_notes:
        lines += ["", f"Warnings on the source text ({len(report.source_notes)})"]
        lines += [wrap(issue.tagged(), "      ", "  ") for issue in report.source_notes]
    if report.reach:
        lines += ["", "Every rule fires on some valid case (its smallest, confirmed by the engine):"]
        width = max(len(r.rule) for r in report.reach)
        for r in report.reach:
            if not r.explored:
                shown = "not decided (its cases are past the search limit)"
            else:
                shown = case_inline(r.example) if r.example is not None else "NEVER FIRES"
            lines.append(wrap(shown, " " * (width + 4), f"  {r.rule.ljust(width)}  "))
    warnings = [i for i in report.issues if i.severity == "warning" and i not in report.source_notes]
    if warnings:
        lines += ["", f"Not fully explored ({len(warnings)}): searches past their limit (docs/limits.md)"]
        lines += [wrap(issue.tagged(), "      ", "  ") for issue in warnings]
    said_twice = [i for i in report.issues if check_of(i) == "subsumption" and i.severity == "info"]
    if said_twice:
        lines += ["", "Covered by another rule, but said twice by the source (information):"]
        lines += [wrap(issue.tagged(), "      ", "  ") for issue in said_twice]
    if report.loaded:
        lines += ["", "Gaps: kinds of case for which a type's own section offers nothing"]
        lines.append("(information: the source is silent on them, and the system says so rather than guess)")
        lines += _gaps(report) or ["  none"]
    if report.cautions:
        lines += [
            "",
            "Every caution is raised by some valid case (its smallest, confirmed by a consultation):",
        ]
        width = max(len(c.caution) for c in report.cautions)
        for c in report.cautions:
            shown = case_inline(c.example) if c.example is not None else "NEVER RAISED"
            lines.append(wrap(shown, " " * (width + 4), f"  {c.caution.ljust(width)}  "))
            if c.rules:
                lines.append(wrap(f"on the offers of {', '.join(c.rules)}", " " * (width + 4), None))
    lines += ["", "Summary"]
    rows = [(r.check, r.status, r.detail) for r in report.summary()]
    lines.append(table(("check", "status", "detail"), rows, "  ", keep=(0, 1)))
    warned = sum(1 for issue in report.issues if issue.severity == "warning")
    verdict = "clean" if report.ok else f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    if report.ok and warned:
        verdict += f", with {warned} warning{'s' if warned != 1 else ''}"
    lines += ["", f"kb check: {verdict} ({report.seconds:.1f} s)"]
    return "\n".join(lines) + "\n"


def _gaps(report: CheckReport) -> list[str]:
    """The gaps, section by section; what every kind of a section shares is said once."""
    from pnet_expert.core.words import wrap
    from pnet_expert.explain.text import reading_lines
    from pnet_expert.verify.words import case_inline

    lines: list[str] = []
    sections = list(dict.fromkeys(g.section for g in report.gaps))
    for section in sections:
        kinds = [g for g in report.gaps if g.section == section]
        shared = [p for p in kinds[0].parts if all(p in k.parts for k in kinds)]
        opened = [f for f in kinds[0].open if all(f in k.open for k in kinds)]
        head = f"  {kinds[0].title}: {len(kinds)} kind{'s' if len(kinds) != 1 else ''} of case"
        if shared or opened:
            common = "; ".join(words for _, words in shared)
            if opened:
                common += f" (whatever {', '.join(opened)})"
            head += f", each with {common}:"
        lines.append(wrap(head, "      ", ""))
        for number, kind in enumerate(kinds, 1):
            own = [words for name, words in kind.parts if (name, words) not in shared]
            extra = [f for f in kind.open if f not in opened]
            text = "; ".join(own) or "(nothing more)"
            if extra:
                text += f" (whatever {', '.join(extra)})"
            lines.append(wrap(text, "       ", f"    {number}. "))
            lines.append(wrap(case_inline(kind.example), "            ", "       e.g. "))
        cited = {i for k in kinds for i in k.readings}
        lines += [line for r in report.readings if r.id in cited for line in reading_lines(r, "    ")]
    return lines
