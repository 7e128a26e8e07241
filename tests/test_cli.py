"""The command line: recommend and batch, their outputs, and their errors (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import EXAMPLES, run_cli, treatments_by_rule

from pnet_expert.cli import main

CASE = EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"


def test_recommend_text(capsys: pytest.CaptureFixture[str]) -> None:
    """Text output: options grouped by strength, a reason each, the disclaimer."""
    assert main(["recommend", str(CASE)]) == 0
    out = capsys.readouterr().out
    assert 'Usually (the source says "treatment is usually"):' in out
    assert "Pancreatoduodenectomy" in out
    assert "GAS-07: a tumor in the duodenum" in out
    assert "not medical advice" in out


def test_recommend_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints the JSON contract."""
    assert main(["recommend", str(CASE), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["fired_rules"] == ["GAS-01", "GAS-07", "GAS-09", "GAS-11"]
    assert treatments_by_rule(result)["chemoembolization"] == ["GAS-09", "GAS-11"]
    assert result["cautions"] == []
    assert [s["facts"] for s in result["silences"]] == []


def test_recommend_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    """--format markdown prints a Markdown report."""
    assert main(["recommend", str(CASE), "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Treatment options")
    assert "not medical advice" in out


@pytest.mark.slow
def test_recommend_from_standard_input() -> None:
    """CASE may be - for standard input (JSON or YAML)."""
    done = run_cli("recommend", "-", "--format", "json", stdin='{"tumor_type": "other"}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fired_rules"] == ["OTH-01"]
    done = run_cli("recommend", "-", stdin="tumor_type: somatostatinoma\nspread: [distant]\n")
    assert done.returncode == 0
    assert "SOM-02" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stdin", "args", "message"),
    [
        (
            '{"tumor_type": "gastrinom"}',
            (),
            "[CASE-E003] <stdin>:1:16: tumor_type: 'gastrinom' is not one of",
        ),
        (
            '{"tumor_type": "gastrinoma", "sevre_symptoms": true}',
            (),
            "[CASE-E004] <stdin>:1:30: sevre_symptoms: unknown key 'sevre_symptoms' "
            "(did you mean 'severe_symptoms'?)",
        ),
        ("{bad", (), "[FILE-E006] <stdin>:1:2: not valid JSON"),
        (None, ("--kb", "/nonexistent"), "[KB-E201] /nonexistent: no knowledge base here"),
    ],
)
def test_bad_input_exits_2_without_traceback(stdin: str | None, args: tuple[str, ...], message: str) -> None:
    """Bad input: a one-line reason with its code on standard error, exit status 2, no traceback."""
    source = str(CASE) if stdin is None else "-"
    done = run_cli("recommend", source, *args, stdin=stdin)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("pnet-expert: error: ")
    assert done.stdout == ""


def test_missing_case_file_and_bad_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing file and an unknown --format are usage errors (exit 2)."""
    assert main(["recommend", str(tmp_path / "none.yaml")]) == 2
    assert f"[FILE-E001] {tmp_path / 'none.yaml'}: no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["recommend", str(CASE), "--format", "pdf"])
    assert caught.value.code == 2


def test_broken_kb_copy_is_reported(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--kb with a broken copy lists its problems and exits 2."""
    path = kb_copy / "treatments.yaml"
    path.write_text(path.read_text().replace("id: ablation", "id: ablation_x"))
    assert main(["recommend", str(CASE), "--kb", str(kb_copy)]) == 2
    err = capsys.readouterr().err
    assert "[KB-E101] rules/" in err
    assert "'ablation' is not a declared treatment (did you mean 'ablation_x'?)" in err


def test_kb_copy_is_used(tiny_kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--kb DIR consults the knowledge base in DIR."""
    assert main(["recommend", str(CASE), "--kb", str(tiny_kb_dir), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["fired_rules"] == ["GAS-01", "GAS-09"]


@pytest.mark.slow
def test_help_and_version() -> None:
    """--help lists the commands; --version prints the package's and the bundled knowledge base's
    versions, each labelled."""
    done = run_cli("--help")
    assert done.returncode == 0
    assert "recommend" in done.stdout
    assert "batch" in done.stdout
    lines = run_cli("--version").stdout.splitlines()
    assert lines[0].startswith("package:")
    assert "pnet-expert " in lines[0]
    assert lines[1].startswith("knowledge base: pnet_expert ")
    assert "bundled" in lines[1]
    assert lines[2].startswith("source:")
    assert "2012-02-06" in lines[2]


@pytest.mark.slow
def test_runs_from_another_directory(tmp_path: Path) -> None:
    """The installed command finds its knowledge base wherever it is run from."""
    (tmp_path / "case.json").write_text('{"tumor_type": "vipoma"}')
    done = run_cli("recommend", "case.json", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fired_rules"] == ["VIP-01", "VIP-02"]


# ---------------------------------------------------------------- batch

LINES = [
    '{"tumor_type": "other"}',
    "",
    '{"tumor_type": "gastrinom"}',
    "not json",
    '{"tumor_type": "vipoma", "spread": ["liver"], "resectable": false, "severe_symptoms": true}',
]


@pytest.mark.slow
def test_batch_one_result_per_line_bad_lines_reported(tmp_path: Path) -> None:
    """One JSON result per non-blank line, in order; bad lines named by number; the rest go on; exit 2."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(LINES) + "\n")
    done = run_cli("batch", str(cases))
    assert done.returncode == 2
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["line"] for r in results] == [1, 3, 4, 5]
    assert results[0]["fired_rules"] == ["OTH-01"]
    assert "tumor_type: 'gastrinom' is not one of" in results[1]["error"]
    assert [(d["code"], d["path"]) for d in results[1]["diagnostics"]] == [("CASE-E003", "tumor_type")]
    assert "line 4: not valid JSON" in results[2]["error"]
    assert [(d["code"], d["path"]) for d in results[2]["diagnostics"]] == [("FILE-E006", "line 4")]
    assert results[3]["fired_rules"] == ["VIP-01", "VIP-02", "VIP-03", "VIP-05", "VIP-06"]
    assert [(c["id"], c["treatment"], c["rules"]) for c in results[3]["cautions"]] == [
        ("CAU-01", "tumor_and_lymph_node_resection", ["VIP-02"])
    ]
    assert results[0]["cautions"] == results[0]["silences"] == []
    assert "pnet-expert batch: line 3: tumor_type: 'gastrinom'" in done.stderr
    assert "pnet-expert batch: line 4:" in done.stderr
    assert "4 cases, 2 consulted, 2 bad" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_batch_to_file(tmp_path: Path) -> None:
    """-o writes the results to a file; a clean batch exits 0."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"tumor_type": "other"}\n{"tumor_type": "insulinoma", "resectable": false}\n')
    out = tmp_path / "out.jsonl"
    done = run_cli("batch", str(cases), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["fired_rules"] for r in results] == [["OTH-01"], ["INS-07"]]
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


@pytest.mark.slow
def test_batch_progress_bar(tmp_path: Path) -> None:
    """--progress draws a progress bar on standard error."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"tumor_type": "other"}\n' * 3)
    done = run_cli("batch", str(cases), "--progress")
    assert "batch [" in done.stderr
    assert "3/3" in done.stderr


def test_batch_missing_file_and_bad_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing input file and a negative --jobs are usage errors."""
    assert main(["batch", str(tmp_path / "none.jsonl")]) == 2
    assert f"[FILE-E001] {tmp_path / 'none.jsonl'}: no such file" in capsys.readouterr().err
    (tmp_path / "c.jsonl").write_text("{}\n")
    assert main(["batch", str(tmp_path / "c.jsonl"), "--jobs", "-1"]) == 2
    assert "[INPUT-E002] --jobs: -1 is negative" in capsys.readouterr().err
