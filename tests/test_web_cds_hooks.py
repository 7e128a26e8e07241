"""CDS Hooks on the server: discovery and service calls through the ASGI test client (no network)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers.strategies import KB

from pnet_expert import recommend
from pnet_expert.interop.fhir import to_bundle

testclient = pytest.importorskip("starlette.testclient", reason="the [web] extra is not installed")

CASE = {"tumor_type": "insulinoma", "tumors": [{"site": "tail", "size": "small"}], "resectable": False}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """The app, in process."""
    from pnet_expert.web.app import create_app

    with testclient.TestClient(create_app(), raise_server_exceptions=True) as test_client:
        yield test_client


def call(case: dict[str, Any]) -> dict[str, Any]:
    """A patient-view request with the case's bundle as its prefetch."""
    return {
        "hook": "patient-view",
        "hookInstance": "5f6c4b3e-1111-4a2b-9c3d-000000000001",
        "context": {"userId": "Practitioner/1", "patientId": "patient"},
        "prefetch": {"case": to_bundle(case, KB)},
    }


def test_get_cds_services_is_the_discovery_document(client: Any) -> None:
    """GET /cds-services lists the two services, with their hooks and prefetch templates."""
    answer = client.get("/cds-services")
    assert answer.status_code == 200
    services = answer.json()["services"]
    assert {s["hook"] for s in services} == {"patient-view", "order-select"}
    assert all({"id", "hook", "description", "prefetch"} <= set(s) for s in services)


def test_post_answers_cards_linking_the_report_page(client: Any) -> None:
    """POST /cds-services/{id}: one card per option, each linking this server's report of the case."""
    answer = client.post("/cds-services/pnet-expert-patient-view", json=call(CASE))
    assert answer.status_code == 200
    cards = answer.json()["cards"]
    assert len(cards) == len(recommend(CASE, KB).treatments)
    url = cards[0]["source"]["url"]
    assert url.startswith("http://testserver/consult/report?")
    report = client.get(url.removeprefix("http://testserver"))
    assert report.status_code == 200
    assert "tail of the pancreas" in report.text


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/cds-services/nope", call(CASE), 404, "CDS-E001"),
        ("/cds-services/pnet-expert-patient-view", {**call(CASE), "prefetch": None}, 422, "CDS-E002"),
        (
            "/cds-services/pnet-expert-patient-view",
            {**call(CASE), "prefetch": {"x": {"resourceType": "Bundle", "entry": "no"}}},
            422,
            "FHIR-E001",
        ),
    ],
)
def test_bad_calls_are_answered_with_their_status_and_code(
    client: Any, path: str, body: dict[str, Any], status: int, code: str
) -> None:
    """A missing service is 404, a bad request or prefetch 422, each with its diagnostic."""
    answer = client.post(path, json=body)
    assert answer.status_code == status
    assert answer.json()["diagnostics"][0]["code"] == code
