"""The server's limits, in one place: every request is bounded in size and in time.

A case is a few hundred bytes; the limits leave room for a long description
while keeping one request from holding much memory or a worker for long.
README ("The web app") lists them; every refusal names the limit it met.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Limits:
    """What one request may take (the defaults are the server's)."""

    max_body: int = 64 * 1024
    """Bytes of a request's body (a case, a form, an upload); more is refused with 413."""
    body_seconds: float = 10.0
    """Seconds a client may take to send a body; more is refused with 408."""
    request_seconds: float = 10.0
    """Seconds the server spends on one request's work; more is answered with 503."""
    max_answers: int = 100
    """Answers one consultation may carry (in a form's state or an /api/interview body)."""
    max_text: int = 2000
    """Characters of one answer or form value in a consultation's state."""
    workers: int = 4
    """Requests worked on at once (threads); the others wait their turn."""
    max_connections: int = 100
    """Connections served at once; more are answered with 503 by uvicorn."""
    keep_alive_seconds: float = 5.0
    """Seconds an idle keep-alive connection stays open."""
    shutdown_seconds: float = 5.0
    """Seconds the server waits for open requests when asked to stop."""
