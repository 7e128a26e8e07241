"""What the tests share: where things are, the public example cases, small file edits, the CLI.

Tests import these from ``helpers`` (this package); no test module imports
another. Fixtures live in ``conftest.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
SOURCE_TEXT = ROOT / "knowledge_base" / "source" / "pdq-pnet-treatment-patient-2012-02-06.md"
EXAMPLES = ROOT / "examples"
EXPECTED = EXAMPLES / "cases" / "expected.json"
META_KEYS = ("id", "title", "description", "notes")


def public_cases() -> list[dict[str, Any]]:
    """The public example cases, from the project itself: examples/cases/*.yaml with what each must
    give (examples/cases/expected.json). Each: id, description, case (its facts),
    expected_treatments (treatment -> sorted rule ids), expected_rules (sorted)."""
    from pnet_expert.files.casefile import read_case

    expected = json.loads(EXPECTED.read_text())["cases"]
    out = []
    for path in sorted((EXAMPLES / "cases").glob("*.yaml")):
        data = dict(read_case(path))
        wanted = expected[data["id"]]
        out.append(
            {
                "id": data["id"],
                "description": data.get("description", ""),
                "case": {k: v for k, v in data.items() if k not in META_KEYS},
                "expected_treatments": wanted["treatments"],
                "expected_rules": wanted["fired_rules"],
            }
        )
    return out


def treatments_by_rule(result: dict[str, Any]) -> dict[str, list[str]]:
    """treatment id -> sorted rule ids, from a consultation's JSON (as check_cases.py compares)."""
    return {t["id"]: sorted({b["rule"] for b in t["because"]}) for t in result["treatments"]}


def fold(text: str) -> str:
    """The source's words: link markup [text](#) removed, escapes dropped, white space folded."""
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)
    text = text.replace("\\(", "(").replace("\\)", ")")
    return " ".join(text.split())


def edit(file: Path, old: str, new: str) -> None:
    """Replace the first occurrence of a text in a file (which must hold it)."""
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))


def append(file: Path, text: str) -> None:
    """Add rules at the end of a rules file."""
    file.write_text(file.read_text() + text)


SEVEN_COUNTS = [
    ("{site: head}", "at_least", 3),
    ("{site: body}", "exactly", 3),
    ("{site: tail}", "at_least", 3),
    ("{size: small}", "exactly", 4),
    ("{size: large}", "at_least", 4),
    ("{site: head, size: small}", "exactly", 2),
    ("{site: duodenum, size: large}", "at_least", 2),
]
"""Seven counts of tumors an edited knowledge base adds as findings: past the consultation's search budget."""


def add_count_findings(kb: Path, counts: list[tuple[str, str, int]]) -> None:
    """Add one finding per (where, exactly|at_least, number) count of tumors to a KB copy's findings.yaml."""
    for i, (where, bound, number) in enumerate(counts):
        append(
            kb / "findings.yaml",
            f"\n  - id: extra_{i}\n    label: extra {i}\n    rule:\n      id: FND-{60 + i}\n      when:\n"
            f"        - count: tumors\n          where: {where}\n          {bound}: {number}\n",
        )


NEVER = """
  - id: GAS-12
    when:
      - {fact: tumor_type, is: insulinoma}
    offers:
      - treatment: insulin_lowering_drug
    strength: may include
    quote: "Treatment of gastrinoma may include supportive care and the following:"
"""
"""A gastrinoma rule that asks for an insulinoma: it can never fire."""


def run_cli(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``pnet-expert ARGS`` in its own process, as a user runs it (tests that call it are marked slow)."""
    return subprocess.run(
        [sys.executable, "-m", "pnet_expert", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
    )


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run ``work`` and return what it returns, failing (not hanging) if it takes more than ``seconds``.

    The work runs in a daemon thread: a regression that makes it wait forever
    (on a FIFO, say) fails this test instead of stopping the suite.
    """
    done: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            done.append((True, work()))
        except BaseException as exc:  # handed back to the test
            done.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert done, f"did not finish within {seconds} s"
    ok, value = done[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]
