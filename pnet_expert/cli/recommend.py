"""``pnet-expert recommend CASE``: the options for one case, with their reasons."""

from __future__ import annotations

import argparse
import sys

from pnet_expert.cli.common import add_case_argument, add_kb_option, knowledge_base

HELP = "show the treatment options the source offers for one case, with the reasons"
FORMATS = ("text", "json", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """CASE, --format, --kb."""
    add_case_argument(parser)
    parser.add_argument(
        "--format", "-f", choices=FORMATS, default="text", help="output format (default: text)"
    )
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Read the case, consult, print."""
    from pnet_expert.api import recommend
    from pnet_expert.files.casefile import read_case

    kb = knowledge_base(args)
    consultation = recommend(read_case(args.case), kb)
    if args.format == "json":
        sys.stdout.write(consultation.to_json() + "\n")
    elif args.format == "markdown":
        sys.stdout.write(consultation.to_markdown())
    else:
        from pnet_expert.explain.console import emit

        emit(consultation.to_text())
    return 0
