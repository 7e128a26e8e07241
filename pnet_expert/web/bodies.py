"""A request's body as a case, or as a JSON object with named parts, through the case-file parsers.

The body is read by the same strict parsers as a case file (no repeated key,
no YAML ``yes``, no guessing), named ``body`` in every message. Its kind comes
from the Content-Type: YAML or TOML when it says so, JSON otherwise (so that
``curl -d`` works, which says ``application/x-www-form-urlencoded``); a
multipart form is refused (415): the API reads a case, the pages read forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import CaseError
from pnet_expert.files.casefile import parse_case_text
from pnet_expert.web.errors import web_error

BODY = "body"
KINDS = {"json": "json", "yaml": "yaml", "toml": "toml"}


def body_kind(content_type: str) -> str:
    """json, yaml or toml, as a Content-Type says (JSON unless it names YAML or TOML); 415 for a form."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media.startswith("multipart/"):
        raise web_error(
            415,
            codes.WEB_MEDIA_TYPE,
            BODY,
            f"a {media} body is not read here",
            "send the case as JSON (application/json), YAML (application/yaml) or TOML (application/toml)",
        )
    for word, kind in KINDS.items():
        if word in media:
            return kind
    return "json"


def parse_text(text: str, kind: str, name: str) -> Any:
    """Parse text of a kind with the case-file parsers; a body nested too deeply is refused, not a crash."""
    try:
        return parse_case_text(text, kind, name)
    except RecursionError:
        code = {"json": codes.FILE_NOT_JSON, "yaml": codes.FILE_NOT_YAML}.get(kind, codes.FILE_NOT_TOML)
        raise CaseError(Diagnostic(code, name, f"not a valid case: nested too deeply for {kind}")) from None


def decode(body: bytes, name: str = BODY) -> str:
    """The body as text: UTF-8 (FILE-E003 naming the body when it is not)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(Diagnostic(codes.FILE_UNREADABLE, name, f"cannot be read: {exc}")) from None


def read_body(body: bytes, content_type: str) -> Any:
    """The body parsed as its Content-Type says (any value; the caller checks its shape)."""
    return parse_text(decode(body), body_kind(content_type), BODY)


def read_object(body: bytes, content_type: str, parts: str) -> Mapping[str, Any]:
    """The body as a mapping (422 naming what it should hold when it is anything else)."""
    data = read_body(body, content_type)
    if not isinstance(data, Mapping):
        message = f"expected an object, got {_kind(data)}"
        raise web_error(422, codes.WEB_BAD_BODY, BODY, message, f"send {parts}")
    return data


def part(data: Mapping[str, Any], key: str, kind: type, parts: str) -> Any:
    """One part of a body object, checked to be present and of its kind (422 naming it otherwise)."""
    if key not in data:
        raise web_error(422, codes.WEB_BAD_BODY, key, "missing", f"send {parts}")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        message = f"expected {_kind_name(kind)}, got {_kind(value)}"
        raise web_error(422, codes.WEB_BAD_BODY, key, message, f"send {parts}")
    return value


def _kind_name(kind: type) -> str:
    names: dict[object, str] = {str: "text", dict: "an object", Mapping: "an object", list: "a list"}
    return names.get(kind, kind.__name__)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"[:60]
