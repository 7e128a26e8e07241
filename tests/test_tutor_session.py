"""The tutor: sessions on scripted input, the student model, case choice, the progress file and its report."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES

from pnet_expert import InputError, KnowledgeBase, recommend
from pnet_expert.cli import main
from pnet_expert.core import codes
from pnet_expert.tutor import grade
from pnet_expert.tutor.cases import rule_cases
from pnet_expert.tutor.progress import (
    MAX_BYTES,
    knowledge_base_note,
    load_progress,
    progress_dict,
    save_progress,
)
from pnet_expert.tutor.repl import TutorRepl
from pnet_expert.tutor.report import progress_html
from pnet_expert.tutor.session import Tutor
from pnet_expert.tutor.student import RuleRecord, StudentModel

INSULINOMA_SPREAD = {"tumor_type": "insulinoma", "spread": ["lymph_nodes"], "resectable": False}
"""Fires INS-06 (ablation) and INS-07; not INS-05, whose surgery needs the tumor removable (reading RD-07)."""


class Script:
    """A line reader that plays lines, then ends (EOFError)."""

    interactive = False

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.prompts: list[str] = []

    def read(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def session(tutor: Tutor, *lines: str, saved: list[StudentModel] | None = None) -> str:
    """Run a tutor session on scripted lines; what it printed."""
    out = io.StringIO()

    def save(model: StudentModel) -> None:
        if saved is not None:
            saved.append(model)

    assert TutorRepl(tutor, Script(*lines), out, save).run() == 0
    return out.getvalue()


def flat(text: str) -> str:
    return " ".join(text.split())


def offered(case: dict[str, Any]) -> list[str]:
    return [o.id for o in recommend(case).treatments]


# ---------------------------------------------------------------- a session


def test_a_right_answer_is_confirmed_rule_by_rule_and_recorded(kb: KnowledgeBase) -> None:
    """Name exactly the source's options: each confirmed with its rule, score 1.00, recorded, saved."""
    saved: list[StudentModel] = []
    tutor = Tutor(kb, cases=[INSULINOMA_SPREAD])
    answer = ", ".join(offered(INSULINOMA_SPREAD))
    text = flat(session(tutor, answer, "next", "quit", saved=saved))
    assert "Case 1 (your case)" in text
    assert "where the cancer has spread: the lymph nodes" in text
    assert "Not known (not given, never taken as false): a tumor was found" in text
    assert f"Right ({len(offered(INSULINOMA_SPREAD))}):" in text
    assert '✓ ablation (Radiofrequency ablation or cryosurgical ablation) — INS-06 (may include): "' in text
    assert "Every option the source offers, and nothing else." in text
    assert "Score: 1.00" in text
    assert "Recorded: first answer 1.00, in the end 1.00 (0 hints)." in text
    assert "Case 2 (chosen for" in text
    assert len(saved) == 1
    assert saved[0].record_of("INS-06") == RuleRecord(seen=1, right=1)


def test_a_wrong_answer_gets_why_not_and_the_hint_ladder(kb: KnowledgeBase) -> None:
    """Not offered: WHY NOT with the unmet conditions; each missed option: three hints, then no more."""
    case = {"tumor_type": "gastrinoma", "spread": ["liver"]}
    missed = offered(case)
    text = session(
        Tutor(kb, cases=[case]), "acid reducing", "hint", "hint", "hint", *["hint"] * 3 * len(missed)
    )
    flat_text = flat(text)
    assert (
        "✗ acid_reducing_drug (A drug that decreases the amount of acid made by the stomach). WHY NOT:"
        in flat_text
    )
    assert "GAS-02 (gastrinoma): unknown: acid_symptoms is true" in flat_text
    assert f"The source offers {len(missed)} more options for this case." in flat_text
    assert "Hint 1 of 3: Look again at the case: type of tumor: gastrinoma." in flat_text
    assert (
        "Hint 2 of 3: The source's words: the Gastrinoma section says: \"Treatment of gastrinoma" in flat_text
    )
    assert "So it offers supportive_care (Supportive care). HOW:" in flat_text
    assert text.count("Hint 1 of 3") == len(missed)
    assert "No more hints: every option you missed has had all three." in flat_text
    assert "Recorded: first answer 0.00" in flat_text


def test_answers_add_up_until_nothing_is_missed(kb: KnowledgeBase) -> None:
    """A second line adds to the first; what was already named is said so; the score climbs to 1.00."""
    names = offered(INSULINOMA_SPREAD)
    text = flat(
        session(
            Tutor(kb, cases=[INSULINOMA_SPREAD]), names[0], f"{names[0]}, {', '.join(names[1:])}", "score"
        )
    )
    assert f"Already named: {names[0]}." in text
    assert text.count("Score: 1.00") == 2
    assert "Recorded: first answer" in text


def test_explanations_wait_for_a_first_answer(kb: KnowledgeBase) -> None:
    """how, whynot and explain before answering would give it away; after, they explain."""
    text = flat(
        session(Tutor(kb, cases=[INSULINOMA_SPREAD]), "how ablation", "none", "how ablation", "explain")
    )
    assert "Answer first (how would give the answer away), or type reveal." in text
    assert "HOW: ablation — Radiofrequency ablation or cryosurgical ablation" in text
    assert "Fired rules: INS-06, INS-07" in text


def test_reveal_shows_what_was_missed_and_a_gap_is_part_of_the_lesson(kb: KnowledgeBase) -> None:
    """A case with a gap: 'none' misses the general section's options; reveal lists them; the gap is shown."""
    case = {"tumor_type": "insulinoma", "progressing": True}
    text = flat(session(Tutor(kb, cases=[case]), "none", "reveal"))
    assert "Gap: The source's Insulinoma section offers no option for this case" in text
    assert "The options you missed:" in text
    assert "• clinical_trial (A clinical trial of a new therapy) — REC-03 (may include)" in text
    assert "options revealed" in text


def test_none_is_right_when_the_source_offers_nothing(kb: KnowledgeBase) -> None:
    """A case the source is silent on: 'none' scores 1.00 and the gap says why."""
    case = {"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}]}
    text = flat(session(Tutor(kb, cases=[case]), "none"))
    assert "Every option the source offers, and nothing else." in text
    assert "The source offers nothing for this case: the right answer is none." in text


def test_bad_names_are_explained_and_nothing_is_taken(kb: KnowledgeBase) -> None:
    """An ambiguous start and a misspelt name: both said, the line not taken; a command typo is suggested."""
    text = flat(session(Tutor(kb, cases=[INSULINOMA_SPREAD]), "chemo, ablaton", "hnt", "score"))
    assert (
        "'chemo' could be 2 treatments: chemoembolization, chemotherapy; type more of it, or the id" in text
    )
    assert "'ablaton' is not a treatment (did you mean 'ablation'?)" in text
    assert "(Or a command (did you mean 'hint'?)? help lists them.)" in text
    assert "No answer yet on this case." in text


def test_help_list_and_progress(kb: KnowledgeBase) -> None:
    """help lists the commands, list the treatments, progress the mastery by section."""
    text = flat(session(Tutor(kb, cases=[INSULINOMA_SPREAD]), "help", "list", "progress"))
    assert "hint a hint for an option you missed" in text
    assert "pancreatoduodenectomy: Pancreatoduodenectomy" in text
    assert "Insulinoma 0 of 8 seen, mastery 0.50" in text


def test_the_disclaimer_is_shown_once(kb: KnowledgeBase) -> None:
    """Options, never advice: the banner says so."""
    text = flat(session(Tutor(kb, cases=[INSULINOMA_SPREAD])))
    assert text.count("this is not medical advice") == 1


# ---------------------------------------------------------------- the student model and the choice of cases


def test_the_model_counts_rules_right_missed_and_wrong(kb: KnowledgeBase) -> None:
    """Fired rules are seen, right when all they offer was named; a wrong name counts for its rules."""
    model = StudentModel()
    first = grade(INSULINOMA_SPREAD, ["tumor_resection", "ablation", "chemotherapy"], kb)
    model.record(first, first, hints=0, revealed=False)
    assert model.record_of("INS-05") == RuleRecord(wrong=1)  # not fired: its surgery needs resectable true
    assert model.record_of("INS-06") == RuleRecord(seen=1, right=1)
    assert model.record_of("INS-07") == RuleRecord(seen=1, missed=1)
    assert model.record_of("REC-01") == RuleRecord(wrong=2)
    assert model.record_of("INS-07").mastery == pytest.approx(1 / 3)
    assert model.record_of("GAS-01").mastery == 0.5


def test_the_next_case_exercises_the_least_known_rule(kb: KnowledgeBase) -> None:
    """After missing a rule, the tutor comes back to it (not straight away: spaced), by its smallest case."""
    model = StudentModel()
    pool = rule_cases(kb)
    for rule_id in kb.rules:
        if rule_id != "INS-07":
            model.rules[rule_id] = RuleRecord(seen=3, right=3)
    model.rules["INS-07"] = RuleRecord(seen=1, missed=1)
    case, rule_id = model.choose(pool, random.Random(1))
    assert rule_id == "INS-07"
    assert case.case == {"tumor_type": "insulinoma", "resectable": False}


def test_sessions_with_one_seed_choose_the_same_cases(kb: KnowledgeBase) -> None:
    """--seed N: the same cases in the same order."""
    runs = []
    for _ in range(2):
        tutor = Tutor(kb, seed=11)
        runs.append([tutor.next_case().case for _ in range(4)])
    assert runs[0] == runs[1]


def test_a_section_keeps_to_its_rules(kb: KnowledgeBase) -> None:
    """--section insulinoma: every case chosen is an insulinoma."""
    tutor = Tutor(kb, seed=2, section="insulinoma")
    assert {tutor.next_case().case["tumor_type"] for _ in range(6)} == {"insulinoma"}


def test_a_bad_case_file_fails_before_the_session(kb: KnowledgeBase) -> None:
    """A bad case given to the tutor is refused with its diagnostics (CASE-E003)."""
    with pytest.raises(InputError) as caught:
        Tutor(kb, cases=[{"tumor_type": "insulinoma", "spread": ["lungs"]}])
    assert caught.value.code == codes.CASE_NOT_ONE_OF


# ---------------------------------------------------------------- the progress file


def _model(kb: KnowledgeBase) -> StudentModel:
    model = StudentModel()
    first = grade(INSULINOMA_SPREAD, ["ablation"], kb)
    model.record(first, first, hints=2, revealed=True, when="2026-01-01T00:00:00+00:00")
    return model


def test_progress_round_trips(tmp_path: Path, kb: KnowledgeBase) -> None:
    """Saved and loaded: the same records and history; no temporary file is left behind."""
    path = tmp_path / "progress.json"
    model = _model(kb)
    save_progress(path, model, kb)
    again = load_progress(path)
    assert again.rules == model.rules
    assert again.history == model.history
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"]
    assert json.loads(path.read_text())["knowledge_base"]["version"] == kb.version


def test_a_missing_progress_file_is_a_new_student(tmp_path: Path) -> None:
    """A file that does not exist yet: an empty model (it is created on the first save)."""
    assert load_progress(tmp_path / "new.json") == StudentModel()


def _written(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "progress.json"
    path.write_text(json.dumps(data))
    return path


def _good(kb: KnowledgeBase) -> dict[str, Any]:
    return progress_dict(_model(kb), kb)


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda d: d["rules"]["INS-06"].update(seen=-1), "rules.INS-06.seen", "-1 is not a count"),
        (lambda d: d["rules"]["INS-06"].update(seen=True), "rules.INS-06.seen", "True is not a count"),
        (
            lambda d: d["rules"]["INS-06"].update(right=5),
            "rules.INS-06",
            "right (5) + missed (0) must equal seen (1)",
        ),
        (lambda d: d["rules"]["INS-06"].update(sen=1), "rules.INS-06.sen", "unknown key 'sen'"),
        (lambda d: d.update(format="something else"), "format", "expected 'pnet-expert tutor progress'"),
        (lambda d: d.update(version=2), "version", "version 2 is not one this pnet-expert reads"),
        (lambda d: d.update(rule={}), "rule", "unknown key 'rule'"),
        (lambda d: d["history"][0].update(score=1.5), "history[0].score", "1.5 is not a score"),
        (lambda d: d["history"][0].update(case=[1]), "history[0].case", "expected a case"),
        (lambda d: d.update(history="lots"), "history", "expected a list of cases done"),
    ],
)
def test_a_bad_progress_file_is_refused_naming_the_value(
    tmp_path: Path, kb: KnowledgeBase, edit: Any, path: str, message: str
) -> None:
    """Never trusted blindly: each bad value is named (FILE-E011) with the file."""
    data = _good(kb)
    edit(data)
    file = _written(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_progress(file)
    found = {(d.code, d.path): d.message for d in caught.value.diagnostics}
    assert (codes.FILE_BAD_PROGRESS, f"{file}: {path}") in found
    assert found[(codes.FILE_BAD_PROGRESS, f"{file}: {path}")].startswith(message)


def test_a_progress_file_that_is_not_json_or_too_large(tmp_path: Path) -> None:
    """Not JSON: FILE-E006; larger than the limit: FILE-E010 (not read at all); a folder: FILE-E002."""
    file = tmp_path / "p.json"
    file.write_text("{not json")
    with pytest.raises(InputError) as caught:
        load_progress(file)
    assert caught.value.code == codes.FILE_NOT_JSON
    file.write_text(" " * (MAX_BYTES + 1))
    with pytest.raises(InputError) as caught:
        load_progress(file)
    assert caught.value.code == codes.FILE_TOO_LARGE
    with pytest.raises(InputError) as caught:
        load_progress(tmp_path)
    assert caught.value.code == codes.FILE_IS_A_DIRECTORY


def test_rules_the_knowledge_base_lacks_are_kept(tmp_path: Path, kb: KnowledgeBase) -> None:
    """A progress file kept across an edit of the knowledge base: unknown rules are kept, not used."""
    data = _good(kb)
    data["rules"]["XYZ-01"] = {"seen": 1, "right": 1, "missed": 0, "wrong": 0}
    model = load_progress(_written(tmp_path, data))
    assert "XYZ-01" in model.rules
    assert "XYZ-01" in progress_html(model, kb)


def test_the_progress_report_shows_mastery_by_section(kb: KnowledgeBase) -> None:
    """The report: every section with its rules' counts and mastery, the cases done, no script."""
    page = progress_html(_model(kb), kb)
    assert "<script" not in page
    assert "Insulinoma" in page
    assert "<td><code>INS-07</code></td><td>1</td><td>0</td><td>1</td><td>0</td>" in page
    assert "not medical advice" in page


# ---------------------------------------------------------------- the command


def test_cli_tutor_reads_a_pipe_and_saves_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pnet-expert tutor --case FILE --progress FILE < answers: a transcript, then the progress file."""
    case = tmp_path / "case.json"
    case.write_text(json.dumps(INSULINOMA_SPREAD))
    progress = tmp_path / "progress.json"
    answers = ", ".join(offered(INSULINOMA_SPREAD))
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"# a comment\n{answers}\nnext\nquit\n"))
    assert main(["tutor", "--case", str(case), "--seed", "1", "--progress", str(progress)]) == 0
    out = capsys.readouterr().out
    assert f"answer> {answers}" in out
    assert "This session: 1 case, mean score of first answers 1.00." in out
    assert load_progress(progress).record_of("INS-06").right == 1


def test_cli_tutor_report(tmp_path: Path, kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    """tutor --progress FILE --report OUT.html writes the mastery report."""
    progress = tmp_path / "progress.json"
    save_progress(progress, _model(kb), kb)
    out = tmp_path / "mastery.html"
    assert main(["tutor", "--progress", str(progress), "--report", str(out)]) == 0
    assert "mastery" in out.read_text()
    assert f"wrote {out}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "shows"),
    [
        (["--report", "r.html"], "[INPUT-E002] --report: needs --progress FILE"),
        (["--progress", "nope.json", "--report", "r.html"], "[FILE-E001] nope.json: no such progress file"),
        (["--section", "insulinomas"], "(did you mean 'insulinoma'?)"),
        (["--case", "-"], "[INPUT-E002] --case: cannot be - (standard input)"),
    ],
)
def test_cli_tutor_errors_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    shows: str,
) -> None:
    """Bad options: exit 2, the problem named with its code."""
    monkeypatch.chdir(tmp_path)
    assert main(["tutor", *args]) == 2
    assert shows in capsys.readouterr().err


def test_the_scripted_example_session(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """examples/tutor_answers.txt on its teaching case: critique, hints, reveal, explanation, exit 0."""
    monkeypatch.setattr(sys, "stdin", io.StringIO((EXAMPLES / "tutor_answers.txt").read_text()))
    case = EXAMPLES / "teaching" / "other-distant-growing.yaml"
    assert main(["tutor", "--case", str(case)]) == 0
    out = flat(capsys.readouterr().out)
    assert "chemotherapy: the source says 'may include', not 'usually'." in out
    assert "✗ regional_chemotherapy (Regional chemotherapy). WHY NOT: REC-02 (recurrent): NOT met" in out
    assert "Hint 2 of 3:" in out
    assert "The options you missed:" in out
    assert "Fired rules:" in out
    assert "This session: 1 case, mean score of first answers" in out


GASTRINOMA_UNRESECTABLE_NODES = {
    "tumor_type": "gastrinoma",
    "tumors": [{"site": "head"}],
    "spread": ["lymph_nodes"],
    "resectable": False,
}
"""GAS-03 offers surgery without speaking of resectability (a caution); the section is silent on the nodes."""


def test_the_critique_carries_the_cases_cautions_and_silences(kb: KnowledgeBase) -> None:
    """A cautioned option is credited with its caution, and the section's silence is part of the lesson."""
    text = flat(session(Tutor(kb, cases=[GASTRINOMA_UNRESECTABLE_NODES]), "tumor_resection", "reveal"))
    assert "✓ tumor_resection" in text
    assert "Caution (CAU-01, on GAS-03): The case says the tumor cannot be removed by surgery" in text
    assert "Silence: the gastrinoma section says nothing specific about spread = [lymph_nodes]" in text


def test_a_grade_as_json_names_its_cautions_and_silences(kb: KnowledgeBase) -> None:
    """Grade.to_dict: the caution on the credited option and the consultation's cautions and silences."""
    data = grade(GASTRINOMA_UNRESECTABLE_NODES, ["tumor_resection"], kb).to_dict()
    (credit,) = data["correct"]
    assert [c["id"] for c in credit["cautions"]] == ["CAU-01"]
    assert [(c["id"], c["treatment"]) for c in data["cautions"]] == [("CAU-01", "tumor_resection")]
    assert [s["facts"] for s in data["silences"]] == [{"spread": ["lymph_nodes"]}]
    assert all(m["cautions"] == [] for m in data["missed"])


def test_progress_kept_with_another_knowledge_base_is_used_and_said(
    tmp_path: Path, kb: KnowledgeBase, tiny_kb: KnowledgeBase
) -> None:
    """Progress saved with the bundled KB, loaded for an edited one: a note names both fingerprints and
    the rules it lacks; with the same KB, no note."""
    path = tmp_path / "progress.json"
    model = _model(kb)
    save_progress(path, model, kb)
    again = load_progress(path)
    assert again.kept_with == {"name": kb.name, "version": kb.version, "fingerprint": kb.fingerprint}
    assert knowledge_base_note(again, kb) is None
    note = knowledge_base_note(again, tiny_kb)
    assert note is not None
    assert f"fingerprint {kb.fingerprint[:12]}" in note
    assert f"fingerprint {tiny_kb.fingerprint[:12]}" in note
    lacking = sorted(r for r in model.rules if r not in tiny_kb.rules)
    assert lacking
    assert f"the records of {len(lacking)} rule" in note
    assert knowledge_base_note(StudentModel(), tiny_kb) is None


def test_the_tutor_command_says_when_the_progress_is_from_another_knowledge_base(
    tmp_path: Path,
    kb: KnowledgeBase,
    tiny_kb_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """pnet-expert tutor --progress F --kb EDITED: a note on standard error, and the session goes on."""
    path = tmp_path / "progress.json"
    save_progress(path, _model(kb), kb)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["tutor", "--progress", str(path), "--kb", str(tiny_kb_dir)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("pnet-expert tutor: note: this progress was kept with knowledge base pnet_expert")
