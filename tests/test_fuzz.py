"""Fuzzing the inputs (issue 12): whatever a case file, a batch line or a knowledge-base edit holds,
the command line exits 0 or 2, never 1 (an internal error), and never hangs.

Commands run in process (``main()``), each under a time limit: a hang fails
the example instead of stopping the suite. The fast loop tries a few dozen
examples of each; the slow run (``-m slow``) a few hundred, and ``kb check``
on edited knowledge bases.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import within
from helpers.fuzz import apply_edit, batch_lines, case_files, kb_edits
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pnet_expert.cli import main
from pnet_expert.knowledge.loader import bundled_path

FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
SECONDS = 20


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pnet-fuzz-") as where:
        yield Path(where)


def _cli(*args: str) -> tuple[int, str]:
    """Run the command line in process, under a time limit: (exit status, standard error)."""
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            return main(list(args))

    return within(SECONDS, run), err.getvalue()


def _never_internal(status: int, err: str, allowed: tuple[int, ...] = (0, 2)) -> None:
    assert status in allowed, err
    assert "internal error" not in err, err
    assert "Traceback" not in err, err


def _case_file(folder: Path, suffix: str, text: str) -> Path:
    path = folder / f"case{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def _check_case_file(suffix: str, text: str) -> None:
    with _folder() as folder:
        path = _case_file(folder, suffix, text)
        for command in (("recommend", str(path)), ("recommend", str(path), "--format", "json")):
            _never_internal(*_cli(*command))
        status, err = _cli("report", str(path), "-o", str(folder / "report.md"))
        _never_internal(status, err)


@FAST
@given(case_files())
def test_any_case_file_exits_0_or_2(file: tuple[str, str]) -> None:
    """A hostile case in JSON, YAML or TOML (or raw text): recommend, --format json and report exit 0 or 2."""
    _check_case_file(*file)


@pytest.mark.slow
@LONG
@given(case_files())
def test_any_case_file_exits_0_or_2_long(file: tuple[str, str]) -> None:
    """The same, on many more examples."""
    _check_case_file(*file)


def _check_batch(lines: list[str]) -> None:
    with _folder() as folder:
        cases = folder / "cases.jsonl"
        cases.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
        out = folder / "out.jsonl"
        status, err = _cli("batch", str(cases), "-o", str(out), "--no-progress")
        _never_internal(status, err)
        written = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
        assert [result["line"] for result in written] == [
            i for i, line in enumerate(lines, 1) if line.strip()
        ]
        assert all(("error" in result) != ("treatments" in result) for result in written)
        assert status == (2 if any("error" in result for result in written) else 0)


@FAST
@given(batch_lines())
def test_any_batch_exits_0_or_2_and_loses_no_line(lines: list[str]) -> None:
    """A batch of good, hostile and noisy lines: exit 0 or 2; a result for every non-blank line, in order."""
    _check_batch(lines)


@pytest.mark.slow
@LONG
@given(batch_lines())
def test_any_batch_exits_0_or_2_long(lines: list[str]) -> None:
    """The same, on many more examples."""
    _check_batch(lines)


def _edited_kb(folder: Path, edits: list[tuple[str, str, Any]]) -> Path:
    target = folder / "kb"
    shutil.copytree(bundled_path(), target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    for file, kind, argument in edits:
        path = target / file
        path.write_bytes(apply_edit(path.read_text(), kind, argument).encode("utf-8", "surrogatepass"))
    return target


CASES = (
    '{"tumor_type": "gastrinoma", "tumors": [{"site": "head", "size": "small"}], "spread": ["liver"]}',
    '{"tumor_type": "insulinoma", "tumor_found": false}',
)


def _check_kb(edits: list[tuple[str, str, Any]]) -> None:
    with _folder() as folder:
        kb = _edited_kb(folder, edits)
        for number, text in enumerate(CASES):
            case = folder / f"case{number}.json"
            case.write_text(text)
            _never_internal(*_cli("recommend", str(case), "--kb", str(kb)))


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edited knowledge bases are not cached (each example is another one)."""
    monkeypatch.setenv("PNET_EXPERT_CACHE_DIR", "")


EDITS = st.lists(kb_edits(), min_size=1, max_size=3)


@FAST
@given(EDITS)
def test_any_knowledge_base_edit_exits_0_or_2(edits: list[tuple[str, str, Any]]) -> None:
    """An edited knowledge base (lines dropped, doubled, changed; counts, any, aliases inflated): recommend
    --kb exits 0 (it loads) or 2 (it does not), never 1, never a hang."""
    _check_kb(edits)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(EDITS)
def test_kb_check_on_any_edit_finishes_and_never_fails_inside(edits: list[tuple[str, str, Any]]) -> None:
    """kb check on an edited knowledge base: exit 0 (clean) or 1 (errors found), within its limits."""
    with _folder() as folder:
        kb = _edited_kb(folder, edits)
        status, err = _cli("kb", "check", "--kb", str(kb), "--no-progress")
        _never_internal(status, err, (0, 1))
