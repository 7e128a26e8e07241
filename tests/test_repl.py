"""The REPL driven by scripted input: every command, every error path, leaving cleanly."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import EXAMPLES, ROOT
from helpers.repl import Script, flat
from helpers.repl import session as run

from pnet_expert import KnowledgeBase
from pnet_expert.consult.interview import Interview
from pnet_expert.consult.repl import COMMANDS, PlainReader, Repl
from pnet_expert.explain.consultation import Consultation

GASTRINOMA_LIVER = [
    "gastrinoma",
    "1",
    "duodenum",
    "lymph_nodes liver",
    "yes",
    "yes",
    "?",
    "no",
    "no",
    "no",
]
"""Answers to a whole consultation: a gastrinoma in the duodenum, spread to the liver (not beyond it, so
refractory is asked: GAS-10 waits on it, RD-03). A tumor listed, whether one was found is not asked."""


def lines(output: str) -> list[str]:
    return output.splitlines()


# ---------------------------------------------------------------- a whole session


def test_a_whole_session_asks_then_shows_the_options_and_the_disclaimer(kb: KnowledgeBase) -> None:
    """After the last answer: the options grouped by strength, a reason each, the disclaimer."""
    code, out, script = run(kb, *GASTRINOMA_LIVER)
    assert code == 0
    assert script.prompts[: len(GASTRINOMA_LIVER)] == [
        "tumor_type> ",
        "tumors> ",
        "tumors[0].site> ",
        "spread> ",
        "liver_dominant> ",
        "severe_symptoms> ",
        "acid_symptoms> ",
        "refractory> ",
        "recurrent> ",
        "progressing> ",
    ]
    assert script.prompts[-1] == "consult> "
    result = out[out.index("Nothing more can change the options. Here they are.") :]
    assert 'Usually (the source says "treatment is usually"):' in result
    assert "[pancreatoduodenectomy] — GAS-07: a tumor in the duodenum" in result
    assert "Fired rules: GAS-01, GAS-07, GAS-09, GAS-11" in result
    assert kb.disclaimer.split()[:6] == result.split("GAS-11\n\n")[1].split()[:6]


def test_every_question_shows_its_text_and_allowed_answers(kb: KnowledgeBase) -> None:
    """The question's words and answers come from facts.yaml."""
    _, out, _ = run(kb, "gastrinoma", "?")
    assert "What type of pancreatic neuroendocrine tumor is it?  [tumor_type]" in out
    assert "Was a tumor found?  [tumor_found]\n  answers: yes or no; unknown or ? when not known\n" in out


def test_the_banner_says_options_never_advice_and_the_disclaimer_comes_once(kb: KnowledgeBase) -> None:
    """The banner says it in one line; the full disclaimer comes once, with the first options shown."""
    _, out, _ = run(kb)
    assert out.startswith("pnet-expert consult: the treatment options one patient summary offers")
    assert "For teaching: options, never medical advice" in flat(out)
    assert kb.disclaimer not in flat(out)
    _, out, _ = run(kb, *GASTRINOMA_LIVER, "how chemoembolization", "whynot regional chemotherapy", "options")
    assert flat(out).count(kb.disclaimer) == 1
    assert flat(out).index(kb.disclaimer) > flat(out).index("Nothing more can change the options.")


# ---------------------------------------------------------------- bad input


def test_a_wrong_answer_names_what_is_allowed_and_asks_again(kb: KnowledgeBase) -> None:
    """'maybe' to a yes/no question: a short message, then the same question."""
    _, out, script = run(kb, "gastrinoma", "?", "maybe")
    assert "'maybe' is not an answer here; answer yes or no; unknown or ? when not known" in lines(out)
    assert out.count("Was a tumor found?  [tumor_found]") == 2
    assert script.prompts == ["tumor_type> ", "tumors> ", "tumor_found> ", "tumor_found> "]


def test_a_misspelt_answer_gets_a_did_you_mean(kb: KnowledgeBase) -> None:
    """A near miss of an allowed answer is named."""
    _, out, _ = run(kb, "gastrinomma")
    assert (
        "'gastrinomma' is not an answer here (did you mean 'gastrinoma'?); answer gastrinoma, insulinoma, "
        "glucagonoma, vipoma, somatostatinoma or other (another type of pancreatic neuroendocrine tumor)"
        in flat(out)
    )


def test_a_bad_set_answer_names_the_bad_word(kb: KnowledgeBase) -> None:
    """Each word of a set answer is checked, and none may repeat."""
    _, out, _ = run(kb, "other", "liver lungs", "liver liver")
    assert (
        "'lungs' is not an answer here; answer one or more of lymph_nodes (the lymph nodes), liver (the "
        "liver), distant (other distant parts of the body) (separated by spaces or commas), or none; "
        "unknown or ? when not known"
    ) in flat(out)
    assert "'liver' is given twice; answer one or more of" in flat(out)


def test_a_bad_count_names_the_range(kb: KnowledgeBase) -> None:
    """How many tumors: a number from 0 to 20."""
    _, out, _ = run(kb, "insulinoma", "two", "99")
    assert "'two' is not an answer here; answer a number from 0 to 20; unknown or ? when not known" in out
    assert "'99' is not an answer here; answer a number from 0 to 20; unknown or ? when not known" in out


def test_a_mistyped_command_at_a_question_gets_a_did_you_mean(kb: KnowledgeBase) -> None:
    """'wyh' is closer to a command than to an answer."""
    _, out, _ = run(kb, "gastrinoma", "wyh")
    assert (
        "'wyh' is neither an answer nor a command (did you mean 'why'?); type help for the commands."
        in flat(out)
    )


def test_an_unknown_command_after_the_interview_gets_a_did_you_mean(kb: KnowledgeBase) -> None:
    """Once the options are shown, every line is a command."""
    _, out, _ = run(kb, *GASTRINOMA_LIVER, "optoins")
    assert "'optoins' is not a command (did you mean 'options'?); type help for the commands." in lines(out)


def test_a_contradicting_answer_is_refused_with_the_constraint(kb: KnowledgeBase) -> None:
    """spread none while liver_dominant is true: refused, and the question comes again."""
    _, out, _ = run(kb, "insulinoma", "0", "liver", "yes", "yes", "change spread", "none")
    assert (
        "That answer cannot be taken: liver_dominant: true contradicts the other facts: liver_dominant is "
        'true ("the cancer mostly affects the liver"), so spread must include liver' in flat(out)
    )
    assert out.count("Change spread (now: [liver]).") == 2


def test_a_command_without_its_argument_says_what_it_needs(kb: KnowledgeBase) -> None:
    """how and change list their choices, numbered; save asks for a file name."""
    _, out, _ = run(kb, "other", "how", "change", "save")
    assert (
        "how needs a treatment: how TREATMENT, by its id, its words, the start of either, or its number:"
        in flat(out)
    )
    assert "   1  supportive_care (Supportive care)" in lines(out)
    assert "  22  clinical_trial (A clinical trial of a new therapy)" in lines(out)
    assert "change needs a fact: change FACT, by its id, its words" in flat(out)
    assert "   4  spread (where the cancer has spread)" in lines(out)
    assert "save needs a file name: save FILE (for example session.yaml)" in out


def test_comments_and_empty_lines_are_skipped(kb: KnowledgeBase) -> None:
    """A script may hold comments and blank lines."""
    _, out, script = run(kb, "# the type", "", "other")
    assert script.prompts[:3] == ["tumor_type> ", "tumor_type> ", "tumor_type> "]
    assert "not an answer" not in out


# ---------------------------------------------------------------- commands


def test_help_lists_every_command_and_explains_the_question(kb: KnowledgeBase) -> None:
    """help: the current question's help text, then each command with what it does."""
    _, out, _ = run(kb, "gastrinoma", "help")
    assert "About this question (tumors): The tumors that were found, each with where it is" in out
    for name, (argument, meaning) in COMMANDS.items():
        assert f"{(name + ' ' + argument).strip()} {meaning}" in flat(out)
    assert "Tab completes commands, fact names, answers and treatment ids." in flat(out)


def test_why_names_the_waiting_rules_then_what_they_offer_then_the_goal(kb: KnowledgeBase) -> None:
    """why, why, why: the rules with ids and quotes; what they would offer; the top."""
    _, out, _ = run(kb, "gastrinoma", "1", "duodenum", "liver", "why", "why", "why")
    assert (
        "WHY: 1 rule of the source is waiting on liver_dominant; each condition on the case so far"
        in flat(out)
    )
    assert "  GAS-11 (Gastrinoma section, may include):" in lines(out)
    assert '"If the cancer mostly affects the liver and the patient has severe symptoms from' in flat(out)
    assert "WHY (one level up): the answer can decide whether these rules offer:" in out
    assert "chemoembolization (Chemoembolization) (already offered by GAS-09)" in out
    assert "WHY (the top): the consultation asks only what can change the options" in out


def test_why_starts_again_at_a_new_question(kb: KnowledgeBase) -> None:
    """The level of why belongs to one question."""
    _, out, _ = run(kb, "gastrinoma", "?", "why", "yes", "1", "duodenum", "liver", "why")
    assert out.count("WHY: 1 rule of the source is waiting on") == 2
    assert "WHY: 1 rule of the source is waiting on tumor_found;" in out


def test_why_about_the_tumor_type_names_the_sections(kb: KnowledgeBase) -> None:
    """The required fact chooses the section."""
    _, out, _ = run(kb, "why")
    assert "WHY: tumor_type is required: it chooses the section of the source: Gastrinoma (GAS-01 to" in out
    assert "GAS-11)" in out
    assert "The general section (Recurrent or progressive pancreatic neuroendocrine tumors) applies" in out


def test_why_after_the_interview_says_nothing_is_open(kb: KnowledgeBase) -> None:
    """No question: nothing to justify."""
    _, out, _ = run(kb, *GASTRINOMA_LIVER, "why")
    assert "No question is open: nothing more can change the options." in out


def test_how_and_whynot_explain_with_rules_and_quotes(kb: KnowledgeBase) -> None:
    """how uses Consultation.explain, whynot Consultation.why_not, on the case so far."""
    _, out, _ = run(kb, *GASTRINOMA_LIVER, "how chemoembolization", "whynot regional_chemotherapy")
    assert "HOW: chemoembolization — Chemoembolization" in out
    assert "Offered (may include; with or without systemic chemotherapy) by 2 rules: GAS-09, GAS-11" in out
    assert "WHY NOT: regional_chemotherapy — Regional chemotherapy" in out
    rec02 = "REC-02 · Recurrent or progressive pancreatic neuroendocrine tumors section — did not fire"
    assert rec02 in flat(out)


def test_how_in_the_middle_of_the_interview_and_a_misspelt_treatment(kb: KnowledgeBase) -> None:
    """how works at any prompt; a bad id gets a did-you-mean; the question comes back."""
    _, out, _ = run(kb, "gastrinoma", "?", "how supportive_care", "how chemoembolisation")
    assert "HOW: supportive_care — Supportive care" in out
    assert "treatment: 'chemoembolisation' is not a treatment id (did you mean 'chemoembolization'?)" in flat(
        out
    )
    assert out.count("Was a tumor found?  [tumor_found]") == 3


def test_how_before_the_tumor_type_asks_for_it(kb: KnowledgeBase) -> None:
    """There is no case without its type."""
    _, out, _ = run(kb, "how chemotherapy", "options")
    assert out.count("There is no case yet: answer tumor_type first.") == 2


def test_facts_shows_answers_unknowns_and_what_was_not_asked(kb: KnowledgeBase) -> None:
    """Every fact, in the knowledge base's order, with where it stands."""
    _, out, _ = run(kb, *GASTRINOMA_LIVER, "facts")
    start = lines(out).index("The facts of this case:")
    assert lines(out)[start + 1 : start + 13] == [
        "  tumor_type = gastrinoma",
        "  tumor_found: not asked: no answer to it can change the options now",
        "  tumors = [{site: duodenum}]",
        "  spread = [lymph_nodes, liver]",
        "  resectable: not asked: no answer to it can change the options now",
        "  liver_dominant = true",
        "  severe_symptoms = true",
        "  acid_symptoms: unknown (answered unknown)",
        "  residual_after_surgery: not asked: no answer to it can change the options now",
        "  refractory = false",
        "  progressing = false",
        "  recurrent = false",
    ]


def test_facts_during_the_interview_marks_what_is_still_to_ask(kb: KnowledgeBase) -> None:
    """Facts not asked yet, and tumors being entered, are marked so."""
    _, out, _ = run(kb, "insulinoma", "2", "head", "facts")
    assert "  tumors: being entered" in lines(out)
    assert "  spread: not asked yet" in lines(out)


def test_options_as_things_stand_names_what_is_still_open(kb: KnowledgeBase) -> None:
    """options mid-way: the options so far and the facts still to ask."""
    _, out, _ = run(kb, "vipoma", "options")
    assert "As things stand (still to ask: spread, resectable, progressing, recurrent):" in out
    assert "[fluid_electrolyte_replacement] — VIP-01" in out


def test_back_undoes_the_last_answer(kb: KnowledgeBase) -> None:
    """back: the last answer is taken back and its question asked again."""
    _, out, script = run(kb, "back", "vipoma", "back", "other")
    assert "Nothing to undo." in lines(out)
    assert "Took back the answer to tumor_type." in lines(out)
    assert script.prompts[:5] == ["tumor_type> ", "tumor_type> ", "spread> ", "tumor_type> ", "spread> "]


def test_back_after_the_end_reopens_the_interview(kb: KnowledgeBase) -> None:
    """Taking back the last answer asks it again; answering shows the options again."""
    _, out, _ = run(kb, *GASTRINOMA_LIVER, "back", "back", "yes")
    assert "Took back the answer to recurrent." in out
    assert out.count("Nothing more can change the options. Here they are.") == 2
    assert "Fired rules: GAS-01, GAS-07, GAS-09, GAS-11, REC-01, REC-02, REC-03" in out


def test_change_asks_one_fact_again_and_back_cancels_it(kb: KnowledgeBase) -> None:
    """change FACT shows the current answer; back before answering cancels the change."""
    _, out, script = run(kb, *GASTRINOMA_LIVER, "change acid_symptoms", "back", "change acid_symptoms", "yes")
    assert "Change acid_symptoms (now: unknown)." in out
    assert "The change of acid_symptoms is cancelled; its answer is kept." in out
    assert "[acid_reducing_drug] — GAS-02: acid_symptoms = true" in flat(out)
    assert "acid_symptoms> " in script.prompts


def test_why_during_a_change_says_so(kb: KnowledgeBase) -> None:
    """A question asked again by change is there because the user asked."""
    _, out, _ = run(kb, *GASTRINOMA_LIVER, "change spread", "why")
    assert "WHY: you asked to change spread; back cancels the change." in out


def test_change_of_an_unknown_fact_suggests_one(kb: KnowledgeBase) -> None:
    """change sprad: did you mean spread."""
    _, out, _ = run(kb, "other", "change sprad")
    assert "change: 'sprad' is not a fact (did you mean 'spread'?); the facts are: tumor_type," in out


def test_save_writes_a_case_file_and_says_how_to_resume(kb: KnowledgeBase, tmp_path: Path) -> None:
    """save FILE: the answers as a case file (unknown ones null); quitting then names it."""
    path = tmp_path / "session.yaml"
    _, out, _ = run(kb, *GASTRINOMA_LIVER, f"save {path}", "quit")
    assert f"Saved to {path}. Resume with: pnet-expert consult --load {path}" in flat(out)
    assert f"Resume this session with: pnet-expert consult --load {path}" in flat(out)
    assert yaml.safe_load(path.read_text())["acid_symptoms"] is None


def test_save_errors_are_messages(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A bad suffix or a missing folder: a message, and the session goes on."""
    _, out, _ = run(kb, "save x.yaml", "other", "save case.txt", f"save {tmp_path}/no/such/case.yaml")
    assert "save: nothing to save yet: a case needs tumor_type; answer it first" in out
    assert "case.txt: unknown kind of case file '.txt'; use .json, .yaml, .yml, .toml" in out
    assert f"{tmp_path}/no/such/case.yaml: cannot be written or read: its folder does not exist" in flat(out)


def test_load_over_unsaved_answers_asks_first(kb: KnowledgeBase, tmp_path: Path) -> None:
    """load FILE over unsaved answers: asked first; no keeps them, yes loads and asks only what is open."""
    path = tmp_path / "case.yaml"
    path.write_text("tumor_type: vipoma\nspread: [liver]\nresectable: null\n")
    _, out, script = run(kb, "other", f"load {path}", "no", f"load {path}", "yes")
    asked = f"This session has 1 unsaved answer; load {path} over them? (yes/no) "
    assert script.prompts.count(asked) == 2
    assert "Not loaded: the answers of this session are kept" in flat(out)
    assert "Replaced: the 1 unsaved answer of the previous session." in out
    assert f"Loaded {path}; only what is still open will be asked." in flat(out)
    assert script.prompts[-1] == "recurrent> "


def test_load_with_nothing_unsaved_asks_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A fresh session (or one saved as it stands) loads without a question."""
    path = tmp_path / "case.yaml"
    path.write_text("tumor_type: vipoma\n")
    _, _, script = run(kb, f"load {path}")
    assert not any("over them?" in p for p in script.prompts)


def test_load_of_a_bad_file_is_a_message(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A missing or invalid file: the reader's or validator's message."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("tumor_type: gastrinoma\nsevre_symptoms: true\n")
    _, out, _ = run(kb, f"load {tmp_path}/missing.yaml", f"load {bad}")
    assert f"{tmp_path}/missing.yaml: no such file" in flat(out)
    assert "sevre_symptoms: unknown key 'sevre_symptoms' (did you mean 'severe_symptoms'?)" in out


def test_report_writes_markdown(kb: KnowledgeBase, tmp_path: Path) -> None:
    """report FILE.md: the Markdown report of the consultation."""
    path = tmp_path / "report.md"
    _, out, _ = run(kb, *GASTRINOMA_LIVER, f"report {path}")
    assert f"Wrote the report to {path}." in flat(out)
    text = path.read_text()
    assert text.startswith("# Treatment options")
    assert "GAS-11" in text


def test_report_mid_way_says_it_is_as_things_stand(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A report before the end names how much is still open."""
    path = tmp_path / "report.md"
    _, out, _ = run(kb, "vipoma", f"report {path}")
    assert f"Wrote the report to {path} (as things stand: 4 facts still to ask)." in flat(out)


def test_report_by_suffix(kb: KnowledgeBase, tmp_path: Path) -> None:
    """.txt is refused; .html is written when the HTML report exists, else a clear message."""
    html = tmp_path / "report.html"
    _, out, _ = run(kb, "other", f"report {tmp_path}/report.txt", f"report {html}")
    assert (
        f"{tmp_path}/report.txt: a report is written as Markdown (.md) or HTML (.html); name the file so."
        in flat(out)
    )
    if hasattr(Consultation, "to_html"):
        assert html.is_file()
    else:
        assert "HTML reports are not available in this version; write a .md report instead." in out
        assert not html.exists()


# ---------------------------------------------------------------- leaving


def test_quit_with_unsaved_answers_offers_to_save(kb: KnowledgeBase, tmp_path: Path) -> None:
    """quit: a file name saves, and the way to resume is given."""
    path = tmp_path / "kept.yaml"
    code, out, _ = run(kb, "other", "quit", str(path))
    assert code == 0
    assert "This session has 1 unsaved answer." in out
    assert f"Saved to {path}. Resume with: pnet-expert consult --load {path}" in flat(out)
    assert yaml.safe_load(path.read_text()) == {"tumor_type": "other"}


def test_quit_and_enter_leaves_without_saving_with_a_word(kb: KnowledgeBase) -> None:
    """Enter at the save prompt: left, and said so."""
    code, out, script = run(kb, "other", "quit", "")
    assert code == 0
    assert script.prompts[-1].startswith("Save them first? A file name (such as session.yaml)")
    assert out.endswith("Left without saving: the answers of this session are not kept.\n")


def test_a_failed_save_at_quit_asks_again(kb: KnowledgeBase) -> None:
    """A bad file name at the save prompt: the message, and the prompt again."""
    _, out, script = run(kb, "other", "quit", "case.txt", "")
    assert "case.txt: unknown kind of case file '.txt'; use .json, .yaml, .yml, .toml" in out
    assert sum(p.startswith("Save them first?") for p in script.prompts) == 2


def test_quit_without_answers_just_leaves(kb: KnowledgeBase) -> None:
    """Nothing to lose, nothing asked."""
    code, out, script = run(kb, "quit")
    assert code == 0
    assert script.prompts == ["tumor_type> "]
    assert "Save" not in out


def test_end_of_a_script_says_the_answers_were_not_saved(kb: KnowledgeBase) -> None:
    """EOF from a pipe: no prompt is possible, so the message says what was lost and how to keep it."""
    code, out, _ = run(kb, "other", "none")
    assert code == 0
    assert (
        "End of input. Not saved: the 2 answers of this session (a script that ends with save FILE keeps "
        "them; pnet-expert consult --load FILE resumes a saved session)." in flat(out)
    )


def test_end_of_input_at_a_terminal_offers_to_save(kb: KnowledgeBase) -> None:
    """Ctrl-D at a terminal: like quit."""
    code, out, _ = run(kb, "other", EOFError, "", interactive=True)
    assert code == 0
    assert "This session has 1 unsaved answer." in out
    assert "Left without saving: the answers of this session are not kept." in out


def test_ctrl_c_asks_whether_to_quit_and_no_goes_on(kb: KnowledgeBase) -> None:
    """Ctrl-C at a question: 'Quit the consultation?'; no: the question again."""
    code, out, script = run(kb, "other", KeyboardInterrupt, "no", "none", interactive=True)
    assert "Quit the consultation? (yes/no) " in script.prompts
    assert "Going on." in out
    assert out.count("Where has the cancer spread?  [spread]") == 2
    assert script.prompts[-3:-1] == ["spread> ", "progressing> "]
    assert code == 0


def test_ctrl_c_then_yes_offers_to_save(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Ctrl-C, yes: a session with answers is offered a save."""
    path = tmp_path / "s.json"
    code, out, _ = run(kb, "other", KeyboardInterrupt, "yes", str(path), interactive=True)
    assert code == 0
    assert f"Saved to {path}. Resume with: pnet-expert consult --load {path}" in flat(out)


def test_ctrl_c_twice_leaves_and_ctrl_c_at_the_save_prompt_asks_again(kb: KnowledgeBase) -> None:
    """A second Ctrl-C means yes; Ctrl-C at the save prompt asks to leave unsaved, a third says yes."""
    code, out, script = run(
        kb,
        "other",
        KeyboardInterrupt,
        KeyboardInterrupt,
        KeyboardInterrupt,
        KeyboardInterrupt,
        interactive=True,
    )
    assert code == 0
    assert "Leave without saving the 1 answer? (yes/no) " in script.prompts
    assert out.endswith("Left without saving: the answers of this session are not kept.\n")


def test_ctrl_c_at_the_save_prompt_and_no_asks_for_the_file_again(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Ctrl-C at the save prompt does not lose the answers: no, and the save prompt comes back."""
    path = tmp_path / "kept.yaml"
    code, out, script = run(kb, "other", "quit", KeyboardInterrupt, "no", str(path), interactive=True)
    assert code == 0
    assert sum(p.startswith("Save them first?") for p in script.prompts) == 2
    assert f"Saved to {path}." in flat(out)
    assert yaml.safe_load(path.read_text())["tumor_type"] == "other"


def test_ctrl_c_in_a_script_reads_the_answer_from_the_script(kb: KnowledgeBase) -> None:
    """From a pipe, the confirmation is the next line; EOF there leaves with the not-saved message."""
    code, out, _ = run(kb, "other", KeyboardInterrupt)
    assert code == 0
    assert "End of input. Not saved" not in out
    assert "This session has 1 unsaved answer." in out


# ---------------------------------------------------------------- completion and input


def test_completion_candidates_follow_the_prompt(kb: KnowledgeBase) -> None:
    """Answers and commands first; treatments after how/whynot; facts after change; files after save."""
    repl = Repl(Interview(kb), Script([]), io.StringIO())
    first = repl.candidates("")
    assert first is not None
    assert list(first[:6]) == [
        "gastrinoma",
        "insulinoma",
        "glucagonoma",
        "vipoma",
        "somatostatinoma",
        "other",
    ]
    assert "whynot" in first
    assert repl.candidates("how chemo") == list(kb.treatments)
    assert repl.candidates("whynot ") == list(kb.treatments)
    assert repl.candidates("change ") == list(kb.facts)
    assert repl.candidates("save ") is None
    assert repl.candidates("report out") is None
    repl.interview.answer_text(repl.interview.next_question(), "other")  # type: ignore[arg-type]
    assert repl.candidates("liver ") == ["lymph_nodes", "liver", "distant"]


def test_plain_reader_echoes_and_skips_comments() -> None:
    """From a pipe: the prompt and the line are echoed; comment lines are not input."""
    out = io.StringIO()
    reader = PlainReader(io.StringIO("# note\nyes\n"), out)
    assert reader.read("q> ") == "yes"
    with pytest.raises(EOFError):
        reader.read("q> ")
    assert out.getvalue() == "q> yes\nq> \n"


# ---------------------------------------------------------------- the command line


def consult(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pnet_expert", "consult", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_consult_reads_a_script_from_a_pipe_without_escape_codes() -> None:
    """pnet-expert consult < examples/consult_answers.txt: a plain transcript, exit 0."""
    result = consult(stdin=(EXAMPLES / "consult_answers.txt").read_text())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
    assert "Nothing more can change the options. Here they are." in result.stdout
    assert "HOW: chemoembolization — Chemoembolization" in result.stdout
    assert "WHY NOT: regional_chemotherapy — Regional chemotherapy" in result.stdout
    assert result.stdout.endswith("Left without saving: the answers of this session are not kept.\n")


@pytest.mark.slow
def test_consult_load_resumes_and_a_bad_file_exits_2(tmp_path: Path) -> None:
    """--load FILE asks only what is open; a bad file is one message and exit status 2."""
    case = tmp_path / "case.yaml"
    case.write_text("tumor_type: somatostatinoma\nspread: [distant]\n")
    result = consult("--load", str(case), stdin="no\n")
    assert result.returncode == 0, result.stderr
    assert f"Loaded {case}; only what is still open will be asked." in " ".join(result.stdout.split())
    assert "tumor_type> " not in result.stdout
    assert "spread> " not in result.stdout
    assert "recurrent> no" in result.stdout
    bad = consult("--load", str(tmp_path / "none.yaml"))
    assert bad.returncode == 2
    assert bad.stderr == f"pnet-expert: error: [FILE-E001] {tmp_path / 'none.yaml'}: no such file\n"


@pytest.mark.slow
def test_recommend_and_piped_consult_do_not_import_prompt_toolkit() -> None:
    """prompt_toolkit is loaded only for a terminal session, rich only for a table or a coloured terminal."""
    code = (
        "import sys, io, contextlib\n"
        "from pnet_expert.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['recommend', {str(EXAMPLES / 'cases' / 'other-localized.yaml')!r}])\n"
        "    sys.stdin = io.StringIO('other\\n')\n"
        "    main(['consult'])\n"
        "print('prompt_toolkit' in sys.modules, 'rich' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout == "False False\n"
