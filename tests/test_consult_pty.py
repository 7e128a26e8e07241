"""``pnet-expert consult`` end to end, in a real pseudo-terminal (prompt_toolkit's own path).

Each step waits for text the program prints (a question's ``[slot]`` tag, then
its prompt) before typing, so the tests need no sleeps. The terminal draws a
prompt's trailing space as a cursor move, so prompts are matched without it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pnet_expert import recommend

pytestmark = pytest.mark.slow
"""Every test here starts a process (or a browser, or a terminal)."""

pexpect = pytest.importorskip("pexpect")

TIMEOUT = 60

ENV = {
    **os.environ,
    "TERM": "xterm",
    # pexpect is not a terminal emulator: it would not answer prompt_toolkit's cursor-position request.
    "PROMPT_TOOLKIT_NO_CPR": "1",
    # The text is matched as printed: no colour (test_colour_on_a_terminal_only checks the colour).
    "NO_COLOR": "1",
}
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(
    cwd: Path, *args: str, env: dict[str, str] | None = None, command: str = "consult"
) -> pexpect.spawn:
    """A command (consult by default) in a pseudo-terminal of 50 rows by 160 columns."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "pnet_expert", command, *args],
        cwd=str(cwd),
        env=env or ENV,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(50, 160),
    )


def ask(child: pexpect.spawn, slot: str, text: str) -> None:
    """Wait for the question on ``slot`` and its prompt, then type a line."""
    child.expect_exact(f"[{slot}]")
    child.expect_exact(f"{slot}>")
    child.sendline(text)


def command(child: pexpect.spawn, text: str, shows: str) -> None:
    """At the consult> prompt, type a command and wait for what it shows."""
    child.expect_exact("consult>")
    child.sendline(text)
    child.expect_exact(shows)


def result(child: pexpect.spawn) -> tuple[list[str], list[str]]:
    """The options the session shows (treatment ids, in order) and its fired rules."""
    child.expect_exact("Nothing more can change the options. Here they are.")
    child.expect_exact("Ask how TREATMENT")
    text = child.before.replace("\r", "")
    options = text[text.index("\nUsually") if "\nUsually" in text else text.index("\nMay include") :]
    parts = ("\nCautions", "\nSilences", "\nGaps", "\nFired rules:")
    ends = [options.index(m) for m in parts if m in options]
    options = options[: min(ends)]
    fired = re.search(r"Fired rules: (.*)", text)
    assert fired is not None
    return re.findall(r"\[([a-z_]+)\]", options), fired.group(1).split(", ")


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus is None
    return int(child.exitstatus)


def test_a_gastrinoma_spread_to_the_liver_from_why_to_save(tmp_path: Path) -> None:
    """why, back, how, whynot, change, save, quit; the saved file gives recommend the same options."""
    child = spawn(tmp_path)
    ask(child, "tumor_type", "gastrinoma")
    ask(child, "tumors", "why")
    child.expect_exact("GAS-08 (Gastrinoma section, may include):")
    child.expect_exact("unknown  no_tumor_found (no tumor is found)")
    ask(child, "tumors", "1")
    ask(child, "tumors[0].site", "duodenum")
    ask(child, "spread", "lymph_nodes liver")
    ask(child, "liver_dominant", "why")
    child.expect_exact("WHY: 1 rule of the source is waiting on liver_dominant;")
    child.expect_exact('"If the cancer mostly affects the liver and the patient has severe symptoms')
    ask(child, "liver_dominant", "why")
    child.expect_exact("WHY (one level up): the answer can decide whether these rules offer:")
    child.expect_exact("hepatic_arterial_occlusion (Hepatic arterial occlusion)")
    ask(child, "liver_dominant", "no")
    ask(child, "acid_symptoms", "back")
    child.expect_exact("Took back the answer to liver_dominant.")
    ask(child, "liver_dominant", "yes")
    ask(child, "severe_symptoms", "yes")
    ask(child, "acid_symptoms", "?")
    ask(child, "refractory", "no")
    ask(child, "recurrent", "no")
    ask(child, "progressing", "no")
    first, fired_first = result(child)
    assert fired_first == ["GAS-01", "GAS-07", "GAS-09", "GAS-11"]
    assert "acid_reducing_drug" not in first

    command(child, "how chemoembolization", "HOW: chemoembolization — Chemoembolization")
    child.expect_exact("Offered (may include; with or without systemic chemotherapy) by 2 rules: GAS-09")
    command(child, "whynot regional_chemotherapy", "WHY NOT: regional_chemotherapy — Regional chemotherapy")
    child.expect_exact("NOT met: progressive_or_recurrent")
    command(child, "change acid_symptoms", "Change acid_symptoms (now: unknown).")
    ask(child, "acid_symptoms", "yes")
    shown, fired = result(child)
    assert sorted(shown) == sorted([*first, "acid_reducing_drug"])
    assert fired == ["GAS-01", "GAS-02", "GAS-07", "GAS-09", "GAS-11"]
    command(child, "save session.yaml", "Resume with: pnet-expert consult --load session.yaml")
    child.expect_exact("consult>")
    child.sendline("quit")
    child.expect_exact("Resume this session with: pnet-expert consult --load session.yaml")
    assert finish(child) == 0

    saved = subprocess.run(
        [sys.executable, "-m", "pnet_expert", "recommend", "session.yaml", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    again = json.loads(saved.stdout)
    assert [t["id"] for t in again["treatments"]] == shown
    assert again["fired_rules"] == fired


def test_ctrl_c_tab_completion_history_and_saving_on_the_way_out(tmp_path: Path) -> None:
    """Ctrl-C asks whether to quit; Tab completes; Up recalls; quitting offers a save; --load resumes."""
    child = spawn(tmp_path)
    ask(child, "tumor_type", "other")
    child.expect_exact("[spread]")
    child.expect_exact("spread>")
    child.sendintr()
    child.expect_exact("Quit the consultation? (yes/no)")
    child.sendline("no")
    child.expect_exact("Going on.")
    ask(child, "spread", "liver")

    child.expect_exact("[recurrent]")
    child.expect_exact("recurrent>")
    child.send("whyn\t")
    child.send(" regional_chem\t")
    child.sendline("")
    child.expect_exact("WHY NOT: regional_chemotherapy — Regional chemotherapy")
    child.expect_exact("[recurrent]")
    child.expect_exact("recurrent>")
    child.send("\x1b[A")  # Up: the line typed before
    child.sendline("")
    child.expect_exact("WHY NOT: regional_chemotherapy — Regional chemotherapy")

    child.expect_exact("[recurrent]")
    child.expect_exact("recurrent>")
    child.sendintr()
    child.expect_exact("Quit the consultation? (yes/no)")
    child.sendline("yes")
    child.expect_exact("This session has 2 unsaved answers.")
    child.expect_exact("Save them first?")
    child.sendline("kept.yaml")
    child.expect_exact("Saved to kept.yaml. Resume with: pnet-expert consult --load kept.yaml")
    assert finish(child) == 0
    assert "Traceback" not in (child.before or "")

    resumed = spawn(tmp_path, "--load", "kept.yaml")
    resumed.expect_exact("Loaded kept.yaml; only what is still open will be asked.")
    ask(resumed, "recurrent", "no")
    ask(resumed, "progressing", "no")
    options, fired = result(resumed)
    expected = recommend(
        {"tumor_type": "other", "spread": ["liver"], "progressing": False, "recurrent": False}
    )
    assert options == [o.id for o in expected.treatments]
    assert fired == list(expected.fired_rules) == ["OTH-01", "OTH-02", "OTH-03"]
    resumed.expect_exact("consult>")
    resumed.sendline("quit")
    resumed.expect_exact("This session has 4 unsaved answers.")
    resumed.sendline("")
    resumed.expect_exact("Left without saving: the answers of this session are not kept.")
    assert finish(resumed) == 0


def test_ctrl_d_offers_to_save_and_leaves_without_a_traceback(tmp_path: Path) -> None:
    """End of input at a terminal is a way out like quit."""
    child = spawn(tmp_path)
    ask(child, "tumor_type", "vipoma")
    child.expect_exact("[spread]")
    child.expect_exact("spread>")
    child.sendeof()
    child.expect_exact("This session has 1 unsaved answer.")
    child.expect_exact("Save them first?")
    child.sendline("")
    child.expect_exact("Left without saving: the answers of this session are not kept.")
    assert finish(child) == 0
    assert "Traceback" not in (child.before or "")


def test_each_prompt_its_history_and_ctrl_c_at_the_save_prompt_asks_again(tmp_path: Path) -> None:
    """Up at a site recalls the last site (not the count); Ctrl-C at the save prompt keeps the answers."""
    child = spawn(tmp_path)
    ask(child, "tumor_type", "Insulinoma")
    ask(child, "tumors", "2")
    ask(child, "tumors[0].site", "Head")
    child.expect_exact("[tumors[1].site]")
    child.expect_exact("tumors[1].site>")
    child.send("\x1b[A")  # Up: the site typed at the first tumor, not the count typed just before
    child.sendline("")
    child.expect_exact("[spread]")
    child.expect_exact("spread>")
    child.sendline("quit")
    child.expect_exact("Save them first?")
    child.sendintr()
    child.expect_exact("Leave without saving the 4 answers? (yes/no)")
    child.sendline("no")
    child.expect_exact("Save them first?")
    child.sendline("kept.json")
    child.expect_exact("Saved to kept.json.")
    assert finish(child) == 0
    kept = json.loads((tmp_path / "kept.json").read_text())
    assert kept["tumors"] == [{"site": "head"}, {"site": "head"}]


def test_colour_on_a_terminal_only(tmp_path: Path) -> None:
    """On a terminal the text is coloured, and reads the same as piped once the colour is taken out."""
    case = Path(__file__).resolve().parents[1] / "examples" / "cases" / "gastrinoma-liver-severe.yaml"
    env = {k: v for k, v in ENV.items() if k != "NO_COLOR"}
    child = spawn(tmp_path, str(case), env={**env, "COLUMNS": "100"}, command="recommend")
    child.expect(pexpect.EOF)
    shown = child.before.replace("\r\n", "\n")
    assert "\x1b[" in shown
    piped = subprocess.run(
        [sys.executable, "-m", "pnet_expert", "recommend", str(case)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**env, "COLUMNS": "100"},
        check=True,
    ).stdout
    assert "\x1b" not in piped
    assert ESCAPES.sub("", shown) == piped
