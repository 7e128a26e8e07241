"""``pnet-expert report CASE -o OUT``: a teaching report for one case, as Markdown or HTML.

The format follows the output file's suffix (``.md`` or ``.html``); the file is
written atomically. The HTML is one self-contained page (no scripts, no
network) with the reasoning diagram inline when Graphviz's ``dot`` is here.
"""

from __future__ import annotations

import argparse
import sys

from .common import add_kb_option, knowledge_base

HELP = "write a teaching report for one case: every option and its reasoning (Markdown or HTML)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """CASE, -o OUT, --kb."""
    parser.add_argument(
        "case",
        metavar="CASE",
        help="a case file (.json, .yaml, .yml, .toml), or - for standard input",
    )
    add_output_option(parser)
    add_kb_option(parser)


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """``-o OUT``: the report file; its suffix picks the format (shared with ``kb report``)."""
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=True,
        help="the report file to write: .md (Markdown) or .html (one self-contained page)",
    )


def write_report(path: str, text: str) -> None:
    """Write a report atomically; a file that cannot be written is an input error naming it."""
    from ..casefile import write_atomic
    from ..errors import InputError

    try:
        write_atomic(path, text)
    except FileNotFoundError:
        raise InputError(path, "cannot be written: its folder does not exist") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(path, f"cannot be written: {exc.strerror or exc}") from None
    print(f"pnet-expert: wrote {path}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Check the output's suffix, read the case, consult, write the report."""
    from ..api import recommend
    from ..casefile import read_case
    from ..explain.render import report_format

    kind = report_format(args.output)  # a bad suffix fails before any work
    kb = knowledge_base(args)
    consultation = recommend(read_case(args.case), kb)
    write_report(args.output, consultation.to_html() if kind == "html" else consultation.to_markdown())
    return 0
