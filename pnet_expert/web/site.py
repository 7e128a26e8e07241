"""What every request of one server shares: the knowledge base, the limits, the workers, cached pages.

Nothing here changes with a request but the caches of what never changes
while the server runs (the knowledge-base page and JSON, the OpenAPI
document, the stylesheet); a request's own state is in the request.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from pnet_expert.core import codes
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.explain.reports.case_view import About
from pnet_expert.web.errors import web_error
from pnet_expert.web.limits import Limits

T = TypeVar("T")


class Site:
    """One server's knowledge base, limits and workers, and what it works out once."""

    def __init__(self, kb: KnowledgeBase, limits: Limits) -> None:
        self.kb = kb
        self.limits = limits
        self.about = About.of(kb)
        self._limiter: anyio.CapacityLimiter | None = None
        self._once: dict[str, Any] = {}
        self._lock = threading.Lock()

    def once(self, key: str, make: Callable[[], T]) -> T:
        """A value worked out on first use and kept (the knowledge-base page, the OpenAPI document)."""
        with self._lock:
            if key not in self._once:
                self._once[key] = make()
            value: T = self._once[key]
            return value

    async def work(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a request's work on a worker thread, within the time limit (WEB-E003, 503, past it).

        At most ``Limits.workers`` requests work at once; the event loop stays
        free to take and refuse requests meanwhile. Work that runs past the
        limit is answered with 503 and left to finish on its thread (Python
        cannot stop a thread); it changes nothing but caches.
        """
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.limits.workers)
        seconds = self.limits.request_seconds
        try:
            with anyio.fail_after(seconds):
                return await anyio.to_thread.run_sync(
                    functools.partial(fn, *args), limiter=self._limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            message = f"the work took longer than the server allows: {seconds:g} s"
            raise web_error(
                503, codes.WEB_TOO_SLOW, "request", message, "try again, or a simpler request"
            ) from None
