"""The tutor's HTML pages: a quiz worksheet (answer key on its own printed page) and a progress report.

Rendered from Jinja2 templates (``tutor/templates``), autoescaped: case text
and quotes are shown as text. Each page is self-contained: no scripts, nothing
fetched from the network (a Content-Security-Policy says so), printable; each
names the knowledge base, the source and its date, and carries the disclaimer.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pnet_expert.knowledge.identity import about

if TYPE_CHECKING:
    import jinja2

    from pnet_expert.core.schema import KnowledgeBase
    from pnet_expert.tutor.quiz import Quiz
    from pnet_expert.tutor.student import StudentModel

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    """The tutor's Jinja2 environment (autoescaped, strict about undefined names)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _about(kb: KnowledgeBase) -> dict[str, Any]:
    from pnet_expert._version import __version__

    return {
        "kb": about(kb),
        "disclaimer": kb.disclaimer,
        "generator": f"pnet-expert {__version__}",
    }


def quiz_html(quiz: Quiz) -> str:
    """The quiz as a worksheet: the questions with boxes to tick, then the answer key on a page of its own."""
    return environment().get_template("worksheet.html.j2").render(quiz=quiz, **_about(quiz.kb))


def progress_html(model: StudentModel, kb: KnowledgeBase) -> str:
    """A student's mastery by section: each rule's counts and mastery, and the cases done."""
    sections = model.sections(kb)
    unknown_rules = sorted(r for r in model.rules if r not in kb.rules)
    return (
        environment()
        .get_template("progress.html.j2")
        .render(sections=sections, model=model, unknown_rules=unknown_rules, rules=kb.rules, **_about(kb))
    )
