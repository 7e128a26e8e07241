"""Read the forms of a page the way a browser without JavaScript submits them (for the web app's tests)."""

from __future__ import annotations

from html.parser import HTMLParser

import attrs


@attrs.define
class Form:
    """One form: where it goes, its hidden fields, and the names and values of its inputs and buttons."""

    action: str
    method: str
    classes: str
    hidden: list[tuple[str, str]] = attrs.Factory(list)
    choices: list[tuple[str, str]] = attrs.Factory(list)
    """(name, value) of each radio, checkbox and option."""
    texts: list[str] = attrs.Factory(list)
    """Names of text inputs and text areas."""
    buttons: list[tuple[str, str]] = attrs.Factory(list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attributes}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get"), a.get("class", "")))
        elif not self.forms:
            return
        form = self.forms[-1]
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "hidden":
                form.hidden.append((a["name"], a.get("value", "")))
            elif kind in ("radio", "checkbox"):
                form.choices.append((a["name"], a.get("value", "")))
            else:
                form.texts.append(a.get("name", ""))
        elif tag == "textarea":
            form.texts.append(a.get("name", ""))
        elif tag == "button":
            form.buttons.append((a.get("name", ""), a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name", "")
        elif tag == "option" and self._select is not None:
            form.choices.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms(html: str) -> list[Form]:
    """Every form of a page, in order."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms
