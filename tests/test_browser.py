"""HTML reports in a real browser: headless Chromium opens them from disk with the network blocked.

Chromium is driven over the DevTools protocol on a pipe (``helpers/chromium.py``), so no
browser is downloaded, no port is opened and no extra package is needed. The
network is blocked twice over: every host resolves to nothing and every
request goes to a dead proxy; the page's own requests are recorded as well.

Checks: the options and the notice are visible, a ``<script>`` planted in a
case description did not run (it is shown as text), the page does not scroll
sideways at phone width, and it prints. Screenshots (and the PDF) are kept
under ``test-artifacts/browser/`` (gitignored). The test skips, saying why,
when Chromium is not installed (``apt-get install chromium``; ``.ci/run``
installs it).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, ROOT
from helpers.chromium import CHROMIUM, DESKTOP, PHONE, Chromium, chromium_installed, visible

from pnet_expert import KnowledgeBase, recommend
from pnet_expert.explain.reports.render import kb_html
from pnet_expert.files.casefile import read_case, write_atomic

ARTIFACTS = Path(os.environ.get("PNET_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "browser"

PLANTED = (
    'Planted: <script>document.title = "PWNED"; document.documentElement.dataset.pwned = "script"</script>'
    '<img src="x" onerror="document.documentElement.dataset.pwned = \'img\'">'
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not chromium_installed(),
        reason=f"Chromium is not installed ({CHROMIUM} not found; apt-get install chromium): "
        "the real-browser test needs it",
    ),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """One headless Chromium for the module's tests."""
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        chromium.call("Browser.getVersion")
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="module")
def planted_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A case report whose description and notes carry a script and an event handler."""
    case = dict(read_case(EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"))
    case["description"] = PLANTED
    case["notes"] = "<b>not bold</b> & <a href='https://example.org/'>no link</a>"
    consultation = recommend(case)
    path = tmp_path_factory.mktemp("report") / "planted.html"
    write_atomic(path, consultation.to_html())
    return path, consultation


def test_report_options_visible_and_planted_script_inert(
    browser: Chromium, planted_report: tuple[Path, Any]
) -> None:
    """On a desktop-sized page every option and the notice are visible, and the planted script never ran."""
    path, consultation = planted_report
    session = browser.open(path, DESKTOP)
    assert browser.evaluate(session, "document.title").startswith(
        "Treatment options: gastrinoma-liver-severe"
    )
    assert browser.evaluate(session, "document.documentElement.dataset.pwned || ''") == ""
    assert browser.evaluate(session, "document.querySelectorAll('script, img, a[href^=http]').length") == 0
    description = browser.evaluate(session, "document.querySelector('.case-description').innerText")
    assert "<script>" in description
    assert 'document.title = "PWNED"' in description
    notes = browser.evaluate(session, "document.querySelector('.case-notes').innerText")
    assert notes.startswith("<b>not bold</b> & <a href=")

    options = {o["key"]: o for o in visible(browser, session, "[data-treatment]")}
    assert list(options) == [o.id for o in consultation.treatments]
    for option in consultation.treatments:
        assert options[option.id]["visible"], option.id
        assert option.label in options[option.id]["text"]
    (notice,) = visible(browser, session, "#notice")
    assert notice["visible"]
    assert "not medical advice" in notice["text"]
    assert (
        browser.evaluate(session, "document.querySelectorAll('#diagram svg, #diagram ol.steps').length") >= 1
    )

    urls = browser.requests(session)
    assert urls, "the page's own request was not recorded"
    assert all(u.startswith("file://") for u in urls), urls
    browser.screenshot(session, ARTIFACTS / "case-report-desktop.png")


def test_report_reads_at_phone_width(browser: Chromium, planted_report: tuple[Path, Any]) -> None:
    """At phone width the page does not scroll sideways and the options are still visible."""
    path, consultation = planted_report
    session = browser.open(path, PHONE, mobile=True)
    width = browser.evaluate(session, "document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"the page is {width}px wide at a {PHONE[0]}px screen"
    assert all(o["visible"] for o in visible(browser, session, "[data-treatment]"))
    assert len(visible(browser, session, "[data-treatment]")) == len(consultation.treatments)
    browser.screenshot(session, ARTIFACTS / "case-report-phone.png")


def test_report_prints(browser: Chromium, planted_report: tuple[Path, Any]) -> None:
    """In print the contents bar goes, the options stay, and Chromium makes a PDF of the page."""
    path, _ = planted_report
    session = browser.open(path, DESKTOP)
    browser.call("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
    assert not visible(browser, session, "nav.toc")[0]["visible"]
    assert all(o["visible"] for o in visible(browser, session, "[data-treatment]"))
    pdf = base64.b64decode(
        browser.call("Page.printToPDF", {"printBackground": False}, session=session)["data"]
    )
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "case-report.pdf").write_bytes(pdf)


def test_kb_report_in_the_browser(browser: Chromium, kb: KnowledgeBase, tmp_path: Path) -> None:
    """The knowledge-base report shows every rule, offline, and fits a phone's width."""
    path = tmp_path / "kb.html"
    write_atomic(path, kb_html(kb))
    session = browser.open(path, PHONE, mobile=True)
    rules = visible(browser, session, "article.kb-rule")
    assert [r["key"] for r in rules] == list(kb.rules)
    assert all(r["visible"] for r in rules)
    assert browser.evaluate(session, "document.documentElement.scrollWidth") <= PHONE[0]
    assert all(u.startswith("file://") for u in browser.requests(session))
    browser.screenshot(session, ARTIFACTS / "kb-report-phone.png", max_height=3000)
