"""Make the teaching reports: each case of examples/teaching/ as Markdown and HTML, and the knowledge base.

Usage (from a clone, with pnet_expert installed):

    python examples/make_reports.py [OUT_DIR] [CASE ...]

OUT_DIR defaults to ``teaching-reports``; the cases default to every
``examples/teaching/*.yaml``. Each case gives ``<id>.md`` and ``<id>.html``;
the knowledge base gives ``knowledge-base.md`` and ``knowledge-base.html``.
The HTML pages are self-contained (open them from disk, print them, mail them);
their diagrams are drawn when Graphviz's ``dot`` is installed, and each is also
written as its own SVG file in ``<name>-diagrams/`` (open it to zoom in; its
boxes link back to the page). In a notebook, a consultation shows itself as a
compact view whose options unfold: ``recommend(case)`` as the last line of a
cell (``c.to_html()`` is this report).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pnet_expert import PnetError, load_knowledge_base, recommend
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.explain.consultation import Consultation
from pnet_expert.explain.reports.render import report_files
from pnet_expert.files.casefile import read_case, write_atomic

TEACHING = Path(__file__).resolve().parent / "teaching"


def make_reports(out: Path, cases: list[Path]) -> list[Path]:
    """Write the reports of these cases and of the knowledge base into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    kb = load_knowledge_base()
    written = []
    reports: list[tuple[str, Consultation | KnowledgeBase]] = []
    for case_file in cases:
        consultation = recommend(read_case(case_file), kb)
        reports.append((str(consultation.patient.to_dict().get("id") or case_file.stem), consultation))
    reports.append(("knowledge-base", kb))
    for name, what in reports:
        # Markdown first: the diagrams' own files, written again with the HTML, then link to the page.
        for suffix in (".md", ".html"):
            files = report_files(what, out / f"{name}{suffix}")
            for path, text in files.items():
                path.parent.mkdir(exist_ok=True)
                write_atomic(path, text)
            written.append(out / f"{name}{suffix}")
    return written


def main(argv: list[str]) -> int:
    """Make the reports; print what was written, or the problem (exit status 2)."""
    out = Path(argv[0]) if argv else Path("teaching-reports")
    cases = [Path(a) for a in argv[1:]] or sorted(TEACHING.glob("*.yaml"))
    try:
        written = make_reports(out, cases)
    except (PnetError, OSError) as exc:
        print(f"make_reports: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
