"""Make the teaching reports: each case of examples/teaching/ as Markdown and HTML, and the knowledge base.

Usage (from a clone, with pnet_expert installed):

    python examples/make_reports.py [OUT_DIR] [CASE ...]

OUT_DIR defaults to ``teaching-reports``; the cases default to every
``examples/teaching/*.yaml``. Each case gives ``<id>.md`` and ``<id>.html``;
the knowledge base gives ``knowledge-base.md`` and ``knowledge-base.html``.
The HTML pages are self-contained (open them from disk, print them, mail them);
their diagrams are drawn when Graphviz's ``dot`` is installed. In a notebook,
a consultation shows itself as this same report: ``recommend(case)`` as the
last line of a cell.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pnet_expert import PnetError, load_knowledge_base, recommend
from pnet_expert.explain.reports.render import kb_html, kb_markdown
from pnet_expert.files.casefile import read_case, write_atomic

TEACHING = Path(__file__).resolve().parent / "teaching"


def make_reports(out: Path, cases: list[Path]) -> list[Path]:
    """Write the reports of these cases and of the knowledge base into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    kb = load_knowledge_base()
    written = []
    for case_file in cases:
        consultation = recommend(read_case(case_file), kb)
        name = str(consultation.patient.to_dict().get("id") or case_file.stem)
        for suffix, text in ((".md", consultation.to_markdown()), (".html", consultation.to_html())):
            write_atomic(out / f"{name}{suffix}", text)
            written.append(out / f"{name}{suffix}")
    for suffix, text in ((".md", kb_markdown(kb)), (".html", kb_html(kb))):
        write_atomic(out / f"knowledge-base{suffix}", text)
        written.append(out / f"knowledge-base{suffix}")
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
