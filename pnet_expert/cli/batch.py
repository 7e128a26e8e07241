"""``pnet-expert batch CASES.jsonl``: consult a cohort, one JSON result per line."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TextIO

from pnet_expert.cli.common import (
    add_kb_option,
    add_progress_option,
    cannot_write,
    knowledge_base,
    show_progress,
)

HELP = "consult every case of a JSON-lines file; one JSON result per line, in input order"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """CASES, -o, --jobs, --kb, progress."""
    parser.add_argument(
        "cases",
        metavar="CASES.jsonl",
        help="one case (a JSON object) per line; - for standard input",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT.jsonl",
        help="write the results here (default: standard output)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1; 0 means one per core)",
    )
    add_progress_option(parser)
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Consult every line; report bad lines on standard error; exit 2 if any was bad."""
    from pnet_expert.cli.batch_runner import numbered_lines, run_batch
    from pnet_expert.cli.progress import Progress
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError
    from pnet_expert.files.casefile import atomic_output

    if args.jobs < 0:
        hint = "use 1 or more, or 0 for one per core"
        raise InputError(Diagnostic(codes.INPUT_BAD_OPTION, "--jobs", f"{args.jobs} is negative", hint=hint))
    jobs = args.jobs or os.cpu_count() or 1
    kb = knowledge_base(args)  # a broken knowledge base fails here, once, not per line
    if args.cases == "-":
        lines = sys.stdin.read().splitlines()
    else:
        try:
            with open(args.cases, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except FileNotFoundError:
            raise InputError(Diagnostic(codes.FILE_NOT_FOUND, args.cases, "no such file")) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                Diagnostic(codes.FILE_UNREADABLE, args.cases, f"cannot be read: {exc}")
            ) from None
    total = len(numbered_lines(lines))
    show = show_progress(args)
    progress = Progress(total, "batch", sys.stderr, enabled=show)
    bad = 0
    with contextlib.ExitStack() as stack:
        out: TextIO = sys.stdout
        if args.output:
            try:
                out = stack.enter_context(atomic_output(args.output))
            except OSError as exc:
                raise cannot_write(args.output, exc) from None
        for number, text, failed in run_batch(lines, kb, jobs, progress.advance):
            if failed:
                bad += 1
                progress.stream.write(
                    ("\n" if show else "") + f"pnet-expert batch: line {number}: {_first(text)}\n"
                )
            out.write(text + "\n")
    progress.close()
    print(f"pnet-expert batch: {total} cases, {total - bad} consulted, {bad} bad", file=sys.stderr)
    return 2 if bad else 0


def _first(result_json: str) -> str:
    import json

    return str(json.loads(result_json).get("error", "")).replace("\n", "; ")
