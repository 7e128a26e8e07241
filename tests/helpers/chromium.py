"""Headless Chromium driven over the DevTools protocol on a pipe, for the real-browser tests.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
the browser reads commands on its fd 3 and writes answers on fd 4), so no
browser is downloaded, no port is opened for it and no extra package is
needed. The network is blocked: every host resolves to nothing and every
request goes to a dead proxy; with ``loopback=True`` the machine's own
addresses are still reached (a server a test started on 127.0.0.1). The
pages' own requests are recorded.
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
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = (390, 844)
DESKTOP = (1100, 900)


def chromium_installed() -> bool:
    """Whether Debian's Chromium (or $CHROMIUM) is there to run."""
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


class BrowserError(RuntimeError):
    """Chromium did not start, did not answer, or answered with an error."""


class Chromium:
    """Headless Chromium on a DevTools pipe: one browser, pages opened from files, no network."""

    def __init__(self, profile: Path, loopback: bool = False) -> None:
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
            # No network: a dead proxy for every request (the machine's own addresses too, unless
            # loopback), and no name resolves.
            "--proxy-server=127.0.0.1:9",
            *([] if loopback else ["--proxy-bypass-list=<-loopback>"]),
            "--host-resolver-rules=MAP * ~NOTFOUND" + (", EXCLUDE 127.0.0.1" if loopback else ""),
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

    def open(
        self, path: Path | str, size: tuple[int, int], mobile: bool = False, javascript: bool = True
    ) -> str:
        """Open a file (or a URL) in a new page of this size; return the page's session once it has loaded.

        With ``javascript=False`` the page's own scripts are off (DevTools' evaluations still run).
        """
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Network.enable", session=session)
        self.call("Page.enable", session=session)
        width, height = size
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
        self.call("Emulation.setDeviceMetricsOverride", metrics, session=session)
        if not javascript:
            self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session=session)
        url = path if isinstance(path, str) else path.resolve().as_uri()
        self.navigate(session, url)
        return session

    def navigate(self, session: str, url: str) -> None:
        """Go to a URL in a page and wait until it has loaded."""
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session)

    def load_after(self, session: str, expression: str) -> None:
        """Evaluate an expression that makes the page go elsewhere (a click), and wait for the load."""
        self.evaluate(session, expression)
        self.wait_for("Page.loadEventFired", session)

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


VISIBLE = """(sel) => Array.from(document.querySelectorAll(sel)).map(el => {
    const box = el.getBoundingClientRect();
    const shown = el.checkVisibility({visibilityProperty: true, opacityProperty: true});
    return {key: el.dataset.treatment || el.dataset.rule || el.id, text: el.innerText,
            visible: box.width > 0 && box.height > 0 && shown};
})"""


def visible(browser: Chromium, session: str, selector: str) -> list[dict[str, Any]]:
    """Each element a selector finds: its key, its text, and whether it is visible."""
    return browser.evaluate(session, f"({VISIBLE})({json.dumps(selector)})")  # type: ignore[no-any-return]
