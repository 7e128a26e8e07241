"""``pnet-expert tutor`` end to end in a real pseudo-terminal (prompt_toolkit's path: completion, prompts).

Each step waits for what the tutor prints before typing, so there are no
sleeps. The terminal draws a prompt's trailing space as a cursor move, so
prompts are matched without it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pnet_expert import load_knowledge_base, recommend
from pnet_expert.tutor.session import Tutor

pytestmark = pytest.mark.slow
"""Every test here starts a process in a terminal."""

pexpect = pytest.importorskip("pexpect")

TIMEOUT = 60
ENV = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}


def spawn(cwd: Path, *args: str) -> pexpect.spawn:
    """The tutor command in a pseudo-terminal of 50 rows by 160 columns."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "pnet_expert", "tutor", *args],
        cwd=str(cwd),
        env=ENV,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(50, 160),
    )


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus is None
    return int(child.exitstatus)


def test_a_tutor_session_on_a_terminal(tmp_path: Path) -> None:
    """Seeded: the first case is known; a wrong answer is critiqued, hints climb, the right answer scores
    1.00, the case is recorded and saved; quit leaves with a summary."""
    kb = load_knowledge_base()
    first = Tutor(kb, seed=5).next_case()
    options = [o.id for o in first.consultation.treatments]
    child = spawn(tmp_path, "--seed", "5", "--progress", "progress.json")
    child.expect_exact("Case 1 (chosen for")
    child.expect_exact("answer>")
    child.sendline("pancreatoduodenectomy" if "pancreatoduodenectomy" not in options else "clinical_trial")
    child.expect_exact("WHY NOT:")
    child.expect_exact("tutor>")
    child.sendline("hint")
    child.expect_exact("Hint 1 of 3:")
    child.expect_exact("tutor>")
    child.sendline("hint")
    child.expect_exact("Hint 2 of 3:")
    child.expect_exact("tutor>")
    child.sendline(", ".join(options))
    child.expect_exact("Score:")
    child.expect_exact("tutor>")
    child.sendline("next")
    child.expect_exact("Recorded: first answer 0.00, in the end")
    child.expect_exact("Case 2 (chosen for")
    child.expect_exact("answer>")
    child.sendline("quit")
    child.expect_exact("This session: 1 case, mean score of first answers 0.00.")
    assert finish(child) == 0
    data = json.loads((tmp_path / "progress.json").read_text())
    assert data["history"][0]["case"] == first.case
    assert data["history"][0]["hints"] == 2
    for rule_id in first.consultation.fired_rules:
        assert data["rules"][rule_id]["missed"] == 1


def test_tab_completes_treatment_ids(tmp_path: Path) -> None:
    """On a terminal, Tab completes a treatment id; the completed answer is graded."""
    case = {"tumor_type": "gastrinoma", "spread": ["liver"]}
    (tmp_path / "case.json").write_text(json.dumps(case))
    child = spawn(tmp_path, "--case", "case.json")
    child.expect_exact("answer>")
    child.send("chemoemb\t")
    child.expect_exact("chemoembolization")
    child.sendline("")
    child.expect_exact("✓ chemoembolization (Chemoembolization)")
    missing = len(recommend(case).treatments) - 1
    child.expect_exact(f"The source offers {missing} more options for this case.")
    child.expect_exact("tutor>")
    child.sendeof()
    child.expect_exact("Recorded: first answer")
    assert finish(child) == 0
