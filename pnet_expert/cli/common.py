"""Pieces the subcommands share: registering them, the CASE argument, the --kb, --progress and -o
options, writing outputs."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pnet_expert.core.errors import InputError
    from pnet_expert.core.schema import KnowledgeBase


def add_case_argument(parser: argparse.ArgumentParser) -> None:
    """``CASE``: one case file, or ``-`` for standard input (``recommend`` and ``report``)."""
    parser.add_argument(
        "case",
        metavar="CASE",
        help="a case file (.json, .yaml, .yml, .toml), or - for standard input",
    )


def add_kb_option(parser: argparse.ArgumentParser) -> None:
    """``--kb DIR``: use a copy of the knowledge base instead of the bundled one."""
    parser.add_argument(
        "--kb",
        metavar="DIR",
        help="a knowledge base directory to use instead of the bundled one (see 'pnet-expert kb init')",
    )


def knowledge_base(args: argparse.Namespace) -> KnowledgeBase:
    """The knowledge base the arguments name (the bundled one by default)."""
    from pnet_expert.knowledge.loader import load_knowledge_base

    return load_knowledge_base(getattr(args, "kb", None))


def register_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], commands: Mapping[str, str], key: str
) -> None:
    """Add one subcommand per module (``HELP``, ``add_arguments``, ``run``), its ``run`` stored as ``key``."""
    for name, module_name in commands.items():
        module: Any = importlib.import_module(module_name)
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(**{key: module.run})


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """``--progress`` / ``--no-progress``: a progress bar on standard error."""
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a progress bar on standard error (default: when it is a terminal)",
    )


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to draw the progress bar: as asked, else when standard error is a terminal."""
    return sys.stderr.isatty() if args.progress is None else bool(args.progress)


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """``-o OUT``: the report file; its suffix picks the format (``report`` and ``kb report``)."""
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=True,
        help="the report file to write: .md (Markdown) or .html (one self-contained page)",
    )


def cannot_write(path: str, exc: OSError) -> InputError:
    """The input error for an output file that cannot be written, naming it and why."""
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError

    if isinstance(exc, FileNotFoundError):
        return InputError(
            Diagnostic(codes.FILE_UNWRITABLE, path, "cannot be written: its folder does not exist")
        )
    if isinstance(exc, IsADirectoryError):
        return InputError(Diagnostic(codes.FILE_IS_A_DIRECTORY, path, "is a folder, not a file"))
    return InputError(Diagnostic(codes.FILE_UNWRITABLE, path, f"cannot be written: {exc.strerror or exc}"))


def write_output(path: str, text: str) -> None:
    """Write an output file atomically; one that cannot be written is an input error naming it."""
    from pnet_expert.files.casefile import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        raise cannot_write(path, exc) from None


def write_report(path: str, text: str) -> None:
    """Write a report atomically and say so on standard error."""
    write_output(path, text)
    print(f"pnet-expert: wrote {path}", file=sys.stderr)


def write_report_files(files: Mapping[Path, str]) -> None:
    """Write a report and its diagrams' own SVG files (their folder made when needed), and say so."""
    report, *diagrams = files
    write_output(str(report), files[report])  # the report first: its own path names a problem
    for path in diagrams:
        try:
            path.parent.mkdir(exist_ok=True)
        except OSError as exc:
            raise cannot_write(str(path.parent), exc) from None
        write_output(str(path), files[path])
    more = (
        f" (and {len(diagrams)} diagram{'s' if len(diagrams) != 1 else ''} in {diagrams[0].parent})"
        if diagrams
        else ""
    )
    print(f"pnet-expert: wrote {report}{more}", file=sys.stderr)
