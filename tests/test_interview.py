"""The interview (no terminal): what it asks, in what order, and what answering, undoing,
changing, saving and loading do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import public_cases, treatments_by_rule
from helpers.strategies import valid_cases
from hypothesis import HealthCheck, given, settings

from pnet_expert import CaseError, InputError, KnowledgeBase, recommend
from pnet_expert.consult.interview import FactStatus, Interview, answer_from_case
from pnet_expert.consult.questions import UNKNOWN, Question, fact_question, question_for
from pnet_expert.core.logic import Evaluator, Truth
from pnet_expert.files.casefile import read_case


def replay(kb: KnowledgeBase, case: dict[str, Any]) -> tuple[Interview, list[Question]]:
    """Answer every question the interview asks from a case's facts (unknown where it has none)."""
    interview = Interview(kb)
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question)
        assert len(asked) < 60, "the interview does not end"
        interview.answer(question, answer_from_case(question, case))
    return interview, asked


def waited_on(kb: KnowledgeBase, interview: Interview) -> set[str]:
    """Every name an undecided rule of the case's sections does not know, evaluated afresh."""
    patient = interview.patient()
    evaluator = Evaluator(kb, patient)
    own = kb.type_section_for(patient.tumor_type)
    names: set[str] = set()
    for rule in kb.rules.values():
        section = kb.sections[rule.section]
        if section.kind != "general" and section is not own:
            continue
        truth, outcomes = evaluator.all(kb.conditions_of(rule))
        if truth is Truth.UNKNOWN:
            names.update(u for o in outcomes if o.truth is Truth.UNKNOWN for u in o.unknown)
    return names


def answer(interview: Interview, *answers: str) -> None:
    """Type answers to the questions as they come."""
    for text in answers:
        question = interview.next_question()
        assert question is not None, f"no question left for {text!r}"
        interview.answer_text(question, text)


def slots(questions: list[Question]) -> list[str]:
    return [q.slot for q in questions]


# ---------------------------------------------------------------- the property


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_replaying_a_case_reaches_what_recommend_gives_and_asks_only_what_a_rule_needs(
    kb: KnowledgeBase, case: dict[str, Any]
) -> None:
    """Answering from a case's facts gives recommend's options and fired rules; no question is idle."""
    interview = Interview(kb)
    while (question := interview.next_question()) is not None:
        if not question.required:
            needs = waited_on(kb, interview)
            name = question.fact if question.kind == "count" or question.needed_in_record else question.slot
            assert name in needs, f"{question.slot} asked, but no undecided rule waits on it"
        interview.answer(question, answer_from_case(question, case))
    expected = recommend(case, kb)
    got = interview.consultation()
    assert treatments_by_rule(got.to_dict()) == treatments_by_rule(expected.to_dict())
    assert got.fired_rules == expected.fired_rules


@pytest.mark.parametrize("public", public_cases(), ids=lambda c: c["id"])
def test_public_cases_replayed_give_their_expected_options(kb: KnowledgeBase, public: dict[str, Any]) -> None:
    """Each public case, answered from its facts, reaches its expected options and rules."""
    interview, asked = replay(kb, public["case"])
    result = interview.consultation().to_dict()
    assert treatments_by_rule(result) == public["expected_treatments"]
    assert result["fired_rules"] == public["expected_rules"]
    assert len(asked) < 12 + 4


# ---------------------------------------------------------------- what is asked


def test_the_tumor_type_comes_first_and_cannot_be_unknown(kb: KnowledgeBase) -> None:
    """The required fact is asked first; 'unknown' is refused with what is allowed."""
    interview = Interview(kb)
    question = interview.next_question()
    assert question is not None
    assert question.slot == "tumor_type"
    assert question.text == "What type of pancreatic neuroendocrine tumor is it?"
    with pytest.raises(InputError) as error:
        question.parse("?")
    assert (error.value.code, error.value.field) == ("INPUT-E005", "tumor_type")
    assert error.value.diagnostics[0].hint == (
        "answer gastrinoma, insulinoma, glucagonoma, vipoma, somatostatinoma or other "
        "(another type of pancreatic neuroendocrine tumor)"
    )


def test_an_insulinoma_is_never_asked_about_stomach_acid(kb: KnowledgeBase) -> None:
    """Only gastrinoma rules wait on acid symptoms, tumor_found, residual tumor or refractoriness."""
    _, asked = replay(kb, {"tumor_type": "insulinoma"})
    assert slots(asked) == ["tumor_type", "tumors", "spread", "resectable", "liver_dominant",
                            "recurrent", "progressing"]  # fmt: skip
    # liver_dominant answered unknown: INS-08 needs it true and can no longer fire, so
    # severe_symptoms (which only it reads) is not asked.


def test_a_gastrinoma_with_nothing_known_is_asked_every_fact_its_rules_use(kb: KnowledgeBase) -> None:
    """Gastrinoma's rules use every fact but resectable; unknown answers spare what only they would open."""
    _, asked = replay(kb, {"tumor_type": "gastrinoma"})
    assert slots(asked) == ["tumor_type", "tumors", "tumor_found", "spread", "liver_dominant",
                            "acid_symptoms", "refractory", "recurrent", "progressing"]  # fmt: skip


def test_a_size_is_asked_for_one_pancreatic_tumor_in_a_section_with_size_rules(kb: KnowledgeBase) -> None:
    """Insulinoma, one tumor in the tail: its size decides INS-01 or INS-03."""
    interview = Interview(kb)
    answer(interview, "insulinoma", "1", "tail")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "tumors[0].size"
    assert question.text == "Is tumor 1 small or large?"
    assert [c.word for c in question.choices] == ["small", "large"]


def test_no_size_is_asked_for_two_pancreatic_tumors(kb: KnowledgeBase) -> None:
    """Several tumors in the pancreas: no rule looks at a size."""
    interview = Interview(kb)
    answer(interview, "insulinoma", "2", "head", "tail")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "spread"


def test_no_size_is_asked_in_a_section_without_size_rules(kb: KnowledgeBase) -> None:
    """Gastrinoma's rules on one tumor look at its site only."""
    interview = Interview(kb)
    answer(interview, "gastrinoma", "1", "head")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "spread"


def test_no_size_is_asked_when_no_rule_on_that_site_looks_at_size(kb: KnowledgeBase) -> None:
    """Glucagonoma, one tumor in the body: GLU-01/GLU-02 name the head and tail only (reading RD-01)."""
    interview = Interview(kb)
    answer(interview, "glucagonoma", "1", "body")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "spread"


def test_sites_are_asked_one_tumor_at_a_time_after_how_many(kb: KnowledgeBase) -> None:
    """How many, then 'Where is tumor 1?', 'Where is tumor 2?'."""
    interview = Interview(kb)
    answer(interview, "glucagonoma", "2")
    texts = []
    for site in ("head", "duodenum"):
        question = interview.next_question()
        assert question is not None
        texts.append(question.text)
        interview.answer_text(question, site)
    assert texts == ["Where is tumor 1?", "Where is tumor 2?"]
    assert interview.current("tumors") == [{"site": "head"}, {"site": "duodenum"}]


def test_no_tumor_found_skips_the_tumors(kb: KnowledgeBase) -> None:
    """With tumor_found false, the only answer that agrees is 'no tumors', which no rule can use."""
    interview = Interview(kb)
    interview.load_case({"tumor_type": "gastrinoma", "tumor_found": False})
    question = interview.next_question()
    assert question is not None
    assert question.slot == "spread"
    assert interview.fact_status("tumors") is FactStatus.NOT_NEEDED


def test_spread_without_the_liver_skips_what_only_liver_rules_use(kb: KnowledgeBase) -> None:
    """liver_dominant cannot be true without liver spread, so GAS-11 is out: neither of its facts is asked."""
    interview = Interview(kb)
    answer(interview, "gastrinoma", "1", "head", "lymph_nodes")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "acid_symptoms"
    assert interview.fact_status("liver_dominant") is FactStatus.NOT_NEEDED
    assert interview.fact_status("severe_symptoms") is FactStatus.NOT_NEEDED


def test_a_fired_rule_stops_questions_that_could_only_fire_it(kb: KnowledgeBase) -> None:
    """Spread beyond the liver fires GAS-10, so 'refractory' (its other way to fire) is not asked; spread
    to the liver only does not (reading RD-03), so it is."""
    case = {"tumor_type": "gastrinoma", "tumor_found": True, "tumors": [{"site": "duodenum"}]}
    _, asked = replay(kb, {**case, "spread": ["liver", "distant"]})
    assert "refractory" not in slots(asked)
    _, asked = replay(kb, {**case, "spread": ["liver"]})
    assert "refractory" in slots(asked)


@pytest.mark.parametrize("tumor_type", ["insulinoma", "glucagonoma", "vipoma"])
def test_resectable_is_asked_where_the_surgery_sub_bullet_waits_on_it(
    kb: KnowledgeBase, tumor_type: str
) -> None:
    """Reading RD-07: spread to the lymph nodes leaves the surgery and ablation sub-bullets waiting on
    resectable, so the interview asks it, and WHY names both rules."""
    case = {"tumor_type": tumor_type, "spread": ["lymph_nodes"]}
    _, asked = replay(kb, case)
    assert "resectable" in slots(asked)
    interview = Interview(kb)
    while (question := interview.next_question()) is not None and question.slot != "resectable":
        interview.answer(question, answer_from_case(question, case))
    assert question is not None
    waiting = {check.rule.id for check in interview.waiting(question)}
    surgery = {"insulinoma": "INS-05", "glucagonoma": "GLU-04", "vipoma": "VIP-04"}[tumor_type]
    ablation = {"insulinoma": "INS-06", "glucagonoma": "GLU-05", "vipoma": "VIP-05"}[tumor_type]
    assert {surgery, ablation} <= waiting


def test_the_interview_is_done_when_nothing_can_change_the_options(kb: KnowledgeBase) -> None:
    """After the last needed answer there is no question, and the options are recommend's."""
    interview = Interview(kb)
    answer(interview, "other", "none", "no", "no")
    assert interview.is_done
    assert [o.id for o in interview.consultation().treatments] == ["tumor_resection"]


def test_unknown_answers_are_kept_as_unknown_not_false(kb: KnowledgeBase) -> None:
    """'?' leaves a fact unknown: it fires nothing, is not asked again, and is saved as null."""
    interview = Interview(kb)
    answer(interview, "other", "?")
    assert interview.answers["spread"] is UNKNOWN
    assert interview.fact_status("spread") is FactStatus.UNKNOWN
    assert interview.case() == {"tumor_type": "other", "spread": None}
    assert not interview.patient().is_known("spread")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "progressing"


def test_an_unknown_site_leaves_the_tumors_unknown(kb: KnowledgeBase) -> None:
    """A record cannot be kept without its site: the tumors become unknown, and the note says so."""
    interview = Interview(kb)
    answer(interview, "insulinoma", "2", "head")
    question = interview.next_question()
    assert question is not None
    note = interview.answer_text(question, "unknown")
    assert note == (
        "Each of the tumors found needs its site, so tumors is left unknown "
        "(change tumors to enter them again)."
    )
    assert interview.answers["tumors"] is UNKNOWN
    assert "tumors[0].site" not in interview.answers


# ---------------------------------------------------------------- back and change


def test_back_undoes_the_last_answer_and_asks_it_again(kb: KnowledgeBase) -> None:
    """back removes the last answer; the same question comes again."""
    interview = Interview(kb)
    answer(interview, "vipoma", "liver")
    assert interview.back() == "spread"
    question = interview.next_question()
    assert question is not None
    assert question.slot == "spread"
    assert interview.back() == "tumor_type"
    assert interview.back() is None


def test_change_asks_one_fact_again_and_keeps_the_rest(kb: KnowledgeBase) -> None:
    """change spread: the spread question comes next; the new answer replaces the old one only."""
    interview = Interview(kb)
    answer(interview, "vipoma", "liver", "no", "no", "no")
    assert interview.is_done
    question = interview.change("spread")
    assert interview.next_question() == question
    interview.answer_text(question, "lymph_nodes")
    assert interview.current("spread") == ["lymph_nodes"]
    assert interview.current("resectable") is False
    assert interview.current("progressing") is False


def test_change_of_the_tumors_enters_them_again(kb: KnowledgeBase) -> None:
    """change tumors: how many, then each site, then the size if it matters."""
    interview = Interview(kb)
    answer(interview, "insulinoma", "2", "head", "tail")
    question = interview.change("tumors")
    assert question.kind == "count"
    interview.answer_text(question, "1")
    answer(interview, "body")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "tumors[0].size"


def test_an_answer_that_contradicts_another_is_refused(kb: KnowledgeBase) -> None:
    """Changing spread to none while liver_dominant is true breaks CON-02: refused, answers kept."""
    interview = Interview(kb)
    answer(interview, "insulinoma", "0", "liver", "yes", "yes", "yes")
    question = interview.change("spread")
    with pytest.raises(CaseError) as error:
        interview.answer_text(question, "none")
    assert (error.value.code, error.value.field) == ("CASE-E012", "liver_dominant")
    assert interview.current("spread") == ["liver"]


def test_change_names_a_fact_or_suggests_one(kb: KnowledgeBase) -> None:
    """An unknown fact name gets a did-you-mean and the list of facts."""
    with pytest.raises(InputError) as error:
        Interview(kb).change("sprad")
    (diagnostic,) = error.value.diagnostics
    assert (diagnostic.code, diagnostic.path, diagnostic.suggestion) == ("INPUT-E001", "change", "spread")
    assert diagnostic.hint.startswith("the facts are: tumor_type, ")


def test_back_after_a_change_restores_the_old_answer(kb: KnowledgeBase) -> None:
    """A change is an answer like any other: back takes it back."""
    interview = Interview(kb)
    answer(interview, "vipoma", "liver")
    interview.answer_text(interview.change("spread"), "distant")
    assert interview.back() == "spread"
    assert interview.current("spread") == ["liver"]


# ---------------------------------------------------------------- files


def test_save_writes_a_case_file_that_recommend_reads(kb: KnowledgeBase, tmp_path: Path) -> None:
    """The saved file holds the answers (unknown ones as null) and gives the session's options."""
    interview = Interview(kb)
    # ... tumors[0].size, spread, resectable, recurrent, progressing
    answer(interview, "insulinoma", "1", "tail", "?", "lymph_nodes", "no", "?", "no")
    path = tmp_path / "session.yaml"
    interview.save(path)
    assert yaml.safe_load(path.read_text()) == {
        "tumor_type": "insulinoma",
        "tumors": [{"site": "tail", "size": None}],
        "spread": ["lymph_nodes"],
        "resectable": False,
        "progressing": False,
        "recurrent": None,
    }
    assert not interview.dirty
    assert (
        recommend(read_case(path), kb).to_dict()["treatments"]
        == interview.consultation().to_dict()["treatments"]
    )
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_load_resumes_and_asks_only_what_is_still_open(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A saved session, loaded, asks neither its answers nor its unknowns again."""
    path = tmp_path / "session.json"
    path.write_text('{"id": "mine", "tumor_type": "insulinoma", "tumors": [{"site": "tail", "size": null}],'
                    ' "spread": null}')  # fmt: skip
    interview = Interview(kb)
    interview.load(path)
    question = interview.next_question()
    assert question is not None
    assert question.slot == "resectable"
    assert interview.meta == {"id": "mine"}
    assert interview.saved_path == str(path)
    assert not interview.dirty


def test_toml_has_no_null_so_unknown_answers_are_left_out(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A TOML session keeps the known answers; those answered unknown will be asked again."""
    interview = Interview(kb)
    answer(interview, "other", "?", "no")
    path = tmp_path / "session.toml"
    interview.save(path)
    assert read_case(path) == {"tumor_type": "other", "progressing": False}


def test_save_needs_the_required_facts(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Nothing can be saved before the tumor type: a case needs it."""
    with pytest.raises(InputError) as error:
        Interview(kb).save(tmp_path / "x.yaml")
    assert (error.value.code, error.value.field) == ("INPUT-E006", "save")
    assert "tumor_type" in error.value.problem


def test_load_rejects_a_bad_case_and_keeps_the_session(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A bad case file is refused with the validator's message; the answers so far stay."""
    path = tmp_path / "bad.yaml"
    path.write_text("tumor_type: gastrinoma\nspread: [lungs]\n")
    interview = Interview(kb)
    answer(interview, "other")
    with pytest.raises(CaseError) as error:
        interview.load(path)
    assert [(d.code, d.path) for d in error.value.diagnostics] == [("CASE-E003", "spread[0]")]
    assert interview.current("tumor_type") == "other"


# ---------------------------------------------------------------- explaining


def test_waiting_names_the_rules_that_wait_on_a_question(kb: KnowledgeBase) -> None:
    """For liver_dominant after liver spread, GAS-11 waits (REC-02 waits on progression, not on it)."""
    interview = Interview(kb)
    answer(interview, "gastrinoma", "1", "duodenum", "liver")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "liver_dominant"
    checks = interview.waiting(question)
    assert [c.rule.id for c in checks] == ["GAS-11"]
    assert [c.text for c in checks[0].unknown] == [
        "liver_dominant_severe (the cancer mostly affects the liver and the symptoms are severe)"
    ]


def test_the_type_of_tumor_chooses_the_type_sections(kb: KnowledgeBase) -> None:
    """sections_chosen_by('tumor_type') lists the six type sections."""
    sections = Interview(kb).sections_chosen_by("tumor_type")
    assert [s.id for s in sections] == [
        "gastrinoma",
        "insulinoma",
        "glucagonoma",
        "vipoma",
        "somatostatinoma",
        "other",
    ]


# ---------------------------------------------------------------- typed answers


@pytest.mark.parametrize(
    ("typed", "value"),
    [("yes", True), ("Y", True), ("true", True), ("no", False), ("n", False), ("FALSE", False),
     ("?", UNKNOWN), ("Unknown", UNKNOWN)],
)  # fmt: skip
def test_yes_no_questions_take_the_usual_words(kb: KnowledgeBase, typed: str, value: object) -> None:
    """yes/y/true, no/n/false, unknown/?; any case."""
    assert fact_question(kb.facts["resectable"]).parse(typed) == value


def test_set_questions_take_spaces_commas_and_none(kb: KnowledgeBase) -> None:
    """Values in any order (kept in the knowledge base's), separated by spaces or commas; none for []."""
    question = fact_question(kb.facts["spread"])
    assert question.parse("liver, lymph_nodes") == ("lymph_nodes", "liver")
    assert question.parse("  distant  ") == ("distant",)
    assert question.parse("none") == ()


def test_zero_tumors_means_none_found_and_no_site_is_asked(kb: KnowledgeBase) -> None:
    """0 tumors is an empty list, not unknown."""
    interview = Interview(kb)
    answer(interview, "insulinoma", "0")
    assert interview.current("tumors") == []
    question = interview.next_question()
    assert question is not None
    assert question.slot == "spread"


# ---------------------------------------------------------------- a session kept as text (a web form)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=valid_cases())
def test_a_transcript_replays_into_the_same_answers(kb: KnowledgeBase, case: dict[str, Any]) -> None:
    """Any session, written as (slot, typed words) and replayed, has the same answers and next question."""
    interview, _ = replay(kb, case)
    again = Interview.replay(kb, interview.transcript())
    assert again.answers == interview.answers
    assert again.next_question() == interview.next_question()
    loaded = Interview(kb)
    loaded.load_case(case)
    assert Interview.replay(kb, loaded.transcript()).answers == loaded.answers


def test_typed_words_parse_back_to_the_answer(kb: KnowledgeBase) -> None:
    """Question.typed is parse's inverse: yes/no, a value, a set in the KB's order, none, a count, unknown."""
    spread = fact_question(kb.facts["spread"])
    assert spread.typed(("liver", "lymph_nodes")) == "lymph_nodes liver"
    assert spread.typed(()) == "none"
    for question, answer in (
        (spread, ("liver",)),
        (spread, ()),
        (fact_question(kb.facts["resectable"]), False),
        (fact_question(kb.facts["tumor_type"]), "vipoma"),
        (question_for(kb.facts, "tumors"), 3),
        (question_for(kb.facts, "tumors[1].size"), UNKNOWN),
    ):
        assert question.parse(question.typed(answer)) == answer


def test_replay_names_the_slot_it_cannot_take(kb: KnowledgeBase) -> None:
    """An unknown slot, a record beyond the count, a bad answer: each refused naming its slot."""
    with pytest.raises(InputError) as unknown:
        Interview.replay(kb, [("tumor_typ", "gastrinoma")])
    assert (unknown.value.code, unknown.value.field) == ("INPUT-E001", "tumor_typ")
    assert unknown.value.diagnostics[0].suggestion == "tumor_type"
    with pytest.raises(InputError) as beyond:
        Interview.replay(kb, [("tumor_type", "gastrinoma"), ("tumors", "1"), ("tumors[1].site", "head")])
    assert (beyond.value.code, beyond.value.field) == ("INPUT-E003", "tumors[1].site")
    assert str(beyond.value) == (
        "tumors[1].site: there is no record 2 of tumors (tumors: 1); answer tumors first"
    )
    with pytest.raises(InputError) as bad:
        Interview.replay(kb, [("tumor_type", "gastrinoma"), ("spread", "lungs")])
    assert (bad.value.code, bad.value.field) == ("INPUT-E003", "spread")
