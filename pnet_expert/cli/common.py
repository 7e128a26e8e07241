"""Pieces the subcommands share: the --kb option and loading the knowledge base it names."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..knowledge.schema import KnowledgeBase


def add_kb_option(parser: argparse.ArgumentParser) -> None:
    """``--kb DIR``: use a copy of the knowledge base instead of the bundled one."""
    parser.add_argument(
        "--kb",
        metavar="DIR",
        help="a knowledge base directory to use instead of the bundled one (see 'pnet-expert kb init')",
    )


def knowledge_base(args: argparse.Namespace) -> KnowledgeBase:
    """The knowledge base the arguments name (the bundled one by default)."""
    from ..knowledge.loader import load_knowledge_base

    return load_knowledge_base(getattr(args, "kb", None))
