"""``pnet-expert report`` and ``pnet-expert kb report``, and the teaching examples that use them."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES, ROOT

from pnet_expert import load_knowledge_base, recommend
from pnet_expert.cli import main
from pnet_expert.explain.reports.graph import dot_available
from pnet_expert.explain.reports.render import report_files
from pnet_expert.files.casefile import read_case

CASE = EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"
TEACHING = sorted((EXAMPLES / "teaching").glob("*.yaml"))
ALLOWED = "use a file name ending in .md, .markdown, .html or .htm"


@pytest.mark.parametrize(
    ("suffix", "marker"), [(".md", "# Treatment options: "), (".html", "<!DOCTYPE html>")]
)
def test_report_writes_the_format_its_suffix_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, marker: str
) -> None:
    """report CASE -o OUT.md|.html writes that format, with every option, and says where it wrote."""
    out = tmp_path / f"report{suffix}"
    assert main(["report", str(CASE), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(marker)
    consultation = recommend(read_case(CASE))
    assert text == report_files(consultation, out)[out]
    if dot_available():  # the diagram as its own SVG file too, in a folder beside the report
        svg = tmp_path / "report-diagrams" / "case.svg"
        assert capsys.readouterr().err == f"pnet-expert: wrote {out} (and 1 diagram in {svg.parent})\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, svg.parent.name])
        assert svg.read_text().startswith("<?xml")
        assert 'href="report-diagrams/case.svg"' in text or "(report-diagrams/case.svg)" in text
    else:
        assert capsys.readouterr().err == f"pnet-expert: wrote {out}\n"
        assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_report_replaces_a_file_atomically(tmp_path: Path) -> None:
    """An existing report is replaced whole, and no temporary file is left beside it."""
    out = tmp_path / "r.HTML"
    out.write_text("old")
    assert main(["report", str(CASE), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    beside = ["r-diagrams"] if dot_available() else []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["r.HTML", *beside])
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]


def test_report_reads_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CASE may be - (standard input)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(CASE.read_text()))
    out = tmp_path / "r.md"
    assert main(["report", "-", "-o", str(out)]) == 0
    assert "gastrinoma-liver-severe" in out.read_text()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("report.pdf", "[FILE-E005] report.pdf: '.pdf' is not a report format; " + ALLOWED),
        ("report", "[FILE-E005] report: has no suffix to tell the format; " + ALLOWED),
    ],
)  # fmt: skip
def test_bad_suffix_is_an_input_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    message: str,
) -> None:
    """A suffix that names no format: exit 2, its code, naming it and what is allowed; nothing written."""
    monkeypatch.chdir(tmp_path)
    for argv in (["report", str(CASE), "-o", name], ["kb", "report", "-o", name]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err == f"pnet-expert: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that does not exist, or a folder in the way, exits 2 naming the path; no traceback."""
    missing = tmp_path / "no" / "such" / "r.md"
    assert main(["report", str(CASE), "-o", str(missing)]) == 2
    assert capsys.readouterr().err.startswith(f"pnet-expert: error: [FILE-E004] {missing}: cannot be written")
    folder = tmp_path / "taken.md"
    folder.mkdir()
    assert main(["kb", "report", "-o", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pnet-expert: error: [FILE-E002] {folder}: ")
    assert "Traceback" not in err


def test_bad_case_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A case that does not validate exits 2 with the case's own message, and no report is written."""
    case = tmp_path / "bad.yaml"
    case.write_text("tumor_type: gastrinoma\nspread: [lungs]\n")
    out = tmp_path / "r.html"
    assert main(["report", str(case), "-o", str(out)]) == 2
    assert (
        f"[CASE-E003] {case}:2:10: spread[0]: 'lungs' is not one of lymph_nodes, liver, distant"
        in capsys.readouterr().err
    )
    assert not out.exists()


def test_report_is_required_to_name_its_output(capsys: pytest.CaptureFixture[str]) -> None:
    """Without -o the command says what is missing (argparse, exit 2)."""
    with pytest.raises(SystemExit) as exit_:
        main(["report", str(CASE)])
    assert exit_.value.code == 2
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_kb_report(tmp_path: Path, suffix: str) -> None:
    """kb report -o OUT writes the whole knowledge base: every rule and its quote."""
    out = tmp_path / f"kb{suffix}"
    assert main(["kb", "report", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    kb = load_knowledge_base()
    for rule in kb.rules.values():
        assert rule.id in text
    assert "For teaching — options, not medical advice." in text


def test_reports_use_the_kb_option(tiny_kb_dir: Path, tmp_path: Path) -> None:
    """--kb DIR reports from that knowledge base (here three rules)."""
    out = tmp_path / "kb.md"
    assert main(["kb", "report", "--kb", str(tiny_kb_dir), "-o", str(out)]) == 0
    text = out.read_text()
    assert "3 rules" in text
    assert "**MODIFIED**" in text  # the rules it lacks are named in its banner, as differing from the bundled
    assert "### GAS-03" not in text
    assert "### GAS-09" in text
    case_out = tmp_path / "case.md"
    assert main(["report", str(CASE), "--kb", str(tiny_kb_dir), "-o", str(case_out)]) == 0
    assert "GAS-09" in case_out.read_text()
    assert "GAS-07" not in case_out.read_text()


@pytest.mark.slow
def test_report_command_as_a_user_runs_it(tmp_path: Path) -> None:
    """python -m pnet_expert report: exit 0 and a file; a bad suffix: exit 2, one line, no traceback."""
    out = tmp_path / "r.html"
    done = subprocess.run(
        [sys.executable, "-m", "pnet_expert", "report", str(CASE), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    done = subprocess.run(
        [sys.executable, "-m", "pnet_expert", "report", str(CASE), "-o", str(tmp_path / "r.docx")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- the teaching examples


@pytest.mark.parametrize("case_file", TEACHING, ids=lambda p: p.stem)
def test_teaching_cases_are_valid_and_described(case_file: Path) -> None:
    """Each teaching case validates and has an id (its file name), a title and a description in words."""
    case = read_case(case_file)
    assert case["id"] == case_file.stem
    assert case["title"]
    assert len(case["description"]) > 40
    consultation = recommend(case)
    html = consultation.to_html()
    assert case["title"] in html


def test_teaching_cases_show_what_they_describe() -> None:
    """The teaching points hold: a gap, unknowns waiting, qualifiers, alternatives, two sections."""
    cases = {p.stem: recommend(read_case(p)) for p in TEACHING}
    assert len(cases) >= 4
    assert cases["glucagonoma-large-body-gap"].gaps
    assert not cases["glucagonoma-large-body-gap"].treatments
    little = cases["gastrinoma-little-known"]
    assert little.fired_rules == ("GAS-01",)
    assert [o.id for o in little.treatments] == ["supportive_care"]
    insulinoma = cases["insulinoma-head-liver-severe"]
    assert "INS-02" in insulinoma.fired_rules
    qualifiers = {q for o in insulinoma.treatments for q in o.qualifiers}
    assert qualifiers == {"palliative", "with or without systemic chemotherapy"}
    ablation = insulinoma.option("ablation")
    assert ablation is not None
    assert [r.rule for r in ablation.because] == ["INS-06", "INS-07"]
    other = cases["other-distant-growing"]
    hormone = other.option("hormone_therapy")
    assert hormone is not None
    assert hormone.because[0].alternatives == ("debulking_surgery",)
    assert "REC-01" in other.fired_rules
    assert "REC-02" not in other.fired_rules
    vipoma = cases["vipoma-lymph-nodes"]
    assert "VIP-03" not in vipoma.fired_rules
    assert vipoma.rule_check("VIP-05").unknown_facts == ("resectable",)
    assert vipoma.rule_check("VIP-04").unknown_facts == ("resectable",)
    (waiting,) = vipoma.silences
    assert waiting.waiting == (("VIP-04", ("resectable",)), ("VIP-05", ("resectable",)))
    unresectable = cases["gastrinoma-unresectable-nodes"]
    assert [(c.treatment, c.rules) for c in unresectable.cautions] == [("tumor_resection", ("GAS-03",))]
    assert [s.facts for s in unresectable.silences] == [{"spread": ["lymph_nodes"]}]


@pytest.mark.slow
def test_make_reports_script(tmp_path: Path) -> None:
    """examples/make_reports.py writes Markdown and HTML per teaching case, and the knowledge base's."""
    out = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_reports.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    expected = sorted(
        [f"{p.stem}{s}" for p in TEACHING for s in (".md", ".html")]
        + ["knowledge-base.html", "knowledge-base.md"]
    )
    folders = (
        sorted(f"{p.stem}-diagrams" for p in [*TEACHING, Path("knowledge-base")]) if dot_available() else []
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(expected + folders)
    assert sorted(Path(line).name for line in done.stdout.splitlines()) == expected
    if folders:
        svg = (out / "knowledge-base-diagrams" / "section-gastrinoma.svg").read_text()
        assert 'xlink:href="../knowledge-base.html#rule-GAS-01"' in svg
    for case_file in TEACHING:
        description = read_case(case_file)["description"]
        assert description.split()[0] in (out / f"{case_file.stem}.md").read_text()
        assert "<!DOCTYPE html>" in (out / f"{case_file.stem}.html").read_text()


@pytest.mark.slow
def test_make_reports_script_reports_a_bad_case(tmp_path: Path) -> None:
    """A bad case given to the script: exit 2 and the case's message, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("tumor_type: carcinoid\n")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_reports.py"), str(tmp_path / "out"), str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"make_reports: {bad}:1:13: tumor_type: 'carcinoid' is not one of")
    assert "Traceback" not in done.stderr
