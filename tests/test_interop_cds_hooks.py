"""CDS Hooks 2.0 as pure functions: discovery and cards, checked against the spec's required fields."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.strategies import KB, valid_cases
from hypothesis import given, settings

from pnet_expert import InputError, recommend
from pnet_expert.interop.cds_hooks import SUMMARY_LIMIT, call_service, cards, discovery
from pnet_expert.interop.fhir import to_bundle

SERVICE = "pnet-expert-patient-view"
CASE = {
    "tumor_type": "gastrinoma",
    "tumors": [{"site": "duodenum"}],
    "spread": ["lymph_nodes", "liver"],
    "liver_dominant": True,
    "severe_symptoms": True,
}


def request(case: dict[str, Any], hook: str = "patient-view") -> dict[str, Any]:
    """A CDS Hooks request whose prefetch holds the case's bundle."""
    return {
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/1", "patientId": "patient"},
        "prefetch": {"case": to_bundle(case, KB)},
    }


def check_card(card: dict[str, Any]) -> None:
    """The CDS Hooks 2.0 card's required fields and their allowed values."""
    assert isinstance(card["summary"], str)
    assert len(card["summary"]) < SUMMARY_LIMIT
    assert card["indicator"] in ("info", "warning", "critical")
    assert isinstance(card["source"]["label"], str)
    assert card["source"]["label"]
    for link in card.get("links", []):
        assert {"label", "url", "type"} <= set(link)
        assert link["type"] in ("absolute", "smart")


def test_discovery_lists_a_patient_view_and_an_order_select_service_with_prefetch() -> None:
    """Each service has the spec's required hook, id, description, and prefetch templates."""
    services = discovery(KB)["services"]
    assert {s["hook"] for s in services} == {"patient-view", "order-select"}
    for service in services:
        assert {"hook", "id", "description", "title", "prefetch"} <= set(service)
        assert all("{{context.patientId}}" in template for template in service["prefetch"].values())


@settings(max_examples=60, deadline=None)
@given(valid_cases())
def test_one_card_per_option_and_one_for_gaps_and_one_for_silences(case: dict[str, Any]) -> None:
    """Cards: one per option the consultation offers, in its order, then one for the gaps, one for the
    silences (each silence's words in it)."""
    result = recommend(case, KB).to_dict()
    cards = call_service(KB, SERVICE, request(case))["cards"]
    extra = (1 if result["gaps"] else 0) + (1 if result["silences"] else 0)
    assert len(cards) == len(result["treatments"]) + extra
    if result["silences"]:
        check_card(cards[-1])
        assert all(s["text"] in cards[-1]["detail"] for s in result["silences"])
    for card, option in zip(cards, result["treatments"], strict=False):
        check_card(card)
        assert option["label"][:40] in card["summary"]
        for reason in option["because"]:
            assert reason["rule"] in card["detail"]
            assert reason["quote"] in card["detail"]
        assert KB.disclaimer in card["detail"]


def test_a_card_carries_its_source_the_knowledge_base_and_the_report_link() -> None:
    """Source: the PDQ summary and its date, the KB version and fingerprint, and the report's URL."""
    (card, *_) = call_service(KB, SERVICE, request(CASE), report_url="http://127.0.0.1:8000/report")["cards"]
    check_card(card)
    label = card["source"]["label"]
    assert KB.source.last_modified in label
    assert KB.version in label
    assert KB.fingerprint[:12] in label
    assert card["source"]["url"] == "http://127.0.0.1:8000/report"
    assert card["links"][0]["type"] == "absolute"
    assert card["summary"].startswith("Usually: ")


def test_a_caution_makes_its_option_a_warning() -> None:
    """An option with a caution (from the consultation's cautions) gets the warning indicator and the text."""
    from pnet_expert.interop import cds_hooks

    result = recommend(CASE, KB).to_dict()
    first = result["treatments"][0]["id"]
    result["cautions"] = [{"treatment": first, "rules": ["GAS-07"], "text": "the case says ..."}]
    cards = cds_hooks.cards(KB, result, "x", None)
    assert cards[0]["indicator"] == "warning"
    assert "the case says ..." in cards[0]["detail"]
    assert {c["indicator"] for c in cards[1:]} == {"info"}


def test_an_order_select_call_and_a_prefetch_of_search_results() -> None:
    """The order-select service reads the same resources sent as separate search bundles."""
    bundle = to_bundle(CASE, KB)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        by_kind.setdefault(entry["resource"]["resourceType"], []).append(entry)
    prefetch = {
        kind: {"resourceType": "Bundle", "type": "searchset", "entry": e} for kind, e in by_kind.items()
    }
    call = {**request(CASE, "order-select"), "prefetch": prefetch}
    cards = call_service(KB, "pnet-expert-order-select", call)["cards"]
    assert len(cards) == len(recommend(CASE, KB).treatments)


@pytest.mark.parametrize(
    ("service", "change", "code", "field"),
    [
        ("pnet-expert-patient-veiw", {}, "CDS-E001", "service"),
        (SERVICE, {"hook": "order-select"}, "CDS-E002", "hook"),
        (SERVICE, {"hookInstance": None}, "CDS-E002", "hookInstance"),
        (SERVICE, {"context": "x"}, "CDS-E002", "context"),
        (SERVICE, {"prefetch": {}}, "CDS-E002", "prefetch"),
        (SERVICE, {"prefetch": {"case": 5}}, "CDS-E002", "prefetch.case"),
        (
            SERVICE,
            {"prefetch": {"case": {"resourceType": "Bundle", "entry": []}}},
            "FHIR-E002",
            "bundle.entry",
        ),
    ],
)
def test_a_bad_request_raises_a_diagnostic_naming_the_field(
    service: str, change: dict[str, Any], code: str, field: str
) -> None:
    """Unknown services, missing or wrong fields, and unreadable prefetch are refused with their codes."""
    with pytest.raises(InputError) as caught:
        call_service(KB, service, {**request(CASE), **change})
    assert caught.value.code == code
    assert caught.value.field == field


def test_an_unknown_service_suggests_the_nearest() -> None:
    """A mistyped service id gets a did-you-mean and the list of services."""
    with pytest.raises(InputError) as caught:
        call_service(KB, "pnet-expert-patient-veiw", request(CASE))
    assert str(caught.value) == (
        "service: 'pnet-expert-patient-veiw' is not a CDS service here (did you mean "
        "'pnet-expert-patient-view'?); the services are: pnet-expert-patient-view, pnet-expert-order-select"
    )


def test_a_card_shows_the_readings_its_rules_cite_in_full() -> None:
    """GAS-10's cards (through FND-11) give reading RD-03 in full: its reading, why, the other reading."""
    result = recommend({"tumor_type": "gastrinoma", "spread": ["distant"]}).to_dict()
    card = next(c for c in cards(KB, result, "instance", None) if "**GAS-10**" in c["detail"])
    reading = KB.readings["RD-03"]
    assert f"reading RD-03 of an unclear passage ({reading.title})" in card["detail"]
    for part in (reading.reading, reading.why, reading.other_reading, reading.would_change):
        assert part in card["detail"]
