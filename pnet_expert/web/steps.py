"""One step of a consultation without a session: the answers so far in, the next question and its WHY out.

The server keeps nothing between requests. A step's state is its answers,
kept as ``(slot, typed words)`` pairs (in a form's hidden fields, or an
``/api/interview`` body) and replayed through the REPL's own
:class:`~pnet_expert.consult.interview.Interview`, so that every answer goes
through the same parsing and checks as a typed one. This module reads and
bounds that state and works out what a step shows: the question, why it is
asked (the rules waiting on it, with their words and what they would offer),
the facts so far, and WHY NOT for a treatment. The pages (:mod:`.pages`) lay
it out; the API (:mod:`.api`) turns it into JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from pnet_expert.consult.interview import FactStatus, Interview
from pnet_expert.consult.questions import UNKNOWN, Answer, Question
from pnet_expert.core import codes
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.reasoning.checks import RuleCheck
from pnet_expert.web.errors import web_error
from pnet_expert.web.limits import Limits

Transcript = tuple[tuple[str, str], ...]
"""The answers of a consultation, in the order given: ``(slot, typed words)``."""

_SLOT = re.compile(r"\w+(\[\d{1,3}\]\.\w+)?")


def read_transcript(entries: Sequence[str], limits: Limits, field: str = "a") -> Transcript:
    """A form's answers (``slot=words`` each) as a transcript, checked (WEB-E008; WEB-E004 names an entry)."""
    if len(entries) > limits.max_answers:
        message = f"{len(entries)} answers are more than the server takes: at most {limits.max_answers}"
        raise web_error(422, codes.WEB_TOO_MANY, field, message)
    out = []
    for index, entry in enumerate(entries):
        slot, sep, words = entry.partition("=")
        if not sep or not _SLOT.fullmatch(slot) or len(words) > limits.max_text:
            shown = entry if len(entry) <= 60 else entry[:57] + "..."
            message = f"{shown!r} is not an answer of a consultation"
            hint = f"each is slot=words (like tumor_type=insulinoma), at most {limits.max_text} characters"
            raise web_error(422, codes.WEB_BAD_BODY, f"{field}[{index}]", message, hint)
        out.append((slot, words))
    return tuple(out)


def transcript_of_answers(answers: Mapping[str, Any], limits: Limits) -> Transcript:
    """An /api/interview body's answers (slot -> JSON value, null for unknown) as a transcript."""
    if len(answers) > limits.max_answers:
        message = f"{len(answers)} answers are more than the server takes: at most {limits.max_answers}"
        raise web_error(422, codes.WEB_TOO_MANY, "answers", message)
    return tuple((str(slot), _words(str(slot), value)) for slot, value in answers.items())


def _words(slot: str, value: Any) -> str:
    """A JSON answer as the words a user would type (the interview parses and checks them)."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value) if value else "none"
    message = f"{str(value)[:40]!r} is not an answer"
    hint = "an answer is true or false, a value, a list of values, a number of records, or null for unknown"
    raise web_error(422, codes.WEB_BAD_BODY, f"answers.{slot}", message, hint)


def answer_json(answer: Answer) -> Any:
    """An answer as JSON: null for unknown, a list for a set."""
    if answer is UNKNOWN:
        return None
    return list(answer) if isinstance(answer, tuple) else answer


# ---------------------------------------------------------------- what a step shows


@attrs.frozen
class WaitingRule:
    """A rule of the case's sections that waits on the question's answer."""

    rule: str
    section: str
    strength: str
    quote: str
    waits_on: tuple[str, ...]
    offers: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(treatment id, label, rules that already offer it)."""

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "rule": self.rule,
            "section": self.section,
            "strength": self.strength,
            "quote": self.quote,
            "waits_on": list(self.waits_on),
            "would_offer": [
                {"treatment": t, "label": label, "already_offered_by": list(by)}
                for t, label, by in self.offers
            ],
        }


@attrs.frozen
class Why:
    """WHY a question is asked: in a sentence, and the rules waiting on its answer."""

    text: str
    rules: tuple[WaitingRule, ...]
    asked_now: str | None = None
    """Why this question comes now rather than another ("Asked now because ..."), when there was a choice."""

    def to_dict(self) -> dict[str, Any]:
        """As JSON (``asked_now`` null for a required question or a change)."""
        return {"text": self.text, "rules": [r.to_dict() for r in self.rules], "asked_now": self.asked_now}


def why(interview: Interview, question: Question) -> Why:
    """Why a question is asked (the REPL's ``why``, both levels): the section it picks, or the rules."""
    kb = interview.kb
    if interview.changing == question:
        return Why(f"You asked to change {question.fact}; the other answers are kept.", ())
    if question.required:
        sections = interview.sections_chosen_by(question.fact)
        names = ", ".join(f"{s.title} ({s.rules[0]} to {s.rules[-1]})" for s in sections if s.rules)
        general = [s.title for s in kb.sections.values() if s.kind == "general"]
        also = f" The general section ({', '.join(general)}) applies to every type." if general else ""
        return Why(f"{question.fact} is required: it chooses the section of the source: {names}.{also}", ())
    checks = interview.waiting(question)
    if not checks:
        return Why(f"No rule waits on {question.slot} any more; answer it or leave it unknown.", ())
    offered = {o.id: o.rules for o in interview.consultation().treatments} if interview.ready else {}
    rules = tuple(_waiting(kb, check, offered) for check in checks)
    count = len(rules)
    text = (
        f"{count} rule{'s' if count > 1 else ''} of the source {'are' if count > 1 else 'is'} waiting on "
        f"{question.slot}: the answer can decide whether {'they offer' if count > 1 else 'it offers'} "
        "what is listed. The goal: every option the source offers for this case."
    )
    reason = interview.reason(question)
    return Why(text, rules, reason.text if reason is not None else None)


def _waiting(kb: KnowledgeBase, check: RuleCheck, offered: Mapping[str, tuple[str, ...]]) -> WaitingRule:
    rule = check.rule
    return WaitingRule(
        rule.id,
        kb.sections[rule.section].title,
        rule.strength,
        rule.quote,
        tuple(c.text for c in check.unknown),
        tuple(
            (o.treatment, kb.treatments[o.treatment].label, offered.get(o.treatment, ())) for o in rule.offers
        ),
    )


@attrs.frozen
class FactRow:
    """One fact of the consultation so far: its answer in words, or where it stands."""

    id: str
    label: str
    status: str
    value: str | None


def fact_rows(interview: Interview) -> tuple[FactRow, ...]:
    """Every fact: answered (its words), unknown, being entered, still to ask, or not needed."""
    words: dict[str, list[str]] = {}
    given = dict(interview.transcript())
    for slot, text in given.items():
        fact = slot.split("[", 1)[0]
        words.setdefault(fact, []).append(text if slot == fact else f"{slot.split('.', 1)[1]} {text}")
    rows = []
    for spec in interview.kb.facts.values():
        status = interview.fact_status(spec.id)
        value = "; ".join(words[spec.id]) if spec.id in words and status is not FactStatus.UNKNOWN else None
        rows.append(FactRow(spec.id, spec.label, status.name.lower().replace("_", " "), value))
    return tuple(rows)


def facts_json(interview: Interview) -> dict[str, str]:
    """Where each fact stands, by id (answered, unknown, entering, open, not_needed)."""
    return {f: interview.fact_status(f).name.lower() for f in interview.kb.facts}


def question_json(question: Question) -> dict[str, Any]:
    """A question as JSON: what to ask, the help, and every allowed answer."""
    return {
        "slot": question.slot,
        "fact": question.fact,
        "kind": question.kind,
        "text": question.text,
        "help": question.help,
        "required": question.required,
        "allowed": question.allowed(),
        "choices": [{"value": c.value, "word": c.word, "label": c.label} for c in question.choices],
    }


def check_json(check: RuleCheck) -> dict[str, Any]:
    """One rule checked on a case (WHY NOT): fired or not, and each condition met, not met or unknown."""
    return {
        "rule": check.rule.id,
        "section": check.rule.section,
        "strength": check.rule.strength,
        "offers": [o.treatment for o in check.rule.offers],
        "quote": check.rule.quote,
        "fired": check.fired,
        "truth": check.truth.value,
        "conditions": [
            {"text": c.text, "truth": c.truth.value, "detail": c.detail, "unknown": list(c.unknown)}
            for c in check.conditions
        ],
        "unknown_facts": list(check.unknown_facts),
    }


def replay(kb: KnowledgeBase, transcript: Iterable[tuple[str, str]]) -> Interview:
    """The interview with these answers (errors name the slot whose answer cannot be taken)."""
    return Interview.replay(kb, transcript)
