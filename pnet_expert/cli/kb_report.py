"""``pnet-expert kb report -o OUT``: the whole knowledge base as a report, for a lecture.

Every rule by section with its conditions in plain words, its offers,
strength, quote and reading; the findings, treatments and facts with what uses
them; and diagrams of facts → findings → rules → treatments. Markdown or HTML
by the suffix of OUT, written atomically.
"""

from __future__ import annotations

import argparse

from pnet_expert.cli.common import add_kb_option, add_output_option, knowledge_base, write_report

HELP = "write the whole knowledge base as a report for a lecture (Markdown or HTML)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """-o OUT, --kb."""
    add_output_option(parser)
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Check the output's suffix, load the knowledge base, write the report."""
    from pnet_expert.explain.reports.render import kb_html, kb_markdown, report_format

    kind = report_format(args.output)
    kb = knowledge_base(args)
    write_report(args.output, kb_html(kb) if kind == "html" else kb_markdown(kb))
    return 0
