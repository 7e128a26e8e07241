"""Quizzes: distinct cases from witnesses, covering the rules; answers exactly recommend's options."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pnet_expert import InputError, KnowledgeBase, recommend
from pnet_expert.core import codes
from pnet_expert.tutor.cases import rule_cases
from pnet_expert.tutor.quiz import MOODLE_GRADES, Quiz, _choices, build_quiz, moodle_fractions


def _check(quiz: Quiz) -> None:
    """What every quiz holds: distinct cases, right answers = recommend's options, distractors not offered."""
    keys = [q.teaching.key for q in quiz.questions]
    assert len(keys) == len(set(keys))
    for q in quiz.questions:
        consultation = recommend(q.case, quiz.kb)
        offered = [o.id for o in consultation.treatments]
        assert sorted(q.correct) == sorted(offered)
        assert len(q.correct) == len(offered)
        assert not set(q.distractors) & set(offered)
        assert len(set(q.distractors)) == len(q.distractors)
        assert set(q.teaching.targets) <= set(consultation.fired_rules)
        right = [c.fraction for c in q.choices if c.correct]
        wrong = [c.fraction for c in q.choices if not c.correct]
        assert sum(right) == pytest.approx(100, abs=1e-3)
        assert all(f < 0 for f in wrong)
        for fraction in right + wrong:
            assert any(abs(abs(fraction) - g) < 1e-3 for g in MOODLE_GRADES)
    covers = [r for q in quiz.questions for r in q.covers]
    assert len(covers) == len(set(covers))
    assert set(covers) == set(quiz.covered)
    assert set(quiz.covered) | set(quiz.not_covered) == set(quiz.rules)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(0, 10_000))
def test_a_quiz_never_repeats_a_case_and_its_answers_are_recommends(count: int, seed: int) -> None:
    """Any count and seed: distinct cases; right answers are recommend's options; distractors are not."""
    _check(build_quiz(count=count, seed=seed))


@pytest.mark.parametrize("seed", [0, 7, 2012])
def test_twelve_questions_cover_nearly_every_rule(seed: int) -> None:
    """12 questions cover at least 38 of 41 rules (15 kinds of case exclude one another: 38 is the most)."""
    quiz = build_quiz(count=12, seed=seed)
    _check(quiz)
    assert len(quiz.rules) == 41
    assert len(quiz.covered) >= 38


def test_enough_questions_cover_every_rule() -> None:
    """With more questions than kinds of case, every rule is covered, and the rest stay distinct."""
    quiz = build_quiz(count=30, seed=3)
    _check(quiz)
    assert quiz.not_covered == ()


@pytest.mark.parametrize(("section", "count"), [("insulinoma", 4), ("gastrinoma", 4), ("recurrent", 1)])
def test_a_section_quiz_covers_its_section(section: str, count: int) -> None:
    """A section's quiz: its rules only; a few questions cover them all (insulinoma needs four)."""
    quiz = build_quiz(count=count, seed=5, section=section)
    _check(quiz)
    assert all(quiz.kb.rules[r].section == section for r in quiz.rules)
    assert quiz.not_covered == ()


def test_the_same_seed_makes_the_same_quiz() -> None:
    """Seeded: one seed, one quiz (a teacher can give the class the same one again)."""
    first = json.dumps(build_quiz(count=6, seed=42).to_dict())
    assert json.dumps(build_quiz(count=6, seed=42).to_dict()) == first


def test_distractors_come_from_the_cases_own_sections_first(kb: KnowledgeBase) -> None:
    """An insulinoma's distractors are treatments its own sections offer for other cases."""
    quiz = build_quiz(kb, count=4, seed=1, section="insulinoma")
    for q in quiz.questions:
        own = {
            o.treatment
            for r in kb.rules.values()
            if r.section in ("insulinoma", "recurrent")
            for o in r.offers
        }
        assert set(q.distractors) <= own
        assert len(q.distractors) == 4


def test_feedback_names_the_rule_and_quotes_the_passage(kb: KnowledgeBase) -> None:
    """Right answers' feedback names and quotes each rule that offers them; a distractor's, a rule too."""
    quiz = build_quiz(kb, count=5, seed=11)
    for q in quiz.questions:
        for choice in q.choices:
            assert choice.rules
            for rule_id in choice.rules if choice.correct else choice.rules[:1]:
                assert rule_id in choice.feedback
                assert f'"{kb.rules[rule_id].quote}"' in choice.feedback
            assert choice.feedback.startswith("Right" if choice.correct else "Not offered")


def test_the_json_holds_questions_with_case_and_answers() -> None:
    """to_dict(): {"questions": [{"case", "answers", ...}]}, coverage, the knowledge base, the disclaimer."""
    data = json.loads(json.dumps(build_quiz(count=3, seed=9).to_dict()))
    assert data["count"] == 3
    assert data["seed"] == 9
    for q in data["questions"]:
        assert set(q) >= {"case", "answers", "correct", "distractors", "covers", "case_words"}
        offered = [o.id for o in recommend(q["case"]).treatments]
        assert sorted(a["treatment"] for a in q["answers"] if a["correct"]) == sorted(offered)
        assert "tumor_type" in q["case"]
    assert data["coverage"]["rules"] == 41
    assert "not medical advice" in data["disclaimer"]


@pytest.mark.parametrize(
    ("kwargs", "path", "message"),
    [
        ({"count": 0}, "count", "0 questions; a quiz has 1 to 100"),
        ({"count": 101}, "count", "101 questions; a quiz has 1 to 100"),
        ({"distractors": 11}, "distractors", "11 distractors; a question has 0 to 10"),
    ],
)
def test_bounds_are_named(kwargs: dict[str, int], path: str, message: str) -> None:
    """Out of bounds: INPUT-E002 naming the limit."""
    with pytest.raises(InputError) as caught:
        build_quiz(**kwargs)  # type: ignore[arg-type]
    (d,) = caught.value.diagnostics
    assert (d.code, d.path, d.message) == (codes.INPUT_BAD_OPTION, path, message)


def test_more_questions_than_distinct_cases_is_refused() -> None:
    """A section with few kinds of case cannot fill a long quiz: the error says how many it can."""
    available = len(rule_cases(build_quiz(count=1).kb, "somatostatinoma"))
    with pytest.raises(InputError) as caught:
        build_quiz(count=available + 5, seed=1, section="somatostatinoma")
    assert caught.value.code == codes.INPUT_BAD_OPTION
    assert "distinct teaching cases; ask for at most" in str(caught.value)


def test_an_unknown_section_is_named_with_did_you_mean() -> None:
    """INPUT-E001 with the closest section."""
    with pytest.raises(InputError) as caught:
        build_quiz(section="insulinomas")
    (d,) = caught.value.diagnostics
    assert (d.code, d.suggestion) == (codes.INPUT_UNKNOWN_NAME, "insulinoma")


@pytest.mark.parametrize("n", range(1, 21))
def test_moodle_fractions_are_moodles_grades_summing_to_100(kb: KnowledgeBase, n: int) -> None:
    """Up to 10 right answers: equal shares; 11 to 20: tens and fives; Moodle's grades, summing to 100."""
    fractions = moodle_fractions(n, ["may include"] * n, kb)
    assert sum(fractions) == pytest.approx(100, abs=1e-3)
    assert all(any(abs(f - g) < 1e-6 for g in MOODLE_GRADES) for f in fractions)
    if n <= 10:
        assert len(set(fractions)) == 1


def test_more_than_twenty_right_answers_cannot_be_graded_in_moodle(kb: KnowledgeBase) -> None:
    """Moodle's grades cannot split 100 over 21 answers: an error, not a wrong file."""
    with pytest.raises(InputError):
        moodle_fractions(21, ["may include"] * 21, kb)


def test_every_rule_has_a_teaching_case(kb: KnowledgeBase) -> None:
    """Every rule can be taught: some teaching case targets it, and the engine fires it there."""
    cases = rule_cases(kb)
    for rule_id in kb.rules:
        chosen = [c for c in cases if rule_id in c.targets]
        assert chosen, rule_id
        assert all(rule_id in recommend(c.case, kb).fired_rules for c in chosen)


def test_a_quiz_answer_carries_its_caution(kb: KnowledgeBase) -> None:
    """Feedback on a cautioned right answer quotes the caution; an answer with none carries none."""
    case = {
        "tumor_type": "gastrinoma",
        "tumors": [{"site": "head"}],
        "spread": ["lymph_nodes"],
        "resectable": False,
    }
    choices = {c.treatment: c for c in _choices(recommend(case, kb), 6, random.Random(1))}
    assert "Caution (CAU-01, on GAS-03)" in choices["tumor_resection"].feedback
    assert "Caution" not in choices["total_gastrectomy"].feedback
