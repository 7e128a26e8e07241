"""The fewest questions (issue 17): an answer "unknown" is an answer, the next question is chosen per
case and explained, and the interview asks no more than the proven lower bound on the public cases."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import SEVEN_COUNTS, add_count_findings, public_cases, within
from helpers.strategies import valid_cases
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.consult.interview import Interview, answer_from_case
from pnet_expert.consult.questions import UNKNOWN
from pnet_expert.core.case import validate_case
from pnet_expert.core.errors import CaseError
from pnet_expert.core.logic import FIELD_SLOT, Evaluator, Truth, slot_fact
from pnet_expert.core.space import rule_facts
from pnet_expert.verify.certificate import Certificate, known_values, minimum_certificate, refute_smaller

PUBLIC = {case["id"]: case for case in public_cases()}

BOUNDS = {
    "gastrinoma-head-acid": 8,
    "gastrinoma-liver-severe": 10,
    "gastrinoma-not-found": 8,
    "gastrinoma-several-residual": 11,
    "glucagonoma-several": 8,
    "insulinoma-large-body": 8,
    "insulinoma-small-body-gap": 8,
    "insulinoma-small-tail": 8,
    "insulinoma-unresectable-nodes": 8,
    "other-localized": 4,
    "recurrent-liver": 6,
    "somatostatinoma-distant": 4,
    "unknown-resectability": 6,
    "vipoma-liver": 5,
}
"""Each public case's lower bound (benchmarks/interview_questions.py prints them with their certificates)."""


def asked(kb: KnowledgeBase, case: Mapping[str, Any]) -> list[str]:
    """The slots the interview asks, answered from the case (unknown where it has none)."""
    interview = Interview(kb)
    out = []
    while (question := interview.next_question()) is not None:
        out.append(question.slot)
        assert len(out) < 40, "the interview does not end"
        interview.answer(question, answer_from_case(question, case))
    return out


@functools.cache
def certificate_of(case_id: str) -> Certificate:
    """A public case's minimum certificate (computed once per run)."""
    return minimum_certificate(load_knowledge_base(), PUBLIC[case_id]["case"])


# ---------------------------------------------------------------- the bound


@pytest.mark.parametrize("case_id", sorted(PUBLIC))
def test_the_interview_reaches_the_proven_bound_on_every_public_case(kb: KnowledgeBase, case_id: str) -> None:
    """As many questions as the smallest certificate holds; every smaller set refuted by a real case."""
    certificate = certificate_of(case_id)
    assert certificate.size == BOUNDS[case_id]
    assert refute_smaller(certificate) > 0
    for refutation in certificate.refutations:
        assert tuple(recommend(refutation.case, kb).fired_rules) == refutation.fired_rules
        assert set(refutation.fired_rules) != set(certificate.fired_rules)
    assert len(asked(kb, PUBLIC[case_id]["case"])) == certificate.size


def test_the_bounds_mean_against_the_issue(kb: KnowledgeBase) -> None:
    """102 questions in all on the 14 public cases, bound and interview alike (7.29 each)."""
    total = sum(len(asked(kb, case["case"])) for case in PUBLIC.values())
    assert total == sum(BOUNDS.values()) == 102


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(data=st.data())
def test_a_certificate_forces_the_result_on_any_completion(kb: KnowledgeBase, data: st.DataObject) -> None:
    """Any valid case that answers a certificate's questions as the public case does gets its fired rules."""
    certificate = certificate_of(data.draw(st.sampled_from(sorted(PUBLIC))))
    other = data.draw(valid_cases())
    case = dict(other)
    asked_facts = {slot_fact(q) for q in certificate.questions}
    for fact in asked_facts:
        spec = kb.facts[fact]
        mine = certificate.case.get(fact)
        if mine is None:
            case.pop(fact, None)
            continue
        if spec.kind != "records":
            case[fact] = mine
            continue
        records = []
        for index, record in enumerate(mine):
            entry = {}
            for field in spec.fields:
                slot = f"{fact}[{index}].{field.id}"
                value = record.get(field.id) if field.required or slot in certificate.questions else None
                if not field.required and slot not in certificate.questions:
                    value = data.draw(st.sampled_from((None, *field.value_ids)))
                if value is not None:
                    entry[field.id] = value
            records.append(entry)
        case[fact] = records
    try:
        validate_case(case, kb)
    except CaseError:
        assume(False)
    assert set(recommend(case, kb).fired_rules) == set(certificate.fired_rules)


# ---------------------------------------------------------------- every question can change the options


def _answers(kb: KnowledgeBase, case: Mapping[str, Any], name: str) -> list[Any]:
    """Every answer to a name, unknown (None) first: a fact's values, or one field's of one record."""
    match = FIELD_SLOT.fullmatch(name)
    if match is None:
        return [None, *known_values(kb, kb.facts[name])]
    return [None, *kb.facts[match.group(1)].field(match.group(3)).value_ids]


def _set(case: dict[str, Any], name: str, value: Any) -> None:
    match = FIELD_SLOT.fullmatch(name)
    if match is None:
        if value is None:
            case.pop(name, None)
        else:
            case[name] = value
        return
    fact, index, field = match.group(1), int(match.group(2)), match.group(3)
    records = [dict(r) for r in case[fact]]
    if value is None:
        records[index].pop(field, None)
    else:
        records[index][field] = value
    case[fact] = records


def can_change(kb: KnowledgeBase, so_far: Mapping[str, Any], name: str) -> bool:
    """Whether some rule's outcome depends on the name's answer for some valid completion of the
    answers so far (a name answered unknown, given as null, stays unknown): tried by brute force."""
    fact = slot_fact(name)
    for rule in kb.rules.values():
        reads = rule_facts(kb, rule)
        if fact not in reads:
            continue
        free: list[tuple[str, list[Any]]] = []
        for other in reads:
            spec = kb.facts[other]
            if other != fact and other not in so_far:
                free.append((other, [None, *known_values(kb, spec)]))
            elif spec.kind == "records" and isinstance(so_far.get(other), list) and other != name:
                for index, record in enumerate(so_far[other]):
                    for field in spec.fields:
                        slot = f"{other}[{index}].{field.id}"
                        if field.id not in record and slot != name:
                            free.append((slot, [None, *field.value_ids]))
        for values in itertools.product(*(answers for _, answers in free)):
            base = dict(so_far)
            for (slot, _), value in zip(free, values, strict=True):
                _set(base, slot, value)
            outcomes = set()
            for answer in _answers(kb, base, name):
                trial = dict(base)
                _set(trial, name, answer)
                try:
                    patient = validate_case(trial, kb)
                except CaseError:
                    continue
                outcomes.add(Evaluator(kb, patient).all(kb.conditions_of(rule))[0] is Truth.TRUE)
                if len(outcomes) == 2:
                    return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_every_question_asked_can_still_change_the_options(kb: KnowledgeBase, case: dict[str, Any]) -> None:
    """Each question (but the required type and a record's required fields) has two answers, unknown
    among them, that give some valid completion of the answers so far a different result."""
    interview = Interview(kb)
    while (question := interview.next_question()) is not None:
        if not question.required and not question.needed_in_record:
            so_far = interview.case(nulls=True)
            assert can_change(kb, so_far, question.slot), f"{question.slot} asked in vain after {so_far}"
        interview.answer(question, answer_from_case(question, case))


# ---------------------------------------------------------------- unknown is an answer


def test_an_unknown_answer_spares_what_only_a_rule_needing_it_would_read(kb: KnowledgeBase) -> None:
    """recurrent-liver: liver_dominant unknown, INS-08 can no longer fire, so severe_symptoms is not asked."""
    slots = asked(kb, PUBLIC["recurrent-liver"]["case"])
    assert "liver_dominant" in slots
    assert "severe_symptoms" not in slots
    assert "progressing" not in slots  # recurrent true settles "progressing or recurrent"


def test_an_unknown_answer_stays_unknown_until_changed(kb: KnowledgeBase) -> None:
    """Answered unknown: never asked again, saved as null; change asks it again and its rules wait again."""
    interview = Interview(kb)
    for slot, value in (("tumor_type", "insulinoma"), ("tumors", 0), ("spread", ("liver",))):
        question = interview.next_question()
        assert question is not None
        assert question.slot == slot
        interview.answer(question, value)
    question = interview.next_question()
    assert question is not None
    assert question.slot == "resectable"
    interview.answer(question, False)
    question = interview.next_question()
    assert question is not None
    assert question.slot == "liver_dominant"
    interview.answer(question, UNKNOWN)
    rest = []
    while (question := interview.next_question()) is not None:
        rest.append(question.slot)
        interview.answer(question, False)
    assert "liver_dominant" not in rest
    assert "severe_symptoms" not in rest
    assert interview.case()["liver_dominant"] is None
    question = interview.change("liver_dominant")
    interview.answer(question, True)
    following = interview.next_question()
    assert following is not None
    assert following.slot == "severe_symptoms"


# ---------------------------------------------------------------- the choice, explained


def test_a_listed_tumor_comes_before_whether_one_was_found_and_says_why(kb: KnowledgeBase) -> None:
    """Gastrinoma: the count is asked first, because answers to it can make tumor_found unnecessary."""
    interview = Interview(kb)
    interview.answer_text(interview.next_question(), "gastrinoma")
    question = interview.next_question()
    assert question is not None
    assert question.slot == "tumors"
    reason = interview.reason(question)
    assert reason is not None
    assert reason.text.startswith(
        "Asked now because answers to it can make tumor_found unnecessary, so it comes before tumor_found: "
    )
    interview.answer_text(question, "1")
    site = interview.next_question()
    assert site is not None
    assert site.slot == "tumors[0].site"
    site_reason = interview.reason(site)
    assert site_reason is not None
    assert site_reason.text.startswith("Asked now because the tumors found are entered one whole record")
    interview.answer_text(site, "head")
    assert interview.fact_status("tumor_found").name == "NOT_NEEDED"


def test_the_tumor_type_has_no_choice_and_no_reason(kb: KnowledgeBase) -> None:
    """The first question stays the tumor type: required, so it needs no reason of choice."""
    interview = Interview(kb)
    question = interview.next_question()
    assert question is not None
    assert question.slot == "tumor_type"
    assert interview.reason(question) is None


def test_why_in_the_web_and_the_repl_give_the_reason(kb: KnowledgeBase) -> None:
    """The web's WHY carries asked_now; the REPL's why prints it after the waiting rules."""
    import io

    from pnet_expert.consult.repl import Repl
    from pnet_expert.web.steps import why

    interview = Interview(kb)
    for text in ("other", "liver"):
        interview.answer_text(interview.next_question(), text)
    question = interview.next_question()
    assert question is not None
    assert question.slot == "recurrent"
    shown = why(interview, question).to_dict()
    assert shown["asked_now"].startswith("Asked now because answers to it can make progressing unnecessary")
    lines = iter(["other", "liver", "why"])

    class Lines:
        interactive = False

        def read(self, prompt: str) -> str:
            try:
                return next(lines)
            except StopIteration:
                raise EOFError from None

    out = io.StringIO()
    Repl(Interview(kb), Lines(), out).run()
    assert (
        "Asked now because answers to it can make progressing unnecessary, so it comes before progressing"
        in " ".join(out.getvalue().split())
    )


@pytest.mark.parametrize(
    ("so_far", "name"),
    [
        ({"tumor_type": "gastrinoma", "tumors": [{"site": "head"}]}, "tumor_found"),
        (
            {"tumor_type": "insulinoma", "tumors": None, "spread": ["liver"], "liver_dominant": None},
            "severe_symptoms",
        ),
        ({"tumor_type": "insulinoma", "recurrent": True, "spread": ["liver"]}, "progressing"),
        ({"tumor_type": "insulinoma", "tumors": [{"site": "tail"}, {"site": "head"}]}, "tumors[0].size"),
    ],
)
def test_the_brute_force_finds_the_questions_the_old_interview_asked_in_vain(
    kb: KnowledgeBase, so_far: dict[str, Any], name: str
) -> None:
    """The property's check can say no: these questions cannot change the options (issue 17's causes)."""
    assert not can_change(kb, so_far, name)
    assert can_change(kb, {"tumor_type": so_far["tumor_type"]}, name.replace("[0].size", ""))


def test_tumor_lists_past_the_search_budget_fall_back_to_the_knowledge_bases_order(kb_copy: Path) -> None:
    """An edited KB with seven more counts of tumors: their lists cannot be weighed, so the interview
    asks in the KB's order, within seconds, and still ends with recommend's result."""
    add_count_findings(kb_copy, SEVEN_COUNTS)
    edited = load_knowledge_base(kb_copy)
    case = {"tumor_type": "gastrinoma", "spread": ["liver"], "liver_dominant": True}
    slots = within(60, lambda: asked(edited, case))
    assert slots[:3] == ["tumor_type", "tumor_found", "tumors"]
    interview = Interview(edited)
    for slot in slots:
        question = interview.next_question()
        assert question is not None
        assert question.slot == slot
        if slot == "tumor_found":
            reason = interview.reason(question)
            assert reason is not None
            assert reason.text == (
                "Asked now in the knowledge base's order of facts: the lists of tumors the counts tell apart "
                "were too many to weigh the questions against one another (limit consult_search). "
                "Its answer can settle GAS-08."
            )
        interview.answer(question, answer_from_case(question, case))
    assert interview.consultation().fired_rules == recommend(case, edited).fired_rules
