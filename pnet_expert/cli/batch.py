"""``pnet-expert batch CASES.jsonl``: consult a cohort, one JSON result per line."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TextIO

from pnet_expert.cli.common import (
    add_kb_option,
    add_progress_option,
    cannot_write,
    knowledge_base,
    show_progress,
)
from pnet_expert.core import codes
from pnet_expert.files.safe_read import ReadProblem

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
    """Consult every line; report bad lines on standard error; exit 2 if any was bad.

    The input is read line by line (split on new lines only), each line up to
    ``batch_line_bytes``; the output (``-o``) is opened before any work, so a
    name that cannot be written fails at once. SIGTERM stops the batch as
    Ctrl-C does: the workers end and a partly written output file is discarded.
    """
    from pnet_expert.cli.batch_runner import run_numbered
    from pnet_expert.cli.progress import Progress
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError
    from pnet_expert.files.casefile import atomic_output

    if args.jobs < 0:
        hint = "use 1 or more, or 0 for one per core"
        raise InputError(Diagnostic(codes.INPUT_BAD_OPTION, "--jobs", f"{args.jobs} is negative", hint=hint))
    jobs = args.jobs or os.cpu_count() or 1
    if args.output and args.output != "-" and args.cases != "-" and _same_file(args.cases, args.output):
        message = "is the file of cases being read: the results would replace the cases"
        hint = "write the results to another file"
        raise InputError(Diagnostic(codes.INPUT_BAD_OPTION, "-o", f"{args.output} {message}", hint=hint))
    kb = knowledge_base(args)  # a broken knowledge base fails here, once, not per line
    show = show_progress(args)
    bad = total = 0
    with contextlib.ExitStack() as stack:
        stack.enter_context(_terminate_as_interrupt())
        source, count = _input(args.cases, stack)
        out: TextIO = sys.stdout
        if args.output:
            try:
                out = stack.enter_context(atomic_output(args.output))
            except OSError as exc:
                raise cannot_write(args.output, exc) from None
        progress = Progress(count, "batch", sys.stderr, enabled=show)
        # Closed on the way out, whatever ends the loop (SIGTERM, Ctrl-C, a full disk): workers stop at once.
        results = stack.enter_context(
            contextlib.closing(run_numbered(_blank_skipped(source), kb, jobs, progress.advance))
        )
        for number, text, failed in results:
            total += 1
            if failed:
                bad += 1
                progress.stream.write(
                    ("\n" if show else "") + f"pnet-expert batch: line {number}: {_first(text, number)}\n"
                )
            out.write(text + "\n")
        progress.close()
    from pnet_expert.knowledge.identity import identify

    print(
        f"pnet-expert batch: {total} cases, {total - bad} consulted, {bad} bad; "
        f"knowledge base {identify(kb).brief()}",
        file=sys.stderr,
    )
    return 2 if bad else 0


def _input(
    name: str, stack: contextlib.ExitStack
) -> tuple[Iterator[tuple[int, str | ReadProblem]], int | None]:
    """The numbered lines of the input (a regular file, or - for standard input), and how many when known."""
    from pnet_expert.core.errors import InputError
    from pnet_expert.files.safe_read import count_lines, lines, open_regular

    if name == "-":
        if sys.stdin is None:
            problem = ReadProblem(
                codes.FILE_UNREADABLE, "standard input is closed", "give a file instead of -"
            )
            raise InputError(problem.diagnostic("<stdin>"))
        return lines(sys.stdin.buffer, "batch_line_bytes"), None
    try:
        handle = stack.enter_context(open_regular(name))
        count = count_lines(name)
    except ReadProblem as exc:
        raise InputError(exc.diagnostic(name)) from None
    except OSError as exc:
        problem = ReadProblem(codes.FILE_UNREADABLE, f"cannot be read: {exc.strerror or exc}")
        raise InputError(problem.diagnostic(name)) from None
    return lines(handle, "batch_line_bytes"), count


def _same_file(cases: str, output: str) -> bool:
    """Whether the output names the input file itself (through a link too)."""
    try:
        return os.path.samefile(cases, output)
    except OSError:  # one of them does not exist (yet), or cannot be looked at: not the same
        return False


def _blank_skipped(
    source: Iterator[tuple[int, str | ReadProblem]],
) -> Iterator[tuple[int, str | ReadProblem]]:
    """The lines worth consulting: a blank line is no case (it is skipped, and not counted)."""
    return ((n, text) for n, text in source if not isinstance(text, str) or text.strip())


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While the batch runs, SIGTERM stops it as Ctrl-C does (:class:`Terminated`): all is cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        del signum, frame
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as an interrupt does, and exit with 128 + 15."""

    status = 143


def _first(result_json: str, number: int) -> str:
    """A bad line's error in one line, for standard error (where ``line N:`` is said once, in front)."""
    import json

    error = str(json.loads(result_json).get("error", "")).replace("\n", "; ")
    prefix = f"line {number}: "
    return error[len(prefix) :] if error.startswith(prefix) else error
