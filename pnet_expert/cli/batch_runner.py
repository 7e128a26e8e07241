"""Consult many cases: one JSON line in, one JSON line out, in input order.

A bad line becomes an error result naming its line number, and the rest go
on. With several jobs, lines are sent to worker processes in chunks (each
worker compiles the knowledge base once, and keeps one engine, reset between
cases) and the results are put back in input order, so the output is the same,
byte for byte, whatever the number of jobs. Where processes start by fork
(Linux's default), workers begin with the parent's imports and its loaded
knowledge base; the parent only hands out chunks and writes results.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from pnet_expert.core.errors import InputError, PnetError

if TYPE_CHECKING:
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.schema import KnowledgeBase

Result = tuple[int, str, bool]
"""(line number, the JSON text of its result, whether the line was bad)."""

CHUNK = 250

_kb: Any = None
"""The knowledge base of this process's consultations (set before workers fork: they inherit it)."""


def _init_worker(kb_root: str, fingerprint: str) -> None:
    """Make sure a worker has the knowledge base: inherited by fork, loaded again otherwise (spawn)."""
    global _kb
    if _kb is None or _kb.fingerprint != fingerprint:
        from pnet_expert.knowledge.loader import load_knowledge_base

        _kb = load_knowledge_base(kb_root)


def consult_line(number: int, text: str, kb: KnowledgeBase) -> Result:
    """One line's result: the consultation as JSON, or an error naming the line."""
    from pnet_expert.api import recommend
    from pnet_expert.files.casefile import parse_case_text

    try:
        case = _line_case(text, number, parse_case_text)
        result: dict[str, Any] = {"line": number, **recommend(case, kb).to_dict()}
        bad = False
    except PnetError as exc:
        problems = [str(p) for p in exc.problems] if isinstance(exc, InputError) else [str(exc)]
        result = {
            "line": number,
            "error": str(exc),
            "problems": problems,
            "diagnostics": [d.to_dict() for d in exc.diagnostics],
        }
        bad = True
    return number, json.dumps(result, ensure_ascii=False), bad


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


def _consult_chunk(chunk: Sequence[tuple[int, str]]) -> list[Result]:
    return [consult_line(number, text, _kb) for number, text in chunk]


def numbered_lines(lines: Sequence[str]) -> list[tuple[int, str]]:
    """The non-blank lines, with their 1-based line numbers."""
    return [(i, line) for i, line in enumerate(lines, start=1) if line.strip()]


def run_batch(
    lines: Sequence[str],
    kb: KnowledgeBase | None = None,
    jobs: int = 1,
    on_done: Callable[[int], None] | None = None,
) -> Iterator[Result]:
    """Consult every non-blank line against ``kb`` (default: the bundled one); results in input order."""
    global _kb
    if kb is None:
        from pnet_expert.knowledge.loader import load_knowledge_base

        kb = load_knowledge_base()
    work = numbered_lines(lines)
    if jobs <= 1 or len(work) <= CHUNK:
        for number, text in work:
            yield consult_line(number, text, kb)
            if on_done:
                on_done(1)
        return
    _kb = kb
    chunks = [work[i : i + CHUNK] for i in range(0, len(work), CHUNK)]
    initargs = (kb.root, kb.fingerprint)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=initargs) as pool:
        for results in pool.map(_consult_chunk, chunks):
            yield from results
            if on_done:
                on_done(len(results))
