"""The HTTP API through Starlette's ASGI test client: the library's answers, the schemas, every bad input.

No server process and no port: the application is called in-process (the
fast loop). ``POST /api/recommend`` must be exactly ``recommend(case).to_dict()``;
bad input must be 400, 413, 415 or 422 with the CLI's diagnostics, never a 500.
"""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from helpers.strategies import raw_cases, seeded_cases
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from pnet_expert import KnowledgeBase, recommend
from pnet_expert.core.case import validate_case
from pnet_expert.core.errors import CaseError
from pnet_expert.knowledge.identity import about
from pnet_expert.web.app import create_app
from pnet_expert.web.guard import CSP
from pnet_expert.web.limits import Limits

CASE = {
    "tumor_type": "gastrinoma",
    "tumors": [{"site": "duodenum"}],
    "spread": ["lymph_nodes", "liver"],
    "liver_dominant": True,
    "severe_symptoms": True,
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app on the bundled knowledge base, called in-process."""
    with TestClient(create_app(), raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    """The OpenAPI document the server publishes."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def schema_of(openapi: dict[str, Any], name: str) -> dict[str, Any]:
    """One component schema, resolvable against the whole document (its $refs)."""
    return {"$ref": f"#/components/schemas/{name}", "components": openapi["components"]}


def codes_of(response: Any) -> list[str]:
    """The diagnostic codes of an error answer."""
    return [d["code"] for d in response.json()["diagnostics"]]


# ---------------------------------------------------------------- the library's answers


def test_recommend_is_exactly_the_library_on_seeded_cases(client: TestClient, kb: KnowledgeBase) -> None:
    """For 60 seeded cases (and the example), the API's JSON is recommend(case).to_dict(), key for key."""
    for case in [CASE, *seeded_cases(60, seed=15)]:
        response = client.post("/api/recommend", json=case)
        assert response.status_code == 200, response.text
        assert response.json() == recommend(case, kb).to_dict()
        assert response.headers["content-type"] == "application/json"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=raw_cases())
def test_recommend_agrees_or_refuses_like_the_library(
    client: TestClient, kb: KnowledgeBase, openapi: dict[str, Any], case: dict[str, Any]
) -> None:
    """Any generated case: the library's result (valid against its schema), or 422 with its diagnostics."""
    response = client.post("/api/recommend", json=case)
    refused: CaseError | None = None
    try:
        expected = recommend(case, kb).to_dict()
    except CaseError as error:
        refused = error
    if refused is not None:
        assert response.status_code == 422
        assert codes_of(response) == [d.code for d in refused.diagnostics]
        # The body is read as a case file is, so its problems are placed in it (body:line:col).
        placed = re.sub(r"(?m)^\[([A-Z]+-[EWI]\d+)\] body:\d+:\d+: ", r"[\1] ", response.json()["error"])
        assert placed == "\n".join(refused.tagged_lines())
        return
    assert response.status_code == 200
    assert response.json() == expected
    jsonschema.validate(response.json(), schema_of(openapi, "Consultation"))
    jsonschema.validate(case, schema_of(openapi, "Case"))


def test_yaml_and_toml_bodies_read_like_case_files(client: TestClient) -> None:
    """A YAML or TOML body (by its Content-Type) gives the same consultation as the JSON one."""
    yaml_text = "tumor_type: vipoma\nspread: [liver]\n"
    toml_text = 'tumor_type = "vipoma"\nspread = ["liver"]\n'
    expected = client.post("/api/recommend", json={"tumor_type": "vipoma", "spread": ["liver"]}).json()
    for text, kind in ((yaml_text, "application/yaml"), (toml_text, "application/toml")):
        response = client.post("/api/recommend", content=text, headers={"content-type": kind})
        assert response.json() == expected


def test_a_body_without_a_json_content_type_is_read_as_json(client: TestClient) -> None:
    """curl -d sends application/x-www-form-urlencoded: the body is still read as JSON."""
    body = json.dumps(CASE)
    response = client.post(
        "/api/recommend", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200
    assert response.json()["fired_rules"] == list(recommend(CASE).fired_rules)


def test_validate_says_valid_with_the_unknown_facts(client: TestClient, kb: KnowledgeBase) -> None:
    """A valid case: valid, the case as read, and every fact it leaves unknown."""
    response = client.post("/api/validate", json={"tumor_type": "insulinoma", "spread": []})
    assert response.status_code == 200
    answer = response.json()
    assert answer["valid"] is True
    assert answer["case"] == {"tumor_type": "insulinoma", "spread": []}
    assert answer["unknown_facts"] == [f for f in kb.facts if f not in ("tumor_type", "spread")]


def test_validate_lists_every_problem_with_its_field(client: TestClient) -> None:
    """An invalid case: 422, valid false, one diagnostic per problem with its code and path (CLI wording)."""
    response = client.post("/api/validate", json={"tumor_type": "insulinoma", "sevre_symptoms": True})
    assert response.status_code == 422
    answer = response.json()
    assert answer["valid"] is False
    (problem,) = answer["diagnostics"]
    assert problem["code"] == "CASE-E004"
    assert problem["path"] == "sevre_symptoms"
    assert problem["suggestion"] == "severe_symptoms"
    assert re.fullmatch(r"body:1:\d+", problem["origin"])  # the body is read as a case file: placed in it
    assert answer["error"].startswith(
        f"[CASE-E004] {problem['origin']}: sevre_symptoms: unknown key 'sevre_symptoms' "
        "(did you mean 'severe_symptoms'?)"
    )


def test_why_not_checks_every_rule_that_could_offer(client: TestClient) -> None:
    """WHY NOT: the rules offering a treatment, each condition with its truth; the text is the library's."""
    response = client.post("/api/why-not", json={"case": CASE, "treatment": "regional_chemotherapy"})
    assert response.status_code == 200
    answer = response.json()
    consultation = recommend(CASE)
    assert answer["text"] == consultation.why_not("regional_chemotherapy")
    assert [r["rule"] for r in answer["rules"]] == [
        c.rule.id for c in consultation.why_not_checks("regional_chemotherapy")
    ]
    assert answer["offered"] is False
    assert all(c["truth"] in ("true", "false", "unknown") for r in answer["rules"] for c in r["conditions"])


def test_kb_lists_rules_facts_and_treatments(client: TestClient, kb: KnowledgeBase) -> None:
    """GET /api/kb: every rule with its quote, every fact with its question, every treatment."""
    answer = client.get("/api/kb").json()
    assert [r["id"] for r in answer["rules"]] == list(kb.rules)
    assert [f["id"] for f in answer["facts"]] == list(kb.facts)
    assert [t["id"] for t in answer["treatments"]] == list(kb.treatments)
    assert answer["rules"][0]["quote"] == next(iter(kb.rules.values())).quote
    assert answer["knowledge_base"] == about(kb)
    assert answer["knowledge_base"]["bundled"] is True
    assert answer["knowledge_base"]["modified"] is False


# ---------------------------------------------------------------- the interview


def test_interview_asks_the_type_first_then_only_what_matters(client: TestClient) -> None:
    """No answers: the type of tumor, with WHY; an insulinoma is never asked about stomach acid."""
    first = client.post("/api/interview", json={}).json()
    assert first["done"] is False
    assert first["question"]["slot"] == "tumor_type"
    assert "chooses the section" in first["question"]["why"]["text"]
    answers: dict[str, Any] = {"tumor_type": "insulinoma"}
    asked = []
    for _ in range(30):
        step = client.post("/api/interview", json={"answers": answers}).json()
        if step["done"]:
            break
        question = step["question"]
        asked.append(question["slot"])
        answers[question["slot"]] = 1 if question["kind"] == "count" else question["choices"][0]["value"]
        if question["kind"] == "set":
            answers[question["slot"]] = [question["choices"][0]["value"]]
    assert step["done"] is True
    assert "acid_symptoms" not in asked
    assert step["result"] == recommend(step["case"]).to_dict()


def test_interview_why_names_the_waiting_rules(client: TestClient, openapi: dict[str, Any]) -> None:
    """A tumor's size is asked because rules wait on it; WHY lists them with their words and offers."""
    answers = {"tumor_type": "insulinoma", "tumors": 1, "tumors[0].site": "head"}
    step = client.post("/api/interview", json={"answers": answers}).json()
    jsonschema.validate(step, schema_of(openapi, "InterviewStep"))
    assert step["question"]["slot"] == "tumors[0].size"
    waiting = {r["rule"] for r in step["question"]["why"]["rules"]}
    assert "INS-01" in waiting
    assert step["facts"]["tumors"] == "answered"
    assert step["answers"] == answers


def test_interview_refuses_a_bad_answer_naming_its_slot(client: TestClient) -> None:
    """An answer the interview cannot take: 422 naming the slot and what is allowed (the REPL's words)."""
    response = client.post("/api/interview", json={"answers": {"tumor_type": "insulinomma"}})
    assert response.status_code == 422
    (problem,) = response.json()["diagnostics"]
    assert (problem["code"], problem["path"], problem["suggestion"]) == (
        "INPUT-E003",
        "tumor_type",
        "insulinoma",
    )
    response = client.post(
        "/api/interview", json={"answers": {"tumor_type": "gastrinoma", "tumors[3].site": "head"}}
    )
    assert response.status_code == 422
    assert codes_of(response) == ["INPUT-E003"]


def test_interview_bounds_its_answers(client: TestClient) -> None:
    """More answers than the limit: 422 with WEB-E008."""
    answers = {f"x{i}": "yes" for i in range(Limits().max_answers + 1)}
    response = client.post("/api/interview", json={"answers": answers})
    assert response.status_code == 422
    assert codes_of(response) == ["WEB-E008"]


# ---------------------------------------------------------------- bad input: never a 500


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{bad", 400, "FILE-E006"),
        (b"", 400, "FILE-E006"),
        (
            b"[" * 5000 + b"]" * 5000,
            400,
            "FILE-E013",
        ),  # closed: past the nesting limit, whatever the recursion limit
        (b"\xff\xfe", 400, "FILE-E003"),
        (b'{"tumor_type": "gastrinoma", "tumor_type": "vipoma"}', 400, "FILE-E009"),
        (b"[1, 2]", 422, "CASE-E001"),
        (b"null", 422, "CASE-E001"),
        (b'{"tumor_type": "gastrinoma", "spread": ["lungs"]}', 422, "CASE-E003"),
        (b'{"spread": []}', 422, "CASE-E005"),
        (b'{"tumor_type": "gastrinoma", "title": "\\u001b[31m"}', 422, "CASE-E011"),
        (
            b'{"tumor_type": "gastrinoma", "tumor_found": false, "tumors": [{"site": "head"}]}',
            422,
            "CASE-E012",
        ),
        (b'{"tumor_type": "gastrinoma", "spread": [' + b"9" * 5000 + b"]}", 400, "FILE-E013"),
    ],
)
def test_bad_bodies_get_their_status_and_code(
    client: TestClient, body: bytes, status: int, code: str
) -> None:
    """Each kind of bad body: its status (400 unreadable, 422 invalid) and the CLI's code, as JSON."""
    for endpoint in ("/api/recommend", "/api/validate"):
        response = client.post(endpoint, content=body, headers={"content-type": "application/json"})
        assert response.status_code == status, (endpoint, response.text)
        assert response.json()["diagnostics"][0]["code"] == code


def test_an_oversized_body_is_413_before_it_is_read(kb: KnowledgeBase) -> None:
    """A body past the limit is 413 (WEB-E001), by its Content-Length or as it streams; the limit is named."""
    with TestClient(create_app(kb, Limits(max_body=1000))) as small:
        response = small.post("/api/recommend", content=b" " * 1001)
        assert response.status_code == 413
        assert codes_of(response) == ["WEB-E001"]
        assert "at most 1000 bytes" in response.json()["error"]

        def chunks() -> Iterator[bytes]:
            yield b"{" + b" " * 600
            yield b" " * 600 + b"}"

        response = small.post("/api/recommend", content=chunks())
        assert response.status_code == 413
        page = small.post("/case", content=b"x" * 2000, headers={"content-type": "text/plain"})
        assert page.status_code == 413
        assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "where"),
    [
        ("/api/why-not", {"case": CASE}, 422, "WEB-E004", "treatment"),
        ("/api/why-not", {"case": CASE, "treatment": 7}, 422, "WEB-E004", "treatment"),
        ("/api/why-not", {"case": "gastrinoma", "treatment": "ablation"}, 422, "WEB-E004", "case"),
        ("/api/why-not", [CASE], 422, "WEB-E004", "body"),
        ("/api/why-not", {"case": CASE, "treatment": "ablaton"}, 422, "INPUT-E001", "treatment"),
        (
            "/api/why-not",
            {"case": {"tumor_type": "x"}, "treatment": "ablation"},
            422,
            "CASE-E003",
            "tumor_type",
        ),
        ("/api/interview", {"answers": []}, 422, "WEB-E004", "answers"),
        ("/api/interview", {"answers": {"tumor_type": {"a": 1}}}, 422, "WEB-E004", "answers.tumor_type"),
        ("/api/interview", {"answers": {"colour": "red"}}, 422, "INPUT-E001", "colour"),
        ("/api/interview", {"answers": {"tumor_type": None}}, 422, "INPUT-E005", "tumor_type"),
    ],
)
def test_bad_requests_name_the_part(
    client: TestClient, path: str, body: Any, status: int, code: str, where: str
) -> None:
    """A request missing a part, or with one of the wrong kind: 422 naming that part."""
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    first = response.json()["diagnostics"][0]
    assert (first["code"], first["path"]) == (code, where)


def test_a_multipart_body_is_415(client: TestClient) -> None:
    """The API reads a case, not a form upload: 415 saying what to send."""
    response = client.post("/api/recommend", files={"file": ("case.json", b"{}")})
    assert response.status_code == 415
    assert codes_of(response) == ["WEB-E002"]


def test_unknown_addresses_and_methods_answer_in_json(client: TestClient) -> None:
    """404 and 405 on the API are JSON with a code, and 405 says which method to use."""
    missing = client.get("/api/nothing")
    assert (missing.status_code, codes_of(missing)) == (404, ["WEB-E005"])
    wrong = client.get("/api/recommend")
    assert (wrong.status_code, codes_of(wrong)) == (405, ["WEB-E006"])
    assert wrong.headers["allow"] == "POST"


def test_work_past_the_time_limit_is_503(kb: KnowledgeBase) -> None:
    """A request whose work outlasts the limit is answered 503 (WEB-E003), naming the limit."""
    with TestClient(create_app(kb, Limits(request_seconds=0.0))) as hurried:
        response = hurried.post("/api/recommend", json=CASE)
    assert response.status_code == 503
    assert codes_of(response) == ["WEB-E003"]


# ---------------------------------------------------------------- the description and the headers


def test_openapi_describes_every_endpoint_with_the_kb_schemas(
    openapi: dict[str, Any], kb: KnowledgeBase
) -> None:
    """OpenAPI 3.1: each endpoint; the Case schema lists the KB's facts and values; valid 2020-12 schemas."""
    assert openapi["openapi"].startswith("3.1")
    assert set(openapi["paths"]) >= {
        "/api/recommend",
        "/api/validate",
        "/api/why-not",
        "/api/interview",
        "/api/kb",
    }
    schemas = openapi["components"]["schemas"]
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    case = schemas["Case"]
    assert set(case["properties"]) >= set(kb.facts)
    assert case["required"] == ["tumor_type"]
    assert case["properties"]["tumor_type"]["enum"] == list(kb.facts["tumor_type"].value_ids)
    assert kb.disclaimer in openapi["info"]["description"]


def test_the_case_schema_refuses_what_validation_refuses(openapi: dict[str, Any], kb: KnowledgeBase) -> None:
    """Cases the library refuses for their shape (a bad value, an unknown key) the schema refuses too."""
    validator = jsonschema.Draft202012Validator(schema_of(openapi, "Case"))
    for bad in (
        {"tumor_type": "x"},
        {"tumor_type": "gastrinoma", "spread": ["lungs"]},
        {"tumor_type": "gastrinoma", "sevre_symptoms": True},
        {"tumor_type": "gastrinoma", "tumors": [{"size": "small"}]},
        {"spread": []},
    ):
        with pytest.raises(CaseError):
            validate_case(bad, kb)
        assert not validator.is_valid(bad), bad


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    """CSP (default-src 'self', no inline script), nosniff, no referrer, no framing, no-store: everywhere."""
    for response in (
        client.get("/"),
        client.get("/api/kb"),
        client.post("/api/recommend", content=b"{"),
        client.get("/nowhere"),
    ):
        headers = response.headers
        assert headers["content-security-policy"] == CSP
        assert "default-src 'self'" in CSP
        assert "script-src 'self'" in CSP
        assert "unsafe-inline" not in CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"


# ---------------------------------------------------------------- the tutor's seam


def test_grade_is_served_when_the_tutor_is_installed(
    monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase
) -> None:
    """POST /api/grade hands the case and list to tutor.grade, returns its to_dict(); no route without it."""
    calls: list[tuple[Any, Any, Any, str]] = []

    class FakeGrade:
        def to_dict(self) -> dict[str, Any]:
            return {"score": 1.0}

    def grade(case: Any, proposed: Any, kb: Any = None, *, field: str = "proposed_ids") -> FakeGrade:
        calls.append((case, proposed, kb, field))
        return FakeGrade()

    tutor = types.ModuleType("pnet_expert.tutor")
    tutor.grade = grade  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pnet_expert.tutor", tutor)
    with TestClient(create_app(kb)) as with_tutor:
        response = with_tutor.post("/api/grade", json={"case": CASE, "proposed": ["ablation"]})
        assert (response.status_code, response.json()) == (200, {"score": 1.0})
        assert calls == [(CASE, ["ablation"], kb, "proposed")]
        assert "/api/grade" in with_tutor.get("/openapi.json").json()["paths"]
        missing = with_tutor.post("/api/grade", json={"case": CASE})
        assert (missing.status_code, codes_of(missing)) == (422, ["WEB-E004"])
    monkeypatch.setitem(sys.modules, "pnet_expert.tutor", None)
    with TestClient(create_app(kb)) as without:
        assert without.post("/api/grade", json={}).status_code == 404


def test_a_bug_is_a_500_that_says_so(monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase) -> None:
    """An error that is no bad input (a bug) is a JSON 500 saying it is a bug, with no traceback in it."""

    def broken(case: Any, kb: Any = None) -> Any:
        message = "a bug"
        raise RuntimeError(message)

    monkeypatch.setattr("pnet_expert.web.api.recommend", broken)
    with TestClient(create_app(kb), raise_server_exceptions=False) as buggy:
        response = buggy.post("/api/recommend", json=CASE)
    assert response.status_code == 500
    assert response.json()["error"] == (
        "internal error: RuntimeError; this is a bug, not a problem with the request"
    )
    assert response.headers["content-security-policy"] == CSP


def test_every_answer_names_the_knowledge_base_an_edited_one_as_modified(tiny_kb: KnowledgeBase) -> None:
    """validate, why-not and an unfinished interview carry knowledge_base too: modified, its fingerprint."""
    with TestClient(create_app(tiny_kb)) as edited:
        answers = [
            edited.post("/api/validate", json={"tumor_type": "gastrinoma"}).json(),
            edited.post(
                "/api/why-not", json={"case": {"tumor_type": "gastrinoma"}, "treatment": "chemotherapy"}
            ).json(),
            edited.post("/api/interview", json={}).json(),
        ]
    for answer in answers:
        assert answer["knowledge_base"]["modified"] is True
        assert answer["knowledge_base"]["fingerprint"] == tiny_kb.fingerprint[:12]
