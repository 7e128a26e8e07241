"""``pnet-expert report CASE -o OUT``: a teaching report for one case, as Markdown or HTML.

The format follows the output file's suffix (``.md`` or ``.html``); the file is
written atomically. The HTML is one self-contained page (no scripts, no
network) with the reasoning diagram inline when Graphviz's ``dot`` is here; the
diagram is also written as its own SVG file, in ``OUT-diagrams/`` beside it.
"""

from __future__ import annotations

import argparse

from pnet_expert.cli.common import (
    add_case_argument,
    add_kb_option,
    add_output_option,
    knowledge_base,
    write_report_files,
)

HELP = "write a teaching report for one case: every option and its reasoning (Markdown or HTML)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """CASE, -o OUT, --kb."""
    add_case_argument(parser)
    add_output_option(parser)
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Check the output's suffix, read the case, consult, write the report."""
    from pnet_expert.api import recommend
    from pnet_expert.explain.reports.render import report_files, report_format
    from pnet_expert.files.casefile import read_case

    report_format(args.output)  # a bad suffix fails before any work
    kb = knowledge_base(args)
    consultation = recommend(read_case(args.case), kb)
    write_report_files(report_files(consultation, args.output))
    return 0
