"""``pnet-expert kb report -o OUT``: the whole knowledge base as a report, for a lecture.

Every rule by section with its conditions in plain words, its offers,
strength, quote and reading; the findings, treatments and facts with what uses
them; a matrix of which rule offers which treatment; and each section's diagram
of facts → findings → rules → treatments (also as its own SVG file, in
``OUT-diagrams/``). Markdown or HTML by the suffix of OUT, written atomically.
"""

from __future__ import annotations

import argparse

from pnet_expert.cli.common import add_kb_option, add_output_option, knowledge_base, write_report_files

HELP = "write the whole knowledge base as a report for a lecture (Markdown or HTML)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """-o OUT, --kb."""
    add_output_option(parser)
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Check the output's suffix, load the knowledge base, write the report."""
    from pnet_expert.explain.reports.render import report_files, report_format

    report_format(args.output)  # a bad suffix fails before any work
    kb = knowledge_base(args)
    write_report_files(report_files(kb, args.output))
    return 0
