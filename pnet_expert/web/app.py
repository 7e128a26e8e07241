"""The ASGI application: the routes, the answers to problems, and the guard in front.

Starlette, because it is small and the pages are Jinja2 templates already,
and because the API's schemas are made from the knowledge base (see
:mod:`.openapi`), not from pydantic models that FastAPI would have us write
twice. Uvicorn runs it (:mod:`.server`).

Every problem pnet_expert raises on purpose is answered with its status and
diagnostics (:mod:`.errors`): JSON for the API, a page for a browser. A
missing page or a wrong method is one of them too. Anything else is a bug:
a 500 that says so, never a traceback.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import PnetError
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.web import api, cds, pages
from pnet_expert.web.errors import WebError, error_body, method_not_allowed, not_found, status_of
from pnet_expert.web.guard import ASGIApp, Guard, Scope
from pnet_expert.web.html import render
from pnet_expert.web.limits import Limits
from pnet_expert.web.site import Site

LOG = logging.getLogger("pnet_expert.web")

API_PREFIXES = ("/api/", "/cds-services", "/openapi.json")


def wants_json(path: str) -> bool:
    """Whether an address is the API's (answered in JSON) rather than a page's."""
    return path.startswith(API_PREFIXES)


def problem_response(path: str, error: PnetError, status: int) -> Response:
    """A problem as an answer: JSON for the API, a page listing the diagnostics for a browser."""
    if wants_json(path):
        return JSONResponse(error_body(error, status), status_code=status)
    html = render("error.html.j2", status=status, diagnostics=error.diagnostics, path=path)
    return HTMLResponse(html, status_code=status)


def refuse(scope: Scope, error: WebError) -> ASGIApp:
    """The answer to a request the guard refused before the app saw it."""
    return problem_response(str(scope.get("path", "")), error, error.status)


async def _pnet_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PnetError)
    return problem_response(request.url.path, exc, status_of(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 404:
        error: PnetError = not_found(path)
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "GET")
        error = method_not_allowed(path, request.method, allowed)
    else:
        error = WebError(exc.status_code, Diagnostic(codes.WEB_BAD_BODY, "request", str(exc.detail)))
    response = problem_response(path, error, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _bug(request: Request, exc: Exception) -> Response:
    LOG.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    message = f"internal error: {type(exc).__name__}; this is a bug, not a problem with the request"
    if wants_json(request.url.path):
        return JSONResponse({"error": message, "status": 500, "diagnostics": []}, status_code=500)
    return HTMLResponse(render("error.html.j2", status=500, diagnostics=(), path=message), status_code=500)


def routes() -> list[Route]:
    """Every address the server answers (``/api/grade`` when the tutor layer is installed)."""
    optional = [Route("/api/grade", api.grade_endpoint, methods=["POST"])] if api.tutor_grade() else []
    return [
        Route("/", pages.home_page, methods=["GET"]),
        Route("/consult", pages.consult_page, methods=["GET"]),
        Route("/consult/report", pages.consult_report_page, methods=["GET"]),
        Route("/consult/case.{kind}", pages.consult_case_file, methods=["GET"]),
        Route("/case", pages.case_form, methods=["GET"]),
        Route("/case", pages.case_post, methods=["POST"]),
        Route("/kb", pages.kb_page, methods=["GET"]),
        Route("/static/style.css", pages.stylesheet_file, methods=["GET"]),
        Route("/openapi.json", api.openapi_endpoint, methods=["GET"]),
        Route("/api/recommend", api.recommend_endpoint, methods=["POST"]),
        Route("/api/validate", api.validate_endpoint, methods=["POST"]),
        Route("/api/why-not", api.why_not_endpoint, methods=["POST"]),
        Route("/api/interview", api.interview_endpoint, methods=["POST"]),
        Route("/api/kb", api.kb_endpoint, methods=["GET"]),
        Route("/cds-services", cds.discovery_endpoint, methods=["GET"]),
        Route("/cds-services/{service_id}", cds.service_endpoint, methods=["POST"]),
        *optional,
    ]


def create_app(kb: KnowledgeBase | None = None, limits: Limits | None = None) -> Guard:
    """The server's ASGI application for a knowledge base (the bundled one by default), behind its guard."""
    if kb is None:
        from pnet_expert.knowledge.loader import load_knowledge_base

        kb = load_knowledge_base()
    limits = limits or Limits()
    app = Starlette(
        routes=routes(),
        exception_handlers={PnetError: _pnet_error, HTTPException: _http_error, Exception: _bug},
    )
    app.state.site = Site(kb, limits)
    return Guard(app, limits, refuse)
