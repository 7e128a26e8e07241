"""``pnet-expert consult``: the interactive consultation (see ``pnet_expert/repl.py``).

The interview and the REPL (and prompt_toolkit, on a terminal) are imported
only when this command runs.
"""

from __future__ import annotations

import argparse
import sys

from pnet_expert.cli.common import add_kb_option, knowledge_base

HELP = "an interactive consultation: asks only what can change the options, answers why, how and why not"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--load FILE, --kb DIR."""
    parser.add_argument(
        "--load",
        metavar="FILE",
        help="resume a saved session (a case file): only what is still open is asked",
    )
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Load the knowledge base (and the saved session), then hand over to the REPL."""
    from pnet_expert.consult.interview import Interview
    from pnet_expert.consult.repl import Repl

    interview = Interview(knowledge_base(args))
    note = None
    if args.load:
        interview.load(args.load)
        note = f"Loaded {args.load}; only what is still open will be asked."
    return Repl(interview, out=sys.stdout).run(note)
