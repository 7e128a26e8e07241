"""``pnet-expert kb COMMAND``: study, check and edit the knowledge base.

Each kb subcommand lives in its own module (``kb_<name>.py``) with ``HELP``,
``add_arguments`` and ``run``, imported only when used.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

HELP = "study, check and edit the knowledge base (kb COMMAND --help)"

KB_COMMANDS = {
    "check": "pnet_expert.cli.kb_check",
    "rules": "pnet_expert.cli.kb_rules",
    "show": "pnet_expert.cli.kb_show",
    "graph": "pnet_expert.cli.kb_graph",
    "init": "pnet_expert.cli.kb_init",
    "diff": "pnet_expert.cli.kb_diff",
    "report": "pnet_expert.cli.kb_report",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One sub-subcommand per existing kb module."""
    sub = parser.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    sub.required = True
    for name, module_name in KB_COMMANDS.items():
        try:
            module: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(kb_run=module.run)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the kb subcommand."""
    return int(args.kb_run(args))
