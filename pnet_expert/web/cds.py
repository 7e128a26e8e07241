"""CDS Hooks 2.0 on the server: ``GET /cds-services`` and ``POST /cds-services/{id}``.

The service itself is :mod:`pnet_expert.interop.cds_hooks` (pure functions);
this module reads the request's body within the server's limits, does the work
on a worker thread, and links each card to the case's report page
(``/consult/report`` with the case's answers), on this server.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pnet_expert.consult.interview import Interview
from pnet_expert.interop.cds_hooks import SERVICES, call_service, discovery, prefetch_entries
from pnet_expert.interop.fhir import case_from_entries
from pnet_expert.web.api import site_of
from pnet_expert.web.bodies import read_object
from pnet_expert.web.pages import answers_query

REQUEST_PARTS = '{"hook": "patient-view", "hookInstance": "...", "context": {...}, "prefetch": {...}}'


async def discovery_endpoint(request: Request) -> Response:
    """GET /cds-services: the discovery document."""
    site = site_of(request)
    return JSONResponse(site.once("cds-discovery", lambda: discovery(site.kb)))


def report_url(request: Request, request_body: Any, site_kb: Any) -> str | None:
    """The report page of the case a CDS request's prefetch describes (None when it cannot be read)."""
    prefetch = request_body.get("prefetch")
    if not isinstance(prefetch, dict):
        return None
    try:
        entries, bundle = prefetch_entries(prefetch)
        case = case_from_entries(entries, site_kb, bundle)
    except ValueError:
        return None  # the call itself will say what is wrong with it
    interview = Interview(site_kb)
    interview.load_case(case)
    base = str(request.base_url).rstrip("/")
    return f"{base}/consult/report?{answers_query(interview.transcript())}"


async def service_endpoint(request: Request) -> Response:
    """POST /cds-services/{id}: the cards for the case in the request's prefetch."""
    site = site_of(request)
    service_id = request.path_params["service_id"]
    body, kind = await request.body(), request.headers.get("content-type", "")

    def work() -> dict[str, Any]:
        data = read_object(body, kind, REQUEST_PARTS)
        url = report_url(request, data, site.kb) if service_id in SERVICES else None
        return call_service(site.kb, service_id, data, report_url=url)

    return JSONResponse(await site.work(work))
