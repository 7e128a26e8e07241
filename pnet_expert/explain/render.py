"""Render a consultation through Jinja2 templates (Markdown now; HTML alongside).

Templates, not strings built by hand: a teacher can restyle a report without
touching the reasoning. The environment is built once, on first use, so the
command line pays for Jinja2 only when it renders a report.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..knowledge.words import facts_text, value_text

if TYPE_CHECKING:
    import jinja2

    from .consultation import Consultation

TEMPLATES = Path(__file__).parent / "templates"


def md_escape(value: Any) -> str:
    """Escape text for Markdown: case text can never turn into markup or HTML."""
    text = str(value)
    for char in "\\`*_{}[]<>()#+!|":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


@functools.cache
def environment() -> jinja2.Environment:
    """The shared Jinja2 environment, with the filters the templates use."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md_escape
    env.filters["value"] = value_text
    env.filters["facts"] = facts_text
    return env


def render(template: str, **context: Any) -> str:
    """Render one template by name."""
    return environment().get_template(template).render(**context)


def markdown(consultation: Consultation) -> str:
    """The consultation as a Markdown report."""
    return render("consultation.md.j2", c=consultation, kb=consultation.kb)
