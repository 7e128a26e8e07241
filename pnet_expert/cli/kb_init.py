"""``pnet-expert kb init DIR``: a copy of the knowledge base to edit, study and check.

Then ``pnet-expert recommend CASE --kb DIR`` consults the copy, ``kb check
--kb DIR`` checks it and ``kb diff BUNDLED DIR`` (or any two copies) shows what
an edit changes.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pnet_expert.cli.common import add_kb_option

HELP = "copy the knowledge base (the bundled one, or --kb DIR) to a directory, to edit it"
SKIP = ("__init__.py", "__pycache__", "*.pyc")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """DIR, --force, --kb."""
    parser.add_argument("directory", metavar="DIR", help="where to put the copy (a new or empty directory)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="copy into DIR even when it is not empty (same-named files are replaced)",
    )
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Copy the knowledge base's files; refuse a non-empty directory unless --force."""
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError
    from pnet_expert.knowledge.loader import bundled_path, load_knowledge_base

    def refuse(code: str, message: str, hint: str = "") -> InputError:
        return InputError(Diagnostic(code, args.directory, message, hint=hint))

    source = Path(args.kb) if args.kb else bundled_path()
    load_knowledge_base(args.kb)  # copy only a knowledge base that loads
    target = Path(args.directory)
    if target.exists() and not target.is_dir():
        raise refuse(codes.INPUT_TARGET_TAKEN, "exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not args.force:
        hint = "choose a new directory, or use --force to copy over it"
        raise refuse(codes.INPUT_TARGET_TAKEN, "is not empty", hint)
    if target.resolve() == source.resolve():
        raise refuse(codes.INPUT_TARGET_TAKEN, "is the knowledge base being copied")
    try:
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(*SKIP), dirs_exist_ok=True)
    except OSError as exc:
        raise refuse(codes.FILE_UNWRITABLE, f"cannot be written: {exc.strerror or exc}") from None
    copied = [p for p in target.rglob("*") if p.is_file() and p.suffix in (".yaml", ".md", ".txt")]
    count = f"{len(copied)} files, its source text among them"
    print(f"copied the knowledge base to {target} ({count}). Edit it, then:")
    print(f"  pnet-expert kb check --kb {target}")
    print(f"  pnet-expert kb diff {args.kb or 'bundled'} {target}")
    print(f"  pnet-expert recommend CASE --kb {target}")
    return 0
