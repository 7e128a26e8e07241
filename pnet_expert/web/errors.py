"""Problems as HTTP answers: a status, and the same diagnostics the command line prints.

A JSON answer lists every diagnostic (code, path, message, suggestion, hint
and the text as printed); ``error`` holds the lines the command line would
print after ``pnet-expert: error:``. Which status a problem gets:

* 400: the body could not be read at all (not JSON, YAML or TOML; a ``FILE`` code);
* 422: it was read, but is not a valid case, answer or request (``CASE``,
  ``INPUT``, ``WEB-E004``, and a CDS Hooks request's ``FHIR`` and ``CDS`` codes);
* 404: a CDS service that does not exist (``CDS-E001``);
* the status a :class:`WebError` names: 404, 405, 408, 413, 415, 503.

Bad input is never a 500: a 500 is a bug, said as such.
"""

from __future__ import annotations

from typing import Any

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import InputError, PnetError


class WebError(InputError):
    """A request the server does not take, with the HTTP status that says why."""

    def __init__(self, status: int, first: Diagnostic, *more: Diagnostic) -> None:
        self.status = status
        super().__init__(first, *more)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickled as its status and diagnostics."""
        return (type(self), (self.status, *self.diagnostics))


def web_error(status: int, code: str, path: str, message: str, hint: str = "") -> WebError:
    """One problem of a request, as an error with its status."""
    return WebError(status, Diagnostic(code, path, message, hint=hint))


def status_of(error: PnetError) -> int:
    """The HTTP status for an error pnet_expert raised on purpose (see the module's docstring)."""
    if isinstance(error, WebError):
        return error.status
    prefixes = {d.code.split("-", 1)[0] for d in error.diagnostics}
    if any(d.code == codes.CDS_UNKNOWN_SERVICE for d in error.diagnostics):
        return 404
    if prefixes == {"FILE"}:
        return 400
    if prefixes <= {"CASE", "INPUT", "FILE", "WEB", "FHIR", "CDS"}:
        return 422
    return 500  # a knowledge base problem cannot come from a request: the server's own


def error_body(error: PnetError, status: int, **extra: Any) -> dict[str, Any]:
    """The JSON body of an error answer: the lines the CLI prints, then every diagnostic."""
    return {
        **extra,
        "error": "\n".join(error.tagged_lines()),
        "status": status,
        "diagnostics": [d.to_dict() for d in error.diagnostics],
    }


def not_found(path: str) -> WebError:
    """No page or endpoint at this address."""
    return web_error(404, codes.WEB_NOT_FOUND, path, "no page or endpoint here", "see / or /openapi.json")


def method_not_allowed(path: str, method: str, allowed: str) -> WebError:
    """The address exists but does not take this method."""
    return web_error(405, codes.WEB_METHOD, path, f"does not take {method}", f"use {allowed}")
