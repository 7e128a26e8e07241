"""``pnet-expert schema case|result [--kb DIR] [-o FILE]``: the JSON Schema of a case or of a result."""

from __future__ import annotations

import argparse
import json
import sys

from pnet_expert.cli.common import add_kb_option, knowledge_base, write_output

HELP = "print the JSON Schema (2020-12) of a case or of a consultation's result, made from the knowledge base"
KINDS = ("case", "result")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """WHAT (case or result), --kb, -o."""
    parser.add_argument(
        "what", choices=KINDS, metavar="case|result", help="the schema of a case, or of a result"
    )
    add_kb_option(parser)
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the schema to FILE instead of printing it"
    )


def run(args: argparse.Namespace) -> int:
    """Make the schema from the knowledge base and print or write it."""
    from pnet_expert.interop.schema import case_schema, result_schema

    kb = knowledge_base(args)
    schema = case_schema(kb) if args.what == "case" else result_schema(kb)
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_output(args.output, text)
        print(f"pnet-expert: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
