"""The pages: home, a consultation step by step, the case report, a case file to open, the knowledge base.

Rendered on the server (Jinja2, :mod:`.html`), with no script: every action
is a plain form or link, so a page works with JavaScript off and prints as a
report does. A consultation's state is its answers, carried in the form's
hidden fields (``a=slot=words``) and in the address of every step, so that
the server keeps no session, the browser's Back goes back a step, and a step
can be bookmarked. Each step shows the question, WHY it is asked, the facts
so far, the options as things stand with HOW each is offered, and WHY NOT
for any treatment.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import urlencode

import attrs
from starlette.datastructures import QueryParams, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from pnet_expert.consult.interview import Interview
from pnet_expert.consult.questions import Question, question_for
from pnet_expert.core import codes
from pnet_expert.core.case import validate_case
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import InputError, PnetError
from pnet_expert.core.words import value_text
from pnet_expert.explain.recommend import recommend
from pnet_expert.explain.reports.case_view import case_report
from pnet_expert.explain.reports.kb_view import kb_report
from pnet_expert.files.casefile import case_text
from pnet_expert.reasoning.checks import RuleCheck
from pnet_expert.web import steps
from pnet_expert.web.api import site_of
from pnet_expert.web.bodies import decode, parse_text
from pnet_expert.web.errors import web_error
from pnet_expert.web.html import render, stylesheet
from pnet_expert.web.site import Site

CASE_KINDS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}
DOWNLOADS = {"yaml": ".yaml", "json": ".json", "toml": ".toml"}
MARKS = {"true": "met", "false": "not met", "unknown": "unknown"}


def _page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status)


async def home_page(request: Request) -> Response:
    """GET /: what this is (and is not), and where to start."""
    site = site_of(request)
    return _page(site.once("home", lambda: render("home.html.j2", about=site.about, kb=site.kb)))


async def stylesheet_file(request: Request) -> Response:
    """GET /static/style.css: the reports' styles and the pages' own (no inline style is allowed)."""
    del request
    return Response(
        stylesheet(), media_type="text/css; charset=utf-8", headers={"cache-control": "public, max-age=3600"}
    )


async def kb_page(request: Request) -> Response:
    """GET /kb: the knowledge-base report (sections, rules, findings, treatments, diagrams), made once."""
    site = site_of(request)

    def work() -> str:
        return site.once("kb.html", lambda: render("kb.html.j2", r=kb_report(site.kb), standalone=True))

    return _page(await site.work(work))


# ---------------------------------------------------------------- a consultation, step by step


def answers_query(transcript: steps.Transcript, **more: str) -> str:
    """The address's query for a state of the consultation (its answers, then ``more``)."""
    return urlencode([*(("a", f"{slot}={words}") for slot, words in transcript), *more.items()])


@attrs.frozen
class CheckView:
    """One rule checked for WHY NOT: fired or not, and each condition."""

    rule: str
    section: str
    strength: str
    fired: bool
    lines: tuple[tuple[str, str, str], ...]
    """(mark, condition, what the case says)."""


def _check_view(site: Site, check: RuleCheck) -> CheckView:
    return CheckView(
        check.rule.id,
        site.kb.sections[check.rule.section].title,
        check.rule.strength,
        check.fired,
        tuple((MARKS[c.truth.value], c.text, c.detail) for c in check.conditions),
    )


def consult_step(site: Site, params: QueryParams) -> tuple[int, str]:
    """One step: apply what the form asks (answer, back, change, WHY NOT), then show the step it leads to."""
    kb = site.kb
    transcript = steps.read_transcript(params.getlist("a"), site.limits)
    interview = steps.replay(kb, transcript)
    action = params.get("do") or ("answer" if "q" in params else "show")
    question: Question | None = None
    problems: Sequence[Diagnostic] = ()
    whynot: dict[str, Any] | None = None
    status = 200
    if action == "back" and transcript:
        transcript = transcript[:-1]
        interview = steps.replay(kb, transcript)
    elif action == "change":
        question = interview.change(params.get("f", ""))
    elif action == "answer" and "q" in params:
        slot = params.get("q", "")
        asked = question_for(kb.facts, slot)
        words = " ".join(v.strip() for v in params.getlist("v") if v.strip())
        try:
            tried = (*transcript, (slot, words))
            interview = steps.replay(kb, tried)
            transcript = tried
        except PnetError as error:
            problems, question, status = error.diagnostics, asked, 422
    elif action == "whynot":
        treatment = params.get("t", "")
        if not interview.ready:
            raise web_error(
                422, codes.WEB_BAD_BODY, "t", "WHY NOT needs a case: answer the required facts first"
            )
        consultation = interview.consultation()
        checks = consultation.why_not_checks(treatment)
        option = consultation.option(treatment)
        whynot = {
            "id": treatment,
            "label": kb.treatments[treatment].label,
            "offered_by": option.rules if option else (),
            "checks": [_check_view(site, c) for c in checks],
        }
    if question is None:
        question = interview.next_question()
    context = _step_context(site, interview, transcript, question)
    html = render("consult.html.j2", **context, problems=problems, whynot=whynot)
    return status, html


def _step_context(
    site: Site, interview: Interview, transcript: steps.Transcript, question: Question | None
) -> dict[str, Any]:
    kb = site.kb
    report = case_report(interview.consultation(), svg=False) if interview.ready else None
    current = None
    if question is not None and interview.changing == question:
        value = interview.current(question.fact)
        current = None if value is None else value_text(len(value) if question.kind == "count" else value)
    checked = _checked(interview, question)
    return {
        "about": site.about,
        "kb": kb,
        "transcript": transcript,
        "entries": [f"{slot}={words}" for slot, words in transcript],
        "question": question,
        "checked": checked,
        "current": current,
        "why": steps.why(interview, question) if question is not None else None,
        "facts": steps.fact_rows(interview),
        "answered": [f for f in kb.facts if f in interview.case()],
        "report": report,
        "query": answers_query(transcript),
        "done": question is None,
    }


def _checked(interview: Interview, question: Question | None) -> tuple[str, ...]:
    """The words of the answer a change starts from (so that the form shows it)."""
    if question is None or interview.changing != question:
        return ()
    given = dict(interview.transcript()).get(question.slot)
    return tuple(given.split()) if given else ()


async def consult_page(request: Request) -> Response:
    """GET /consult: one step of the consultation (the state is in the address)."""
    site = site_of(request)
    params = request.query_params
    status, html = await site.work(consult_step, site, params)
    return _page(html, status)


def _ready(site: Site, params: QueryParams) -> Interview:
    interview = steps.replay(site.kb, steps.read_transcript(params.getlist("a"), site.limits))
    if not interview.ready:
        missing = [s.id for s in site.kb.facts.values() if s.required and s.id not in interview.answers]
        message = f"there is no case yet: a case needs {', '.join(missing)}"
        raise InputError(Diagnostic(codes.INPUT_NOTHING_TO_SAVE, "a", message, hint="answer it first"))
    return interview


async def consult_report_page(request: Request) -> Response:
    """GET /consult/report: the case report of a consultation's answers."""
    site = site_of(request)
    params = request.query_params

    def work() -> str:
        consultation = _ready(site, params).consultation()
        return render("consultation.html.j2", r=case_report(consultation), standalone=True)

    return _page(await site.work(work))


async def consult_case_file(request: Request) -> Response:
    """GET /consult/case.yaml (.json, .toml): the answers as a case file to keep (and to open again)."""
    site = site_of(request)
    kind = request.path_params["kind"]
    if kind not in DOWNLOADS:
        raise web_error(
            404, codes.WEB_NOT_FOUND, request.url.path, "no such kind of case file", "use yaml, json or toml"
        )
    params = request.query_params

    def work() -> str:
        return case_text(_ready(site, params).case(), DOWNLOADS[kind])

    text = await site.work(work)
    disposition = f'attachment; filename="case{DOWNLOADS[kind]}"'
    return PlainTextResponse(text, headers={"content-disposition": disposition})


# ---------------------------------------------------------------- a case file, uploaded or pasted


async def case_form(request: Request) -> Response:
    """GET /case: upload or paste a case file."""
    site = site_of(request)
    return _page(render("case.html.j2", about=site.about, text="", kind="auto", problems=()))


def _kind_of(kind: str, name: str, text: str) -> str:
    if kind in ("json", "yaml", "toml"):
        return kind
    suffix = PurePath(name).suffix.lower()
    if suffix in CASE_KINDS:
        return CASE_KINDS[suffix]
    return "json" if text.lstrip().startswith("{") else "yaml"


async def case_post(request: Request) -> Response:
    """POST /case: the report of an uploaded or pasted case; if it is none, its problems (the text kept)."""
    site = site_of(request)
    try:
        form = await request.form(max_files=1, max_fields=8)
    except MultiPartException as exc:
        raise web_error(
            400, codes.WEB_BAD_BODY, "body", f"not a form that can be read: {exc.message}"
        ) from None
    upload = form.get("file")
    pasted = form.get("text")
    kind = str(form.get("kind") or "auto")
    raw: bytes = b""
    name = "pasted text"
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        name = PurePath(upload.filename).name or "upload"
    text_given = pasted if isinstance(pasted, str) else ""

    def work() -> tuple[int, str]:
        text = text_given
        try:
            text = decode(raw, name) if raw else text_given
            if not text.strip():
                raise web_error(
                    422, codes.WEB_BAD_BODY, "text", "no case given", "paste a case or choose a file"
                )
            case = parse_text(text, _kind_of(kind, name, text), name)
            patient = validate_case(case, site.kb)
        except PnetError as error:
            shown = render("case.html.j2", about=site.about, text=text, kind=kind, problems=error.diagnostics)
            return 422, shown
        consultation = recommend(patient, site.kb)
        interview = Interview(site.kb)
        interview.load_case(case)
        continue_at = "/consult?" + answers_query(interview.transcript())
        html = render(
            "case_report.html.j2", r=case_report(consultation), standalone=True, continue_at=continue_at
        )
        return 200, html

    status, html = await site.work(work)
    return _page(html, status)
