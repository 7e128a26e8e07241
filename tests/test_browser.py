"""HTML reports in a real browser: headless Chromium opens them from disk with the network blocked.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
the browser reads commands on its fd 3 and writes answers on fd 4), so no
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
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, ROOT

from pnet_expert import KnowledgeBase, recommend
from pnet_expert.explain.reports.render import kb_html
from pnet_expert.files.casefile import read_case, write_atomic

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("PNET_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
PHONE = (390, 844)
DESKTOP = (1100, 900)

PLANTED = (
    'Planted: <script>document.title = "PWNED"; document.documentElement.dataset.pwned = "script"</script>'
    '<img src="x" onerror="document.documentElement.dataset.pwned = \'img\'">'
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)),
        reason=f"Chromium is not installed ({CHROMIUM} not found; apt-get install chromium): "
        "the real-browser test needs it",
    ),
]


class BrowserError(RuntimeError):
    """Chromium did not start, did not answer, or answered with an error."""


class Chromium:
    """Headless Chromium on a DevTools pipe: one browser, pages opened from files, no network."""

    def __init__(self, profile: Path) -> None:
        ours_read, theirs_write = os.pipe()  # Chromium writes answers to its fd 4
        theirs_read, ours_write = os.pipe()  # Chromium reads commands from its fd 3

        def onto_3_and_4() -> None:
            # In the child: the pipe ends onto fds 3 and 4, inheritable (dup2), all else closes on exec.
            read_end = fcntl.fcntl(theirs_read, fcntl.F_DUPFD_CLOEXEC, 10)
            write_end = fcntl.fcntl(theirs_write, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        flags = [
            "--headless",
            # The sandbox needs privileges a root CI container does not give; this browser only
            # opens local files the test just wrote, with the network blocked.
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            # No network: a dead proxy for every request, and no name resolves.
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "about:blank",
        ]
        self.log = profile / "chromium.log"
        with self.log.open("wb") as log:
            # preexec_fn is what puts the pipe on fds 3 and 4 (subprocess cannot renumber fds).
            self.process = subprocess.Popen(
                [CHROMIUM, *flags],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                close_fds=False,
                preexec_fn=onto_3_and_4,
            )
        for fd in (theirs_read, theirs_write):
            os.close(fd)
        self._in = ours_read
        self._out = ours_write
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    # ------------------------------------------------------------ protocol

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        """Send one command and wait for its answer (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._out, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise BrowserError(self._died()) from None
        while True:
            answer = self._read(30.0)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    problem = f"{method}: {answer['error']}"
                    raise BrowserError(problem)
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method: str, session: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait for an event of one page (or take it from those already received)."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self.events.append(self._read(deadline - time.monotonic()))

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._in], [], [], max(left, 0))
            if not ready:
                problem = f"Chromium did not answer in {timeout:.0f} s"
                raise BrowserError(problem)
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError(self._died())
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def _died(self) -> str:
        self.process.poll()
        log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        return f"Chromium closed the pipe (exit status {self.process.returncode}):\n{log}"

    # ------------------------------------------------------------ pages

    def open(self, path: Path, size: tuple[int, int], mobile: bool = False) -> str:
        """Open a file in a new page of this size; return the page's session once it has loaded."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Network.enable", session=session)
        self.call("Page.enable", session=session)
        width, height = size
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
        self.call("Emulation.setDeviceMetricsOverride", metrics, session=session)
        self.call("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        self.wait_for("Page.loadEventFired", session)
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        """The value of a JavaScript expression in the page (DevTools, not the page's own scripts)."""
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
        )
        if "exceptionDetails" in result:
            problem = f"{expression}: {result['exceptionDetails']}"
            raise BrowserError(problem)
        return result["result"].get("value")

    def screenshot(self, session: str, path: Path, max_height: int = 8000) -> None:
        """The page as a PNG, from the top, down to ``max_height`` CSS pixels."""
        size = self.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
        height = min(size["height"], max_height)
        clip = {"x": 0, "y": 0, "width": size["width"], "height": height, "scale": 1}
        shot = self.call(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": clip},
            session=session,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def requests(self, session: str) -> list[str]:
        """The URLs the page asked for so far."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session
        ]

    def close(self) -> None:
        """Ask Chromium to quit; kill it if it does not."""
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for fd in (self._in, self._out):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """One headless Chromium for the module's tests."""
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        chromium.call("Browser.getVersion")
        yield chromium
    finally:
        chromium.close()


VISIBLE = """(sel) => Array.from(document.querySelectorAll(sel)).map(el => {
    const box = el.getBoundingClientRect();
    const shown = el.checkVisibility({visibilityProperty: true, opacityProperty: true});
    return {key: el.dataset.treatment || el.dataset.rule || el.id, text: el.innerText,
            visible: box.width > 0 && box.height > 0 && shown};
})"""


def visible(browser: Chromium, session: str, selector: str) -> list[dict[str, Any]]:
    """Each element a selector finds: its key, its text, and whether it is visible."""
    return browser.evaluate(session, f"({VISIBLE})({json.dumps(selector)})")  # type: ignore[no-any-return]


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
