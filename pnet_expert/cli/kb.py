"""``pnet-expert kb COMMAND``: study, check and edit the knowledge base.

Each kb subcommand lives in its own module (``kb_<name>.py``) with ``HELP``,
``add_arguments`` and ``run``, imported only when used.
"""

from __future__ import annotations

import argparse

HELP = "study, check and edit the knowledge base (kb COMMAND --help)"

KB_COMMANDS = {
    "check": "pnet_expert.cli.kb_check",
    "rules": "pnet_expert.cli.kb_rules",
    "show": "pnet_expert.cli.kb_show",
    "graph": "pnet_expert.cli.kb_graph",
    "init": "pnet_expert.cli.kb_init",
    "diff": "pnet_expert.cli.kb_diff",
    "report": "pnet_expert.cli.kb_report",
    "export": "pnet_expert.cli.kb_export",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One sub-subcommand per kb module."""
    from pnet_expert.cli.common import register_commands

    sub = parser.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    sub.required = True
    register_commands(sub, KB_COMMANDS, "kb_run")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the kb subcommand."""
    return int(args.kb_run(args))
