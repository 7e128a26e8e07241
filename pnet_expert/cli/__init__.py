"""The ``pnet-expert`` command: one subcommand per module, imported only when used.

A subcommand module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``, and imports what it needs inside ``run``: the command
line starts fast because ``pnet-expert recommend`` never imports the REPL or
the report templates. Every error pnet_expert raises on purpose is printed as
one line per problem, its code in front (``pnet-expert: error: [CASE-E003]
spread[0]: ...``; docs/diagnostics.md lists the codes), without a traceback,
and exits with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import os
import sys
from collections.abc import Sequence

COMMANDS = {
    "recommend": "pnet_expert.cli.recommend",
    "batch": "pnet_expert.cli.batch",
    "consult": "pnet_expert.cli.consult",
    "report": "pnet_expert.cli.report",
    "tutor": "pnet_expert.cli.tutor",
    "quiz": "pnet_expert.cli.quiz",
    "kb": "pnet_expert.cli.kb",
    "serve": "pnet_expert.cli.serve",
    "schema": "pnet_expert.cli.schema",
    "fhir": "pnet_expert.cli.fhir",
}

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
"""The errors of an output that has no room: the disk, a quota, the largest file allowed."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand is imported and registered."""
    parser = argparse.ArgumentParser(
        prog="pnet-expert",
        description=(
            "Treatment options of the NCI PDQ patient summary on pancreatic neuroendocrine "
            "tumors (2012), explained. For teaching: options, never medical advice."
        ),
    )
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        help="show the package's version and the bundled knowledge base's, each labelled, and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    from pnet_expert.cli.common import register_commands

    register_commands(sub, {only: COMMANDS[only]} if only in COMMANDS else COMMANDS, "run")
    return parser


class _Version(argparse.Action):
    """--version: the package and the bundled knowledge base, each labelled (they are versioned apart)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print("\n".join(version_lines()))
        parser.exit()


def version_lines() -> list[str]:
    """What ``pnet-expert --version`` prints: the package's version, then the bundled knowledge base's."""
    from pnet_expert._version import __version__
    from pnet_expert.core.errors import KnowledgeBaseError

    lines = [f"package:        pnet-expert {__version__}"]
    try:
        from pnet_expert.knowledge.identity import identify
        from pnet_expert.knowledge.loader import load_knowledge_base

        who = identify(load_knowledge_base())
    except KnowledgeBaseError as exc:
        return [*lines, f"knowledge base: the bundled one does not load: {exc.diagnostics[0]}"]
    lines.append(f"knowledge base: {who.label} (bundled; fingerprint {who.short_fingerprint})")
    lines.append(f"source:         {who.source_words}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        return _main(argv)
    finally:
        # The process is about to end: move every object to the permanent
        # generation, so that the interpreter's collections at shutdown do not
        # traverse everything the command made (30-60 ms of a 0.4 s cold start
        # on a two-core machine). Nothing is leaked: the process exits.
        if argv is None:
            gc.freeze()


def _main(argv: Sequence[str] | None) -> int:
    from pnet_expert.core.errors import PnetError

    _safe_streams()
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args_list if not a.startswith("-")), None)
    parser = build_parser(first if first in COMMANDS else None)
    args = parser.parse_args(args_list)
    try:
        status = int(args.run(args))
        sys.stdout.flush()  # a full disk under standard output says so here, not at exit
        return status
    except PnetError as exc:
        for line in _shown(exc.tagged_lines()):
            print(f"pnet-expert: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM where a command turns it into one (batch)
        status = int(getattr(exc, "status", 130))
        print(f"pnet-expert: {'terminated' if status == 143 else 'interrupted'}", file=sys.stderr)
        return status
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno in _FULL:
            # A full disk (or quota, or file size limit) where the output goes: the user's to fix, no bug.
            from pnet_expert.core import codes
            from pnet_expert.core.diagnostics import Diagnostic

            where = str(exc.filename) if exc.filename else "<output>"
            full = Diagnostic(codes.FILE_UNWRITABLE, where, f"cannot be written: {exc.strerror}")
            print(f"pnet-expert: error: {full.tagged()}", file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get("PNET_EXPERT_DEBUG"):
            raise
        print(
            f"pnet-expert: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug; set PNET_EXPERT_DEBUG=1 to see the traceback.",
            file=sys.stderr,
        )
        return EXIT_FAILED


def _shown(lines: list[str]) -> list[str]:
    """The lines of an error, at most ``problems_shown`` of them, then how many more there were."""
    from pnet_expert.core.limits import PROBLEMS_SHOWN

    if len(lines) <= PROBLEMS_SHOWN + 1:
        return lines
    rest = len(lines) - PROBLEMS_SHOWN
    return [*lines[:PROBLEMS_SHOWN], f"... and {rest:,} more (limit problems_shown)"]


def _safe_streams() -> None:
    """Standard output and error that never fail on what they print.

    A character no encoding can take (half of a surrogate pair, from a file
    name, say) is written as its escape rather than ending the command with an
    internal error; a standard output or error that was closed (``>&-``)
    swallows what is written instead of breaking every ``print``.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the whole run
        elif hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="backslashreplace")
