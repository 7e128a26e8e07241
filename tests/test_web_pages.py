"""The pages through the ASGI test client, submitted as a browser without JavaScript would submit them.

A consultation is walked through its forms only (the hidden answers, the
radio buttons, the buttons), to the options, which must be the library's for
the case the answers make. Case text is always escaped; no page has a script
or an inline style (the CSP would refuse them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import EXAMPLES, edit
from helpers.forms import Form, forms
from starlette.testclient import TestClient

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.consult.interview import answer_from_case
from pnet_expert.consult.questions import question_for
from pnet_expert.files.casefile import read_case
from pnet_expert.web.app import create_app

PLANTED = '<script>document.title="PWNED"</script><img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app on the bundled knowledge base, called in-process."""
    with TestClient(create_app()) as test_client:
        yield test_client


def step_form(html: str) -> Form:
    """The form that answers the question of a step."""
    return next(f for f in forms(html) if "step" in f.classes)


def submit(client: TestClient, form: Form, values: list[tuple[str, str]], button: tuple[str, str]) -> Any:
    """Submit a form by GET with its hidden fields, the values chosen and the button pressed."""
    return client.get(form.action, params=[*form.hidden, *values, button])


def walk(client: TestClient, kb: KnowledgeBase, case: dict[str, Any]) -> tuple[Any, int]:
    """Answer each step's question from a case, through the forms, to the options: last page, steps."""
    page = client.get("/consult")
    for count in range(40):
        if "step" not in {c for f in forms(page.text) for c in f.classes.split()}:
            return page, count
        form = step_form(page.text)
        slot = dict(form.hidden)["q"]
        question = question_for(kb.facts, slot)
        words = question.typed(answer_from_case(question, case)).split()
        values = [("v", w) for w in words]
        for value in values:
            assert value in form.choices or "v" in form.texts, (slot, value, form.choices)
        page = submit(client, form, values, ("do", "answer"))
        assert page.status_code == 200, page.text
    message = "the consultation does not end"
    raise AssertionError(message)


def no_script_no_inline_style(html: str) -> None:
    """No script element, no event handler, no inline style: the page works under the strict CSP."""
    assert not re.search(r"<script|<style|<[^>]*\s(on\w+|style)=", html, re.IGNORECASE)


# ---------------------------------------------------------------- a consultation through its forms


@pytest.mark.parametrize(
    "name", ["gastrinoma-liver-severe", "insulinoma-small-body-gap", "vipoma-liver", "recurrent-liver"]
)
def test_a_consultation_walked_through_the_forms_ends_with_the_librarys_options(
    client: TestClient, kb: KnowledgeBase, name: str
) -> None:
    """Each step's form answered from an example case: the end shows recommend's options for the answers."""
    case = dict(read_case(EXAMPLES / "cases" / f"{name}.yaml"))
    page, count = walk(client, kb, case)
    assert count >= 2
    assert "Nothing more can change the options" in page.text
    link = re.search(r'href="/consult/case.yaml\?([^"]+)"', page.text)
    assert link is not None
    kept = yaml.safe_load(client.get("/consult/case.yaml?" + link.group(1).replace("&amp;", "&")).text)
    expected = recommend({k: v for k, v in kept.items() if v is not None}, kb)
    shown = re.findall(r'<details class="option" id="option-([\w]+)"', page.text)
    assert shown == [o.id for o in expected.treatments]
    no_script_no_inline_style(page.text)


def test_a_consultation_shows_its_cautions_and_silences(client: TestClient, kb: KnowledgeBase) -> None:
    """Walked to the end, an unresectable insulinoma in the head spread to the lymph nodes shows CAU-01 on
    surgery (INS-01), and a gastrinoma spread to the lymph nodes only its silence (RD-09, RD-10)."""
    case = {
        "tumor_type": "insulinoma",
        "tumors": [{"site": "head", "size": "small"}],
        "spread": ["lymph_nodes"],
        "resectable": False,
    }
    page, _ = walk(client, kb, case)
    assert 'class="caution" data-caution="CAU-01"><strong>Caution</strong> (CAU-01, on INS-01)' in page.text
    assert '<aside class="reading" data-reading="RD-09">' in page.text
    page, _ = walk(client, kb, {"tumor_type": "gastrinoma", "spread": ["lymph_nodes"]})
    assert "the gastrinoma section says nothing specific about spread = [lymph_nodes]" in page.text
    assert '<aside class="reading" data-reading="RD-10">' in page.text
    no_script_no_inline_style(page.text)


def test_every_step_says_why_and_shows_the_facts(client: TestClient) -> None:
    """A step has its question, WHY with the waiting rules and their quotes, the facts table, and Back."""
    page = client.get("/consult?a=tumor_type%3Dinsulinoma&a=tumors%3D1&a=tumors%5B0%5D.site%3Dhead")
    assert page.status_code == 200
    assert "Is tumor 1 small or large?" in page.text
    assert '<details class="why" id="why">' in page.text
    assert 'data-rule="INS-01"' in page.text
    assert 'data-fact="tumor_type"' in page.text
    assert ("do", "back") in step_form(page.text).buttons
    no_script_no_inline_style(page.text)


def test_a_bad_answer_is_shown_with_its_code_and_asked_again(client: TestClient) -> None:
    """No choice made: 422, the REPL's message with its code, the same question, the answers kept."""
    page = client.get("/consult", params=[("a", "tumor_type=gastrinoma"), ("q", "tumors"), ("v", "many")])
    assert page.status_code == 422
    assert "INPUT-E003" in page.text
    assert "&#39;many&#39; is not an answer here" in page.text
    form = step_form(page.text)
    assert dict(form.hidden)["q"] == "tumors"
    assert ("a", "tumor_type=gastrinoma") in form.hidden


def test_back_and_change_go_back_a_step_and_ask_again(client: TestClient) -> None:
    """Back drops the last answer; Change asks a fact again, showing its answer now."""
    state = [("a", "tumor_type=gastrinoma"), ("a", "tumors=1"), ("a", "tumors[0].site=head")]
    back = client.get("/consult", params=[*state, ("do", "back")])
    assert dict(step_form(back.text).hidden)["q"] == "tumors[0].site"
    change = client.get("/consult", params=[*state, ("do", "change"), ("f", "tumor_type")])
    assert dict(step_form(change.text).hidden)["q"] == "tumor_type"
    assert "Now: gastrinoma." in change.text
    assert 'value="gastrinoma" checked' in change.text


def test_why_not_is_shown_for_any_treatment(client: TestClient) -> None:
    """WHY NOT lists each rule that could offer the treatment and its conditions on the case so far."""
    state = [("a", "tumor_type=gastrinoma"), ("a", "spread=liver")]
    page = client.get("/consult", params=[*state, ("do", "whynot"), ("t", "regional_chemotherapy")])
    assert page.status_code == 200
    assert 'id="whynot-result" data-treatment="regional_chemotherapy"' in page.text
    assert "it is not offered for this case" in page.text
    unknown = client.get("/consult", params=[*state, ("do", "whynot"), ("t", "chemo")])
    assert unknown.status_code == 422
    assert "INPUT-E001" in unknown.text


def test_a_tampered_state_is_refused_and_escaped(client: TestClient) -> None:
    """A state that is no answer (a script in it) is 422 with its code, shown as text."""
    page = client.get("/consult", params=[("a", f"tumor_type={PLANTED}")])
    assert page.status_code == 422
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text
    odd = client.get("/consult", params=[("a", "no equals sign")])
    assert odd.status_code == 422
    assert "WEB-E004" in odd.text


def test_the_report_of_a_consultation_is_the_case_report(client: TestClient) -> None:
    """The full report of the answers: the case report's options, in the site's frame, its style linked."""
    page = client.get("/consult/report?a=tumor_type%3Dvipoma&a=spread%3Dliver")
    assert page.status_code == 200
    expected = recommend({"tumor_type": "vipoma", "spread": ["liver"]})
    assert re.findall(r'data-treatment="(\w+)"', page.text) == [o.id for o in expected.treatments]
    assert '<link rel="stylesheet" href="/static/style.css">' in page.text
    no_script_no_inline_style(page.text)
    empty = client.get("/consult/report")
    assert empty.status_code == 422
    assert "INPUT-E006" in empty.text


# ---------------------------------------------------------------- a case file, uploaded or pasted


def test_a_pasted_case_with_a_planted_script_is_reported_as_text(client: TestClient) -> None:
    """A pasted YAML case: its report, the planted script escaped, a link to continue as a consultation."""
    text = f"tumor_type: gastrinoma\nspread: [liver]\ndescription: '{PLANTED}'\n"
    page = client.post("/case", data={"text": text, "kind": "auto"}, files={"file": ("", b"")})
    assert page.status_code == 200
    assert "<script>document.title" not in page.text
    assert "&lt;script&gt;document.title" in page.text
    assert "Continue as a consultation" in page.text
    no_script_no_inline_style(page.text)


def test_an_uploaded_file_is_read_by_its_suffix(client: TestClient) -> None:
    """An uploaded TOML file is read as TOML (its name says so)."""
    toml = b'tumor_type = "insulinoma"\n\n[[tumors]]\nsite = "head"\nsize = "small"\n'
    page = client.post("/case", files={"file": ("case.toml", toml)})
    assert page.status_code == 200
    expected = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}]})
    assert re.findall(r'data-treatment="(\w+)"', page.text) == [o.id for o in expected.treatments]


def test_a_bad_case_keeps_the_text_and_lists_every_problem(client: TestClient) -> None:
    """An invalid case: 422, each problem with its code, and the text kept in the form to correct."""
    text = "tumor_type: insulin\nsevre_symptoms: true\n"
    page = client.post("/case", data={"text": text, "kind": "yaml"}, files={"file": ("", b"")})
    assert page.status_code == 422
    assert 'data-code="CASE-E003"' in page.text
    assert 'data-code="CASE-E004"' in page.text
    assert "tumor_type: insulin\nsevre_symptoms: true" in page.text
    nothing = client.post("/case", data={"text": "  "}, files={"file": ("", b"")})
    assert nothing.status_code == 422
    assert "WEB-E004" in nothing.text


# ---------------------------------------------------------------- the other pages


def test_home_kb_and_stylesheet(client: TestClient, kb: KnowledgeBase) -> None:
    """Home says what this is and is not; the KB page shows every rule; the stylesheet is served as CSS."""
    home = client.get("/")
    assert "not medical advice" in home.text
    assert 'href="/consult"' in home.text
    no_script_no_inline_style(home.text)
    kb_page = client.get("/kb")
    assert re.findall(r'<article class="kb-rule" id="rule-([\w-]+)"', kb_page.text) == list(kb.rules)
    no_script_no_inline_style(kb_page.text)
    css = client.get("/static/style.css")
    assert css.headers["content-type"].startswith("text/css")
    assert ".pnet-report" in css.text
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert "WEB-E005" in missing.text


def test_pages_and_api_of_an_edited_copy_say_modified(kb_copy: Path) -> None:
    """Served from an edited copy, every page's notice and the API's knowledge_base say MODIFIED."""
    edit(
        kb_copy / "rules" / "gastrinoma.yaml",
        "Treatment of gastrinoma may include",
        "Treatment of gastrinoma can include",
    )
    with TestClient(create_app(load_knowledge_base(kb_copy))) as edited:
        home = edited.get("/").text
        assert 'data-modified="true"' in home
        assert "<strong>MODIFIED</strong>" in home
        who = edited.get("/api/kb").json()["knowledge_base"]
        assert (who["modified"], who["differs_from_bundled"]["rule_ids"]) == (True, ["GAS-01"])
    with TestClient(create_app()) as bundled:
        assert 'data-modified="false"' in bundled.get("/").text
