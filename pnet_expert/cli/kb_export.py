"""``pnet-expert kb export --format clips [--case CASE] [-o FILE]``: the knowledge base as CLIPS source."""

from __future__ import annotations

import argparse
import sys

from pnet_expert.cli.common import add_kb_option, knowledge_base, write_output

HELP = "write the knowledge base as CLIPS source (with --case, a case's facts too: load, reset, run)"
FORMATS = ("clips",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--format, --case, -o, --kb."""
    parser.add_argument("--format", "-f", choices=FORMATS, required=True, help="the format to export to")
    parser.add_argument(
        "--case",
        metavar="CASE",
        help="a case file (or - for standard input) whose facts are written after the rules, as deffacts",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Generate the CLIPS source from the knowledge base's data (and the case's facts)."""
    from pnet_expert.core.case import validate_case
    from pnet_expert.interop.clips import knowledge_base_source, program

    kb = knowledge_base(args)
    if args.case is not None:
        from pnet_expert.files.casefile import read_case

        text = program(kb, validate_case(read_case(args.case), kb))
    else:
        text = knowledge_base_source(kb)
    if args.output:
        write_output(args.output, text)
        print(f"pnet-expert: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
