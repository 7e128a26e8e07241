"""The JSON API: recommend, validate, WHY NOT, the interview's next question, the knowledge base.

Each endpoint reads its body through :mod:`.bodies` (the case-file parsers,
within the server's limits), does its work on a worker thread
(:meth:`.site.Site.work`), and answers with the library's own JSON:
``POST /api/recommend`` is exactly ``recommend(case).to_dict()``. A problem
is raised as the library raises it and answered by :mod:`.app` with its
status and diagnostics: the same messages as the command line.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pnet_expert.core.case import validate_case
from pnet_expert.core.errors import PnetError
from pnet_expert.explain.recommend import recommend
from pnet_expert.knowledge.identity import about
from pnet_expert.web import steps
from pnet_expert.web.bodies import part, read_body, read_object
from pnet_expert.web.errors import error_body, status_of
from pnet_expert.web.kb_json import describe_kb
from pnet_expert.web.openapi import document
from pnet_expert.web.site import Site

GRADE_PATH: dict[str, Any] = {
    "post": {
        "operationId": "grade",
        "summary": "The tutor's grade of a student's proposed treatments for a case",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "case": {"$ref": "#/components/schemas/Case"},
                            "proposed": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["case", "proposed"],
                    }
                }
            },
        },
        "responses": {
            "200": {"description": "the grade (pnet_expert.tutor's Grade.to_dict())"},
            "422": {
                "description": "a bad case or list: every problem",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
}
"""The OpenAPI path of ``POST /api/grade``, added when the tutor is installed."""

WHY_NOT_PARTS = '{"case": {...}, "treatment": "a treatment id"}'
GRADE_PARTS = '{"case": {...}, "proposed": ["treatment id", ...]}'
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
        return 200, {
            "valid": True,
            "case": patient.to_dict(),
            "unknown_facts": unknown,
            "diagnostics": [],
            "knowledge_base": about(site.kb),
        }

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
            "knowledge_base": about(site.kb),
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
            "knowledge_base": about(site.kb),
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
    extra = {"/api/grade": GRADE_PATH} if tutor_grade() else {}
    return JSONResponse(site.once("openapi", lambda: document(site.kb, extra)))


# ---------------------------------------------------------------- the tutor's grading, when installed


def tutor_grade() -> Callable[..., Any] | None:
    """``pnet_expert.tutor.grade(case, proposed_ids, kb=None) -> Grade`` when the tutor is there, else None.

    The one seam to the tutor: ``POST /api/grade`` (and its OpenAPI path) exist
    only when it does. The grading is the tutor's own; this endpoint only reads
    the body and returns ``Grade.to_dict()``.
    """
    try:
        module = importlib.import_module("pnet_expert.tutor")
    except ImportError:
        return None
    grade: Callable[..., Any] | None = getattr(module, "grade", None)
    return grade


async def grade_endpoint(request: Request) -> Response:
    """POST /api/grade: a case and a student's proposed treatment ids in; the tutor's grade out."""
    site = site_of(request)
    body, kind = await request.body(), _content_type(request)
    grade = tutor_grade()
    assert grade is not None  # the route exists only when the tutor does

    def work() -> dict[str, Any]:
        data = read_object(body, kind, GRADE_PARTS)
        case = part(data, "case", Mapping, GRADE_PARTS)
        if "proposed" not in data:
            part(data, "proposed", list, GRADE_PARTS)
        result: dict[str, Any] = grade(case, data["proposed"], site.kb, field="proposed").to_dict()
        return result

    return JSONResponse(await site.work(work))
