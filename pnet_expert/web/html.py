"""The pages' templates: the web's own, and the reports' templates rendered in the web's frame.

One Jinja2 environment reads ``web/templates/`` first and the reports'
templates second, so that a case report or the knowledge-base report is
rendered by its own template (``consultation.html.j2``, ``kb.html.j2``)
while the web's ``_base.html.j2`` takes the place of the report's standalone
frame: the site's navigation, and the stylesheet linked rather than inlined
(the Content-Security-Policy allows no inline style). The stylesheet is the
reports' own (``_style.css.j2``) plus the forms' (``web.css``), so the pages
look like the reports. Autoescaped: case text is always shown as text.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from pnet_expert.explain.reports.render import TEMPLATES as REPORT_TEMPLATES

WEB_TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    """The pages' Jinja2 environment (built once)."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(str(WEB_TEMPLATES)), jinja2.FileSystemLoader(str(REPORT_TEMPLATES))]
        ),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    """One page (or the stylesheet) by its template's name."""
    return environment().get_template(template).render(**context)


@functools.cache
def stylesheet() -> str:
    """The site's stylesheet: the reports' styles, then the pages' own."""
    return render("_style.css.j2") + "\n" + (WEB_TEMPLATES / "web.css").read_text(encoding="utf-8")
