"""The REPL takes answers, commands, treatments and facts as people type them, and explains in marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repl import flat, session
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from pnet_expert import KnowledgeBase
from pnet_expert.consult.repl import TerminalReader, history_key
from pnet_expert.files.casefile import read_case

AS_TYPED = ["Gastrinoma", "1", "Duodenum", "lymph nodes, liver", "YES", "y", "?", "No", "n", "NO"]
"""The whole gastrinoma consultation of test_repl, typed the way people type."""


def test_answers_as_people_type_them_give_the_same_consultation(kb: KnowledgeBase) -> None:
    """Any case, label words, spaces for '_', a comma list: the same options as the exact ids."""
    _, out, script = session(kb, *AS_TYPED)
    exact = ["gastrinoma", "1", "duodenum", "lymph_nodes liver", "yes", "yes", "?", "no", "no", "no"]
    _, expected, _ = session(kb, *exact)
    assert script.prompts[-1] == "consult> "
    fired = next(line for line in expected.splitlines() if line.startswith("Fired rules:"))
    assert fired in out
    assert "not an answer" not in out


@pytest.mark.parametrize(
    ("typed", "exact"),
    [
        (["2", "1", "the tail", "small", "none", "yes", "no", "no"], ["insulinoma", "1", "tail", "small"]),
        (["insul", "1", "t", "sm", "NONE", "y", "n", "n"], ["insulinoma", "1", "tail", "small"]),
        (["VIPoma", "the liver", "yes", "no", "no"], ["vipoma", "liver", "yes", "no", "no"]),
        (["4", "1 2", "N", "unknown", "Unknown"], ["vipoma", "lymph_nodes liver", "no", "?", "?"]),
    ],
)
def test_numbers_starts_and_labels_are_answers(kb: KnowledgeBase, typed: list[str], exact: list[str]) -> None:
    """A choice by its number, the unique start of its id, or its label's words: as good as the id."""
    _, out, _ = session(kb, *typed)
    exact = exact + typed[len(exact) :]
    _, expected, _ = session(kb, *exact)
    fired = next(line for line in expected.splitlines() if line.startswith("Fired rules:"))
    assert fired in out
    assert "not an answer" not in out


def test_choices_are_shown_numbered(kb: KnowledgeBase) -> None:
    """The questions with choices number them; yes/no and counts do not."""
    _, out, _ = session(kb, "gastrinoma", "1", "head", "none")
    assert (
        "answers: 1 gastrinoma, 2 insulinoma, 3 glucagonoma, 4 vipoma, 5 somatostatinoma or 6 other"
        in flat(out)
    )
    assert "answers: 1 head (the head of the pancreas), 2 body (the body of the pancreas)" in flat(out)
    assert "answers: yes or no; unknown or ? when not known" in out


def test_an_ambiguous_start_lists_what_it_could_be(kb: KnowledgeBase) -> None:
    """'g' could be gastrinoma or glucagonoma: both named, the question asked again."""
    _, out, script = session(kb, "g", "9")
    assert "tumor_type: 'g' could be 2 answers: gastrinoma, glucagonoma; type more of it" not in out
    assert "'g' could be 2 answers: gastrinoma, glucagonoma; type more of it, or the id" in flat(out)
    assert "'9' is not a number from 1 to 6" in flat(out)
    assert script.prompts == ["tumor_type> "] * 3


def test_none_with_other_places_is_explained_not_suggested_back(kb: KnowledgeBase) -> None:
    """No "did you mean 'none'?" for 'none': the message says what is wrong instead."""
    _, out, _ = session(kb, "other", "none, liver")
    assert "'none' cannot go with other answers" in flat(out)
    assert "did you mean 'none'" not in out


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("how Chemoembolization", "HOW: chemoembolization — Chemoembolization"),
        ("HOW chemoemb", "HOW: chemoembolization — Chemoembolization"),
        ("how 11", "HOW: chemoembolization — Chemoembolization"),
        ("how surgery to remove part or all of the liver", "HOW: liver_resection — Surgery to remove part"),
        ("whynot regional chemotherapy", "WHY NOT: regional_chemotherapy — Regional chemotherapy"),
        ("Whynot Regional_Chemotherapy", "WHY NOT: regional_chemotherapy — Regional chemotherapy"),
        ("opt", "Treatment options for a case of gastrinoma"),
        ("Facts", "The facts of this case:"),
    ],
)
def test_commands_and_treatments_as_typed(kb: KnowledgeBase, line: str, shown: str) -> None:
    """Commands in any case or by their start; treatments by id, words, start or number."""
    _, out, _ = session(kb, *AS_TYPED, line)
    assert shown in flat(out)


def test_an_ambiguous_treatment_or_command_is_named(kb: KnowledgeBase) -> None:
    """'how chemo' could be two treatments; 'wh' could be why or whynot."""
    _, out, _ = session(kb, "other", "how chemo", "wh")
    assert "treatment: 'chemo' could be 2 treatments: chemoembolization, chemotherapy" in flat(out)
    assert "'wh' could be 2 commands: why, whynot" in flat(out)


def test_change_takes_a_fact_by_its_words(kb: KnowledgeBase) -> None:
    """change Spread, change 'where the cancer has spread': the same question."""
    _, out, _ = session(kb, *AS_TYPED, "change Spread", "back", "change where the cancer")
    assert flat(out).count("Change spread (now: [lymph_nodes, liver]).") == 2


def test_why_marks_each_condition_and_gives_the_readings(kb: KnowledgeBase) -> None:
    """why: each waiting rule's conditions as met / not met / unknown, its words and its readings."""
    _, out, _ = session(kb, "insulinoma", "1", "head", "why")
    lines = out.splitlines()
    assert "  INS-01 (Insulinoma section, usually):" in lines
    assert "      met      tumor_type is insulinoma (type of tumor) — here tumor_type = insulinoma" in lines
    assert any(
        line.startswith("      unknown  single_pancreatic_tumor with site head or tail") for line in lines
    )
    assert "Readings it relies on: RD-01 (in full below)" in flat(out)
    assert "Reading RD-01: one small tumor in the head or tail, and nothing of the body" in flat(out)
    assert "Read as: The bullet names the head and the tail only." in flat(out)


def test_why_marks_a_condition_that_is_not_met(kb: KnowledgeBase) -> None:
    """A rule still waiting though one condition of an 'any' failed shows 'not met' where it fails."""
    _, out, _ = session(kb, "gastrinoma", "no", "why")
    assert "not met" in out or "unknown" in out
    assert "WHY: " in out


def test_the_session_fits_70_columns(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line of a whole session, help, why, HOW and WHY NOT: at most 70 characters."""
    monkeypatch.setenv("COLUMNS", "70")
    _, out, _ = session(
        kb,
        "gastrinoma",
        "help",
        "why",
        *AS_TYPED[1:5],
        "why",
        "why",
        *AS_TYPED[5:],
        "how chemoemb",
        "whynot 15",
        "how",
    )
    assert max(len(line) for line in out.splitlines()) <= 70


def test_each_prompt_keeps_its_own_history() -> None:
    """The up arrow at a question walks that question's answers only; every tumor's site shares one."""
    assert history_key("tumors[0].site> ") == history_key("tumors[3].site> ") == "tumors[].site>"
    assert history_key("spread> ") != history_key("consult> ")
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
        reader = TerminalReader(lambda before: [])
        for prompt, typed in [
            ("spread> ", "liver"),
            ("tumors[0].site> ", "head"),
            ("tumors[1].site> ", "tail"),
        ]:
            keys.send_text(typed + "\r")
            assert reader.read(prompt) == typed
        kept = {key: list(s.history.get_strings()) for key, s in reader.sessions.items()}
    assert kept == {"spread>": ["liver"], "tumors[].site>": ["head", "tail"]}


def test_a_saved_file_says_what_it_is_and_carries_the_disclaimer(kb: KnowledgeBase, tmp_path: Path) -> None:
    """YAML and TOML sessions start with comment lines (the disclaimer among them) and load back the same."""
    for name in ("s.yaml", "s.toml"):
        path = tmp_path / name
        session(kb, "other", "none", f"save {path}")
        text = path.read_text()
        assert text.startswith("# A case saved by pnet-expert consult")
        comments = " ".join(line[2:] for line in text.splitlines() if line.startswith("# "))
        assert kb.disclaimer in comments
        assert read_case(path) == {"tumor_type": "other", "spread": []}
