"""The JSON API: recommend, validate, WHY NOT, the interview's next question, the knowledge base.

Each endpoint reads its body through :mod:`.bodies` (the case-file parsers,
within the server's limits), does its work on a worker thread
(:meth:`.site.Site.work`), and answers with the library's own JSON:
``POST /api/recommend`` is exactly ``recommend(case).to_dict()``. A problem
is raised as the library raises it and answered by :mod:`.app` with its
status and diagnostics: the same messages as the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pnet_expert.core.case import validate_case
from pnet_expert.core.errors import PnetError
from pnet_expert.explain.recommend import recommend
from pnet_expert.web import steps
from pnet_expert.web.bodies import part, read_body, read_object
from pnet_expert.web.errors import error_body, status_of
from pnet_expert.web.kb_json import describe_kb
from pnet_expert.web.openapi import document
from pnet_expert.web.site import Site

WHY_NOT_PARTS = '{"case": {...}, "treatment": "a treatment id"}'
INTERVIEW_PARTS = '{"answers": {"tumor_type": "insulinoma", "tumors": 1, "tumors[0].site": "head", ...}}'


def site_of(request: Request) -> Site:
    """The server's shared state."""
    site: Site = request.app.state.site
    return site


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "")


async def recommend_endpoint(request: Request) -> Response:
    """POST /api/recommend: a case in, ``Consultation.to_dict()`` out."""
    site = site_of(request)
    body, kind = await request.body(), _content_type(request)

    def work() -> dict[str, Any]:
        return recommend(read_body(body, kind), site.kb).to_dict()

    return JSONResponse(await site.work(work))


async def validate_endpoint(request: Request) -> Response:
    """POST /api/validate: valid (the case as read, its unknown facts), or 422 with every problem."""
    site = site_of(request)
    body, kind = await request.body(), _content_type(request)

    def work() -> tuple[int, dict[str, Any]]:
        try:
            patient = validate_case(read_body(body, kind), site.kb)
        except PnetError as error:
            status = status_of(error)
            return status, error_body(error, status, valid=False)
        unknown = [f for f in site.kb.facts if not patient.is_known(f)]
        return 200, {"valid": True, "case": patient.to_dict(), "unknown_facts": unknown, "diagnostics": []}

    status, answer = await site.work(work)
    return JSONResponse(answer, status_code=status)


async def why_not_endpoint(request: Request) -> Response:
    """POST /api/why-not: every rule that could offer a treatment, each condition checked on the case."""
    site = site_of(request)
    body, kind = await request.body(), _content_type(request)

    def work() -> dict[str, Any]:
        data = read_object(body, kind, WHY_NOT_PARTS)
        case = part(data, "case", Mapping, WHY_NOT_PARTS)
        treatment = part(data, "treatment", str, WHY_NOT_PARTS)
        consultation = recommend(case, site.kb)
        checks = consultation.why_not_checks(treatment)
        option = consultation.option(treatment)
        return {
            "treatment": treatment,
            "label": site.kb.treatments[treatment].label,
            "offered": option is not None,
            "offered_by": list(option.rules) if option else [],
            "rules": [steps.check_json(c) for c in checks],
            "text": consultation.why_not(treatment),
            "knowledge_base": site.kb.about(),
            "disclaimer": site.kb.disclaimer,
        }

    return JSONResponse(await site.work(work))


async def interview_endpoint(request: Request) -> Response:
    """POST /api/interview: the answers so far in; the next question (with WHY), or the options, out."""
    site = site_of(request)
    body, kind = await request.body(), _content_type(request)

    def work() -> dict[str, Any]:
        data = read_object(body, kind, INTERVIEW_PARTS) if body.strip() else {}
        answers = part(data, "answers", Mapping, INTERVIEW_PARTS) if "answers" in data else {}
        interview = steps.replay(site.kb, steps.transcript_of_answers(answers, site.limits))
        question = interview.next_question()
        shown = None
        if question is not None:
            shown = {**steps.question_json(question), "why": steps.why(interview, question).to_dict()}
        return {
            "done": question is None,
            "question": shown,
            "answers": {slot: steps.answer_json(a) for slot, a in interview.answers.items()},
            "case": interview.case(),
            "facts": steps.facts_json(interview),
            "result": interview.consultation().to_dict() if interview.ready else None,
            "disclaimer": site.kb.disclaimer,
        }

    return JSONResponse(await site.work(work))


async def kb_endpoint(request: Request) -> Response:
    """GET /api/kb: the knowledge base as JSON (worked out once)."""
    site = site_of(request)
    return JSONResponse(site.once("kb.json", lambda: describe_kb(site.kb)))


async def openapi_endpoint(request: Request) -> Response:
    """GET /openapi.json: the API's description, its schemas from the knowledge base."""
    site = site_of(request)
    return JSONResponse(site.once("openapi", lambda: document(site.kb)))
