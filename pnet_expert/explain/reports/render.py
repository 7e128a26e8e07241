"""Render reports through Jinja2 templates: a consultation or the whole knowledge base, as Markdown or HTML.

Templates, not strings built by hand: a teacher can restyle a report without
touching the reasoning. What a report holds is worked out once
(:mod:`.report_view`, :mod:`.kb_view`); the templates only lay it out. The
environment is built once, on first use, so the command line pays for Jinja2
only when it renders a report.

Escaping: HTML templates (``*.html.j2``) are autoescaped, so case text such as
a ``<script>`` in a description is shown as text. Markdown has no autoescape:
the templates pass case text through ``md`` (every character Markdown could
read as markup, or as HTML, is backslash-escaped) and knowledge-base prose
through ``mdtext`` (the same, but leaving the parentheses and punctuation of
the source's sentences as they are).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import InputError

if TYPE_CHECKING:
    import jinja2

    from pnet_expert.core.schema import KnowledgeBase
    from pnet_expert.explain.consultation import Consultation

TEMPLATES = Path(__file__).parent / "templates"

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
"""Report file suffixes and the format each one means."""

_MD_CASE = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
_MD_PROSE = re.compile(r"([\\`*_\[\]<>|~&])")
_BLANKS = re.compile(r"\s*[\r\n]+\s*")


def md_escape(value: Any) -> str:
    """Escape case text for Markdown: it can never turn into markup or HTML (a bare web
    address may still be shown as a link by viewers that auto-link)."""
    return _MD_CASE.sub(r"\\\1", _BLANKS.sub(" ", str(value)))


def md_text(value: Any) -> str:
    """Escape knowledge-base prose for Markdown, keeping the source's punctuation readable."""
    return _MD_PROSE.sub(r"\\\1", _BLANKS.sub(" ", str(value)))


def fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def report_format(path: str | Path) -> str:
    """The format a report file's suffix asks for ("markdown" or "html"), or an InputError naming it."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        allowed = ", ".join(list(SUFFIXES)[:-1]) + " or " + list(SUFFIXES)[-1]
        what = f"{suffix!r} is not a report format" if suffix else "has no suffix to tell the format"
        hint = f"use a file name ending in {allowed}"
        raise InputError(Diagnostic(codes.FILE_UNKNOWN_SUFFIX, str(path), what, hint=hint))
    return SUFFIXES[suffix]


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
    env.filters["mdtext"] = md_text
    env.filters["fence"] = fence
    return env


def render(template: str, **context: Any) -> str:
    """Render one template by name."""
    return environment().get_template(template).render(**context)


def markdown(consultation: Consultation) -> str:
    """The consultation as a Markdown report (the diagram as Mermaid text)."""
    from pnet_expert.explain.reports.case_view import case_report

    return _tidy(render("consultation.md.j2", r=case_report(consultation, svg=False)))


def html(consultation: Consultation, standalone: bool = True) -> str:
    """The consultation as an HTML report: a whole page, or (``standalone=False``) a fragment for notebooks.

    The diagram is inline SVG when Graphviz's ``dot`` is on the machine; the
    report reads as well without it.
    """
    from pnet_expert.explain.reports.case_view import case_report

    return render("consultation.html.j2", r=case_report(consultation), standalone=standalone)


def kb_markdown(kb: KnowledgeBase) -> str:
    """The whole knowledge base as a Markdown report, for a lecture."""
    from pnet_expert.explain.reports.kb_view import kb_report

    return _tidy(render("kb.md.j2", r=kb_report(kb, svg=False)))


def kb_html(kb: KnowledgeBase, standalone: bool = True) -> str:
    """The whole knowledge base as an HTML report, for a lecture."""
    from pnet_expert.explain.reports.kb_view import kb_report

    return render("kb.html.j2", r=kb_report(kb), standalone=standalone)


def report_files(what: Consultation | KnowledgeBase, path: str | Path) -> dict[Path, str]:
    """A report to write at ``path`` (Markdown or HTML by its suffix), and each diagram as its own SVG file.

    The diagrams go to a folder beside the report, ``<name>-diagrams/``
    (``case.svg``; ``section-gastrinoma.svg``, ...), when Graphviz's ``dot`` is
    there; the report links to them ("open the diagram on its own"), and their
    boxes link back to the report. Returns every file to write: path -> text.
    """
    from pnet_expert.core.schema import KnowledgeBase
    from pnet_expert.explain.reports.case_view import case_report
    from pnet_expert.explain.reports.graph import dot_available
    from pnet_expert.explain.reports.kb_view import kb_report

    page = Path(path)
    kind = report_format(page)
    folder = f"{page.stem}-diagrams"
    files = folder if dot_available() else None
    if isinstance(what, KnowledgeBase):
        view: Any = kb_report(what, svg=True, files=files)
        diagrams = [s.diagram for s in view.sections]
        template = "kb"
    else:
        view = case_report(what, svg=True, files=files)
        diagrams = [view.diagram]
        template = "consultation"
    if kind == "html":
        text = render(f"{template}.html.j2", r=view, standalone=True)
    else:
        text = _tidy(render(f"{template}.md.j2", r=view))
    out = {page: text}
    for diagram in diagrams:
        if diagram.file and diagram.svg:
            link_to = page.name if kind == "html" else None
            out[page.parent / diagram.file] = standalone_svg(diagram.svg, link_to)
    return out


def standalone_svg(svg: str, page: str | None) -> str:
    """An inline diagram as a file of its own: its boxes link to ``page`` (the report beside its folder),
    or nowhere when the report is not a page."""
    if page is None:
        body = re.sub(r'<a xlink:href="[^"]*" xlink:title="[^"]*">', "<a>", svg)
    else:
        body = svg.replace('xlink:href="#', f'xlink:href="../{page}#')
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body


def _tidy(text: str) -> str:
    """At most one blank line in a row, and one newline at the end (templates need not count them)."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
