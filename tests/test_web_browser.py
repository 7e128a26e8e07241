"""The web app in a real browser: Debian's headless Chromium against ``pnet-expert serve`` on 127.0.0.1.

The server is started as a process on a loopback port; Chromium reaches that
address only (every other host resolves to nothing, every other request goes
to a dead proxy). With the pages' JavaScript off, as a locked-down classroom
machine might have it, the start page loads styled (its stylesheet allowed by
the CSP) and a consultation is walked through its forms, by clicking answers
and buttons, to the options, which must be the library's. A case pasted with
a planted script shows it as text, and it never runs (the page's JavaScript on,
so that it could). Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT
from helpers.chromium import CHROMIUM, DESKTOP, PHONE, Chromium, chromium_installed, visible

from pnet_expert import recommend

ARTIFACTS = Path(os.environ.get("PNET_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
PLANTED = (
    '<script>document.title = "PWNED"; document.documentElement.dataset.pwned = "script"</script>'
    '<img src="x" onerror="document.documentElement.dataset.pwned = \'img\'">'
)
ANSWERS = {
    "tumor_type": "gastrinoma",
    "tumors": "1",
    "tumors[0].site": "duodenum",
    "spread": ["lymph_nodes", "liver"],
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not chromium_installed(),
        reason=f"Chromium is not installed ({CHROMIUM} not found; apt-get install chromium): "
        "the real-browser test needs it",
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``pnet-expert serve`` on a free loopback port, stopped with SIGTERM at the end; its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pnet_expert", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    match = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline())
    try:
        assert match is not None, process.stderr.read() if process.stderr else ""
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """One headless Chromium that may reach 127.0.0.1 and nothing else."""
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"), loopback=True)
    try:
        chromium.call("Browser.getVersion")
        yield chromium
    finally:
        chromium.close()


def only_the_server(browser: Chromium, session: str, url: str) -> None:
    """Every request the page made went to the server."""
    urls = browser.requests(session)
    assert urls
    assert all(u.startswith(url) for u in urls), urls


def test_the_start_page_loads_styled_with_javascript_off(browser: Chromium, server: str) -> None:
    """JavaScript off: the start page shows the notice and its links, styled by the linked stylesheet."""
    session = browser.open(server, DESKTOP, javascript=False)
    assert browser.evaluate(session, "document.scripts.length") == 0
    (notice,) = visible(browser, session, "#notice")
    assert notice["visible"]
    assert "not medical advice" in notice["text"]
    background = browser.evaluate(
        session, "getComputedStyle(document.querySelector('#notice')).backgroundColor"
    )
    assert background == "rgb(255, 245, 220)", "the stylesheet did not apply"
    links = browser.evaluate(
        session, "Array.from(document.querySelectorAll('nav.site a')).map(a => a.pathname)"
    )
    assert links == ["/", "/consult", "/case", "/kb", "/openapi.json"]
    only_the_server(browser, session, server)
    browser.screenshot(session, ARTIFACTS / "web-home.png")


def choose(browser: Chromium, session: str, words: list[str]) -> None:
    """Tick the answers (radio buttons or checkboxes) or type the number, then press Answer."""
    for word in words:
        found = browser.evaluate(
            session,
            f"""(() => {{
                const box = document.querySelector('form.step input[name=v][value={json.dumps(word)}]');
                if (box) {{ box.click(); return true; }}
                const text = document.querySelector('form.step input[type=text][name=v]');
                if (text) {{ text.value = {json.dumps(word)}; return true; }}
                return false;
            }})()""",
        )
        assert found, word
    browser.load_after(session, "document.querySelector('form.step button[value=answer]').click()")


def test_a_consultation_through_the_forms_with_javascript_off(browser: Chromium, server: str) -> None:
    """Click by click, with the page's JavaScript off, to the options: the library's, each visible."""
    session = browser.open(server + "consult", PHONE, mobile=True, javascript=False)
    asked = []
    for _ in range(20):
        slot = browser.evaluate(session, "document.querySelector('form.step input[name=q]')?.value || ''")
        if not slot:
            break
        asked.append(slot)
        wanted = ANSWERS.get(slot, "unknown")
        choose(browser, session, wanted if isinstance(wanted, list) else [wanted])
        assert browser.evaluate(session, "document.querySelectorAll('#problems').length") == 0, slot
        width = browser.evaluate(session, "document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"step {slot} is {width}px wide on a {PHONE[0]}px screen"
    assert asked[:3] == ["tumor_type", "tumors", "tumors[0].site"]  # a tumor listed: tumor_found not asked
    assert browser.evaluate(session, "document.querySelector('#done h2').innerText").startswith(
        "Nothing more"
    )
    case = {
        "tumor_type": "gastrinoma",
        "tumors": [{"site": "duodenum"}],
        "spread": ["lymph_nodes", "liver"],
    }
    expected = [o.id for o in recommend(case).treatments]
    options = visible(browser, session, "#options [data-treatment]")
    assert [o["key"] for o in options] == expected
    assert all(o["visible"] for o in options)
    browser.screenshot(session, ARTIFACTS / "web-consult-done-phone.png", max_height=4000)
    browser.load_after(session, "document.querySelector('#done a[href^=\"/consult/report\"]').click()")
    report = visible(browser, session, "article.option[data-treatment]")
    assert [o["key"] for o in report] == expected
    only_the_server(browser, session, server)


def test_a_planted_script_in_a_pasted_case_stays_inert(browser: Chromium, server: str) -> None:
    """JavaScript on: a case pasted with a script and an event handler is reported; neither ever runs."""
    session = browser.open(server + "case", DESKTOP)
    case = f"tumor_type: vipoma\nspread: [liver]\ndescription: {json.dumps(PLANTED)}\n"
    browser.evaluate(session, f"document.querySelector('#text').value = {json.dumps(case)}")
    browser.load_after(session, "document.querySelector('form.case-form button[type=submit]').click()")
    assert browser.evaluate(session, "document.title") != "PWNED"
    assert browser.evaluate(session, "document.documentElement.dataset.pwned || ''") == ""
    assert browser.evaluate(session, "document.querySelectorAll('script, img').length") == 0
    shown = browser.evaluate(session, "document.querySelector('.case-description').innerText")
    assert shown == PLANTED
    options = visible(browser, session, "article.option[data-treatment]")
    expected = recommend({"tumor_type": "vipoma", "spread": ["liver"]})
    assert [o["key"] for o in options] == [o.id for o in expected.treatments]
    only_the_server(browser, session, server)
    browser.screenshot(session, ARTIFACTS / "web-case-planted.png", max_height=3000)
