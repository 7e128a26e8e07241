"""The guard in front of every request: security headers, and a body read whole within the limits.

Pure ASGI middleware (no Starlette needed here), so that nothing reaches the
application before its limits are checked:

* the body is read before the app sees it, at most ``Limits.max_body`` bytes
  (a body above it is refused with 413, by its ``Content-Length`` or as soon as
  it passes the limit; what the client still sends is read and dropped, up to
  16 MiB, so that it gets the answer) within ``Limits.body_seconds`` (408),
  then handed on from memory: nothing of a request is ever written to disk;
* every answer carries a Content-Security-Policy that allows nothing but the
  server's own files (no inline script or style, no fetch elsewhere, no
  framing), ``X-Content-Type-Options: nosniff``, no referrer, and
  ``Cache-Control: no-store`` unless the app chose otherwise (the stylesheet).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

from pnet_expert.core import codes
from pnet_expert.web.errors import WebError, web_error
from pnet_expert.web.limits import Limits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Refuse = Callable[[Scope, WebError], ASGIApp]
"""Makes the answer to a refused request (JSON for the API, a page for a browser)."""

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The Content-Security-Policy of every answer: the server's own files only, nothing inline."""

HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


class _Disconnected(Exception):
    """The client went away while sending its body: there is no one to answer."""


class Guard:
    """ASGI middleware: the limits on a request's body, and the security headers of every answer."""

    def __init__(self, app: ASGIApp, limits: Limits, refuse: Refuse) -> None:
        self.app = app
        self.limits = limits
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        try:
            body = await self._body(scope, receive)
        except _Disconnected:
            return
        except WebError as error:
            await self.refuse(scope, error)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        """The whole body, within the size and time limits (WebError: 413 or 408)."""
        limit = self.limits.max_body
        declared = _header(scope, b"content-length")
        if declared is not None and not declared.isdigit():
            raise _too_large(limit, declared)
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self.limits.body_seconds):
                if declared is not None and int(declared) > limit:
                    await _drain(receive, int(declared))
                    raise _too_large(limit, declared)
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise _Disconnected
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        if message.get("more_body", False):
                            await _drain(receive, DRAIN)
                        raise _too_large(limit, None)
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            seconds = self.limits.body_seconds
            problem = f"the body did not arrive within {seconds:g} s (the server's limit)"
            raise web_error(408, codes.WEB_BODY_TIMEOUT, "body", problem) from None


DRAIN = 16 << 20
"""Bytes of a refused body still read (and dropped), so that a client that is still sending gets the 413."""


async def _drain(receive: Receive, size: int) -> None:
    """Read and drop a refused body, up to ``DRAIN`` bytes: a client that sends it all before reading
    the answer (urllib, for one) then sees the 413 rather than a broken connection. Past that, or once
    the client goes, the connection is closed after the answer."""
    if size > DRAIN:
        return
    dropped = 0
    while dropped <= DRAIN:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        dropped += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _too_large(limit: int, declared: bytes | None) -> WebError:
    size = f" ({declared.decode(errors='replace')} bytes)" if declared else ""
    message = f"the body{size} is larger than the server takes: at most {limit} bytes"
    return web_error(413, codes.WEB_TOO_LARGE, "body", message, "send a smaller case")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_headers(send: Send) -> Send:
    """A ``send`` that adds the security headers (and no-store, unless set) to the answer's start."""

    async def guarded(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            names = {bytes(k).lower() for k, _ in headers}
            headers.extend(h for h in HEADERS if h[0] not in names)
            if b"cache-control" not in names:
                headers.append((b"cache-control", b"no-store"))
            message["headers"] = headers
        await send(message)

    return guarded
