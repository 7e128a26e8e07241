"""Consult many cases: one JSON line in, one JSON line out, in input order, losing nothing.

A bad line becomes an error result naming its line number, and the rest go
on, whatever was wrong with it: not JSON, not a case, past the line limit, not
UTF-8, or (a bug) an internal error while consulting it. With several jobs,
lines are sent to worker processes in chunks (each worker compiles the
knowledge base once, and keeps one engine, reset between cases), a few chunks
ahead of the results (memory stays flat however long the input), and the
results are put back in input order, so the output is the same, byte for byte,
whatever the number of jobs. Where processes start by fork (Linux's default),
workers begin with the parent's imports and its loaded knowledge base; the
parent only hands out chunks and writes results.

Workers never outlive the batch: when it ends early (an error, Ctrl-C, SIGTERM)
the pool is shut down, each worker finishing the chunk in hand (or terminated
if it has not within a few seconds), and each worker asks the
system to be sent SIGTERM when its parent dies (Linux's ``PR_SET_PDEATHSIG``;
elsewhere a watchdog thread notices), so that not even a SIGKILL of the parent
leaves one running. Workers ignore Ctrl-C: the parent decides.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from pnet_expert.core.errors import InputError, PnetError
from pnet_expert.files.safe_read import ReadProblem

if TYPE_CHECKING:
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.schema import KnowledgeBase

Result = tuple[int, str, bool]
"""(line number, the JSON text of its result, whether the line was bad)."""

Line = tuple[int, "str | ReadProblem"]
"""A line to consult: its number, and its text (or why it could not be read)."""

CHUNK = 250
AHEAD = 2
"""Chunks handed out per worker ahead of the results written."""
GRACE = 5.0
"""Seconds a worker is given to finish its chunk when a batch stops early, before it is terminated."""

_kb: Any = None
"""The knowledge base of this process's consultations (set before workers fork: they inherit it)."""


def _init_worker(kb_root: str, fingerprint: str, parent: int) -> None:
    """Tie a worker to its parent, then make sure it has the knowledge base (inherited by fork, or loaded)."""
    global _kb
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: SIGTERM ends a worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # forked inside a submit, where the parent holds them back
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    _follow_parent(parent)
    if _kb is None or _kb.fingerprint != fingerprint:
        from pnet_expert.knowledge.loader import load_knowledge_base

        _kb = load_knowledge_base(kb_root)


def _follow_parent(parent: int) -> None:
    """Die when the parent dies: SIGTERM from the system on Linux, a watchdog thread everywhere."""
    with contextlib.suppress(Exception):  # not Linux, or no C library to ask: the watchdog alone
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="pnet-expert-parent-watch").start()


def consult_line(number: int, text: str | ReadProblem, kb: KnowledgeBase) -> Result:
    """One line's result: the consultation as JSON, or an error naming the line.

    Whatever goes wrong with one line is that line's error result, never the
    batch's end: a line that could not be read, a bad case, and even a bug.
    """
    from pnet_expert.api import recommend
    from pnet_expert.files.casefile import parse_case_text

    try:
        if isinstance(text, ReadProblem):
            raise InputError(text.diagnostic(f"line {number}"))
        case = _line_case(text, number, parse_case_text)
        result: dict[str, Any] = {"line": number, **recommend(case, kb).to_dict()}
        bad = False
    except PnetError as exc:
        from pnet_expert.knowledge.identity import about

        problems = [str(p) for p in exc.problems] if isinstance(exc, InputError) else [str(exc)]
        result = {
            "line": number,
            "error": str(exc),
            "problems": problems,
            "diagnostics": [d.to_dict() for d in exc.diagnostics],
            "knowledge_base": about(kb),
        }
        bad = True
    except Exception as exc:  # a bug: this line's result says so, and the other lines go on
        what = f"{type(exc).__name__}: {str(exc)[:200]}"
        message = f"internal error: {what} (a bug in pnet_expert: please report it)"
        result = {"line": number, "error": message, "problems": [message], "diagnostics": []}
        bad = True
    return number, _json(result), bad


def _line_case(text: str, number: int, parse: Callable[[str, str, str], Any]) -> Any:
    """One line's case, its problems named by the line's number (``line 4: ...``) rather than placed in it."""
    name = f"line {number}"
    try:
        case = parse(text, "json", name)
    except InputError as exc:
        raise type(exc).of([_unplaced(d) for d in exc.diagnostics]) from None
    return dict(case) if isinstance(case, dict) else case  # a plain mapping: no file:line:col


def _unplaced(diagnostic: Diagnostic) -> Diagnostic:
    """A syntax error at ``line 4:1:2`` said as before: ``line 4: ... (column 2)``."""
    import attrs

    origin = diagnostic.origin
    if origin is None:
        return diagnostic
    message = f"{diagnostic.message} (column {origin.column})"
    return attrs.evolve(diagnostic, origin=None, path=origin.file, message=message)


_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json(result: dict[str, Any]) -> str:
    """The result as one line of JSON, whatever a reader takes for a line break.

    The characters some readers split lines on (U+0085, U+2028, U+2029; JSON
    escapes the others) are written as escapes, and text no file can hold (a
    lone surrogate) is too.
    """
    text = json.dumps(result, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(result)
    if not text.isascii():
        for character, escape in _LINE_BREAKS.items():
            text = text.replace(character, escape)
    return text


def _consult_chunk(chunk: Sequence[Line]) -> list[Result]:
    return [consult_line(number, text, _kb) for number, text in chunk]


def numbered_lines(lines: Iterable[str]) -> list[tuple[int, str]]:
    """The non-blank lines, with their 1-based line numbers."""
    return [(i, line) for i, line in enumerate(lines, start=1) if line.strip()]


def run_batch(
    lines: Iterable[str],
    kb: KnowledgeBase | None = None,
    jobs: int = 1,
    on_done: Callable[[int], None] | None = None,
) -> Generator[Result, None, None]:
    """Consult every non-blank line against ``kb`` (default: the bundled one); results in input order."""
    return run_numbered(numbered_lines(lines), kb, jobs, on_done)


def run_numbered(
    work: Iterable[Line],
    kb: KnowledgeBase | None = None,
    jobs: int = 1,
    on_done: Callable[[int], None] | None = None,
) -> Generator[Result, None, None]:
    """Consult numbered lines (read lazily, a few chunks ahead); results in input order.

    Close the generator (``contextlib.closing``) when its results are not all
    read: its workers are stopped then, not when it is collected.
    """
    global _kb
    if kb is None:
        from pnet_expert.knowledge.loader import load_knowledge_base

        kb = load_knowledge_base()
    chunks = _chunks(work)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if jobs <= 1 or second is None:  # one chunk or less: no worker is worth starting
        head = [chunk for chunk in (first, second) if chunk is not None]
        for chunk in itertools.chain(head, chunks):
            for number, text in chunk:
                yield consult_line(number, text, kb)
                if on_done:
                    on_done(1)
        return
    _kb = kb
    initargs = (kb.root, kb.fingerprint, os.getpid())
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=initargs)
    try:
        pending: collections.deque[Future[list[Result]]] = collections.deque()
        assert first is not None
        for chunk in itertools.chain([first, second], chunks):
            with _signals_deferred():
                pending.append(pool.submit(_consult_chunk, chunk))
            while len(pending) > jobs * AHEAD:
                yield from _done(pending.popleft(), on_done)
        while pending:
            yield from _done(pending.popleft(), on_done)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT back while the pool's own locks are held (a submit), then let them in.

    A signal handled inside ``pool.submit`` would raise while the pool holds
    its shutdown lock, and stopping the pool takes that lock: the batch would
    wait forever for itself. Blocked, the signal waits in the kernel and is
    handled the moment the submit is done. Where signals cannot be blocked
    (not Unix, not the main thread) this does nothing.
    """
    held = {signal.SIGTERM, signal.SIGINT}
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _chunks(work: Iterable[Line]) -> Iterator[list[Line]]:
    iterator = iter(work)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        yield chunk


def _done(future: Future[list[Result]], on_done: Callable[[int], None] | None) -> list[Result]:
    results = future.result()
    if on_done:
        on_done(len(results))
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    """End a pool now: no more chunks; each worker finishes the chunk in hand and ends, or is terminated.

    The workers are not terminated at once: one killed while it writes a
    result would leave half a message in the pool's result pipe, and the
    pool's manager thread would wait forever for the rest, so that the
    interpreter, which joins that thread at exit, would never end. So the pool
    is shut down with its waiting chunks cancelled, and each worker is given
    :data:`GRACE` seconds to finish its chunk (a fraction of a second) and
    end; only one still running then is terminated. Python 3.11 has no public
    way to reach the processes (3.14 adds ``terminate_workers``), so this
    reaches into the pool: its processes, and its call queue, whose feeder
    thread could otherwise wait forever, at exit, to write chunks no worker
    will read (3.12 closes that queue's reading end itself).
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())
    calls = getattr(pool, "_call_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + GRACE
    for process in workers:
        with contextlib.suppress(Exception):
            process.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = [process for process in workers if process.is_alive()]
    for process in stuck:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in stuck:
        with contextlib.suppress(Exception):
            process.join(timeout=2)
    if stuck and calls is not None:
        with contextlib.suppress(Exception):
            calls.cancel_join_thread()
        with contextlib.suppress(Exception):
            calls._reader.close()
