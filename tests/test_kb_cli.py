"""The kb commands: check, rules, show, graph, init, diff; their outputs, exit statuses and errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import NEVER, SOURCE_TEXT, append, edit, run_cli

from pnet_expert.cli import main
from pnet_expert.knowledge.loader import bundled_path

# ---------------------------------------------------------------- kb check


@pytest.mark.slow
def test_check_bundled_is_clean_and_lists_the_gaps() -> None:
    """kb check --source (100 columns): exit 0, every rule's case, the gaps of reading RD-01."""
    done = run_cli("kb", "check", "--source", str(SOURCE_TEXT), env=dict(os.environ, COLUMNS="100"))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Errors: none" in out
    assert "  GAS-03  {tumor_type: gastrinoma, tumors: [{site: head}]}" in out
    assert "  INS-06  {tumor_type: insulinoma, spread: [lymph_nodes], resectable: false}" in out
    assert (
        "  Insulinoma: 4 kinds of case, each with where the cancer has spread: none; the tumor can be "
        "removed\n      by surgery: yes (whatever liver_dominant, severe_symptoms):"
    ) in out
    insulinoma = out[out.index("  Insulinoma:") : out.index("  Glucagonoma:")]
    glucagonoma = out[out.index("  Glucagonoma:") : out.index("Summary")]
    assert "    2. one small tumor in the body of the pancreas\n" in insulinoma
    assert (
        "       e.g. {tumor_type: insulinoma, tumors: [{site: body, size: small}], spread: [], resectable:"
        in out
    )
    assert "    2. one small tumor in the body of the pancreas\n" in glucagonoma
    assert "    3. one large tumor in the body of the pancreas\n" in glucagonoma
    assert "    4. one large tumor in the tail of the pancreas\n" in glucagonoma
    assert "  coverage      ok      78 of 78 bullets cited" in out
    assert "12 facts, 1 caution, 10 readings" in " ".join(out.split())  # one caution: no plural
    assert "  gaps          info    12 kinds of case in 2 sections (insulinoma 4, glucagonoma 8)" in out
    assert out.rstrip().splitlines()[-1].startswith("kb check: clean (")
    assert done.stderr == ""  # no progress bar when standard error is not a terminal


def test_check_progress_bar_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    """--progress draws the bar on standard error, ending at 100%."""
    assert main(["kb", "check", "--progress"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("\rkb check [")
    assert " 100% " in err
    assert err.endswith("\n")


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json: ok, the summary, every issue, every rule's example, every gap."""
    assert main(["kb", "check", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [row["check"] for row in report["summary"]] == [
        "load",
        "quotes",
        "coverage",
        "reachability",
        "subsumption",
        "gaps",
        "cautions",
    ]
    assert {"section": "insulinoma", "example": report["gaps"][1]["example"]}["example"] == {
        "tumor_type": "insulinoma",
        "tumors": [{"site": "body", "size": "small"}],
        "spread": [],
        "resectable": True,
    }
    assert [(i["check"], i["code"], i["severity"], i["origin"], i["path"]) for i in report["issues"][:3]] == [
        ("subsumption", "CHECK-I403", "info", "rules/insulinoma.yaml:70:5", "INS-06"),
        ("subsumption", "CHECK-I403", "info", "rules/glucagonoma.yaml:62:5", "GLU-05"),
        ("gaps", "CHECK-I501", "info", None, "insulinoma"),
    ]
    (cau01,) = report["cautions"]
    assert (cau01["caution"], cau01["example"], cau01["confirmed"]) == (
        "CAU-01",
        {"tumor_type": "vipoma", "resectable": False},
        True,
    )
    (gas01,) = [r for r in report["reachable"] if r["rule"] == "GAS-01"]
    assert gas01 == {
        "rule": "GAS-01",
        "kind": "rule",
        "example": {"tumor_type": "gastrinoma"},
        "confirmed": True,
    }


def test_check_broken_copy_exits_1(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rule that can never fire: exit 1, the error listed, the summary says FAILED."""
    append(kb_copy / "rules" / "gastrinoma.yaml", NEVER)
    assert main(["kb", "check", "--kb", str(kb_copy)]) == 1
    out = capsys.readouterr().out
    assert "Errors (1)\n  [CHECK-E301] rules/gastrinoma.yaml:" in out
    assert "GAS-12: can never fire" in out
    assert "  GAS-12  NEVER FIRES" in out
    assert "  reachability  FAILED" in out
    assert out.rstrip().splitlines()[-1].startswith("kb check: 1 error (")


def test_check_load_errors_exit_1(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A knowledge base that does not load: every problem, and the other checks skipped."""
    edit(kb_copy / "rules" / "gastrinoma.yaml", "treatment: acid_reducing_drug", "treatment: acid_reducer")
    assert main(["kb", "check", "--kb", str(kb_copy)]) == 1
    out = capsys.readouterr().out
    assert " ".join(out.split()).startswith(f"Knowledge base (did not load) at {kb_copy}")
    assert "Errors (1)\n  [KB-E101] rules/gastrinoma.yaml:" in out
    assert "GAS-02.offers[0].treatment: 'acid_reducer' is not a declared" in " ".join(out.split())
    assert "  gaps          skipped  the knowledge base does not load" in out


@pytest.mark.slow
def test_check_missing_source_is_bad_input(tmp_path: Path) -> None:
    """--source naming no file: exit 2, one message, no traceback."""
    missing = tmp_path / "missing.txt"
    done = run_cli("kb", "check", "--source", str(missing))
    assert done.returncode == 2
    assert (
        done.stderr
        == f"pnet-expert: error: [FILE-E001] {missing}: no such file (the source text, for --source)\n"
    )


def test_check_missing_kb_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--kb naming no directory: bad input, exit 2, named."""
    assert main(["kb", "check", "--kb", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pnet-expert: error: [KB-E201] {tmp_path / 'nowhere'}: no knowledge base here")
    assert err.count("\n") == 1


# ---------------------------------------------------------------- kb rules, kb show


RULE_LINE = re.compile(r"[A-Z]{3}-\d\d ")


def test_rules_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """kb rules on a wide terminal: a header, a rule under it, and one line per rule (its cells wrapped)."""
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["kb", "rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Knowledge base pnet_expert ")  # which knowledge base, first
    top = next(i for i, line in enumerate(lines) if line.startswith("rule "))
    assert lines[top].split() == ["rule", "section", "strength", "when", "offers"]
    assert set(lines[top + 1]) == {"─"}
    (gas06,) = [line for line in lines if line.startswith("GAS-06")]
    assert gas06.split("  ")[0] == "GAS-06"
    assert "multiple_pancreatic_tumors and residual_after_surgery=true" in gas06
    assert gas06.endswith(
        "vagotomy_with_acid_reducing_drug, total_gastrectomy (rare); "
        "either vagotomy_with_acid_reducing_drug or total_gastrectomy"
    )
    assert len([line for line in lines if RULE_LINE.match(line)]) == 41
    assert lines[-1] == "41 rules in 7 sections; 'pnet-expert kb show RULE' for one in full"
    assert max(len(line) for line in lines) <= 250


def test_rules_of_one_section(capsys: pytest.CaptureFixture[str]) -> None:
    """--section, piped (88 columns): only that section's rules, each a block that fits."""
    assert main(["kb", "rules", "--section", "insulinoma"]) == 0
    lines = capsys.readouterr().out.splitlines()
    heads = [line for line in lines if RULE_LINE.match(line)]
    assert [line.split()[0] for line in heads] == [f"INS-0{i}" for i in range(1, 9)]
    ins01 = lines.index(heads[0])
    assert lines[ins01 : ins01 + 3] == [
        "INS-01  insulinoma  usually",
        "    when: single_pancreatic_tumor[site head|tail size small]",
        "    offers: tumor_resection",
    ]
    assert lines[-1] == "8 rules in section insulinoma; 'pnet-expert kb show RULE' for one in full"
    assert max(len(line) for line in lines) <= 88


@pytest.mark.slow
def test_rules_unknown_section() -> None:
    """An unknown section: exit 2, its code, "did you mean" and the sections (word for word)."""
    done = run_cli("kb", "rules", "--section", "insulnoma")
    assert done.returncode == 2
    assert done.stderr == (
        "pnet-expert: error: [INPUT-E001] --section: 'insulnoma' is not a section "
        "(did you mean 'insulinoma'?); the sections are: gastrinoma, insulinoma, glucagonoma, vipoma, "
        "somatostatinoma, other, recurrent\n"
    )


def test_show_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """kb show: the knowledge base, conditions in words, offers with labels, the quote, the readings in
    full, a case it fires on."""
    assert main(["kb", "show", "ins-02"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Knowledge base pnet_expert ")
    assert "\nINS-02: a rule of the section 'Insulinoma' (insulinoma), at rules/insulinoma.yaml:" in out
    assert 'Strength: usually (the source says "treatment is usually")' in out
    assert "  - tumor_type is insulinoma (type of tumor)  [the section's condition]\n" in out
    assert "  - single_pancreatic_tumor with site head, size large (a single tumor in the pancreas)\n" in out
    assert "  - pancreatoduodenectomy: Pancreatoduodenectomy: removal of the head of the pancreas" in out
    assert '  "For one large tumor in the head of the pancreas that cannot be removed by surgery,' in out
    assert "Readings of unclear passages that bear on it:\n  Reading RD-02: a large tumor in the head" in out
    assert '    Read as: "Cannot be removed by surgery" is read as' in out
    assert "    The other reading: The bullet applies only when" in out
    assert "  Reading RD-09: cautions" in out
    assert out.endswith(
        "It fires on, for example (the smallest valid case):\n"
        "  {tumor_type: insulinoma, tumors: [{site: head, size: large}]}\n"
    )


def test_show_finding_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """kb show FND-09: the finding, its conditions, and the rules that use it."""
    assert main(["kb", "show", "FND-09"]) == 0
    out = capsys.readouterr().out
    assert "\n\nFND-09: the rule that derives the finding liver_dominant_severe" in out
    assert "  - liver_dominant is true (the cancer mostly affects the liver)\n" in out
    assert out.endswith("Rules that use it: GAS-11, INS-08, GLU-07\n")


@pytest.mark.slow
def test_show_unknown_rule() -> None:
    """An unknown id: exit 2, "did you mean", and the ids there are."""
    done = run_cli("kb", "show", "GAS-99")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "pnet-expert: error: [INPUT-E001] rule: 'GAS-99' is not a rule (did you mean 'GAS-09'?); the rules "
    )
    assert done.stderr.endswith(
        "REC-01 to REC-03, the findings' rules FND-01 to FND-11, the cautions CAU-01, "
        "the readings RD-01 to RD-10\n"
    )


def test_show_a_reading_and_a_caution(capsys: pytest.CaptureFixture[str]) -> None:
    """kb show RD-07 gives the reading in full; kb show cau-01 the caution with its readings."""
    assert main(["kb", "show", "RD-07"]) == 0
    out = capsys.readouterr().out
    assert "Reading RD-07: the contrasting sub-bullets on surgery and ablation after spread" in out
    for part in ("The source's words:", "Read as:", "Why:", "The other reading:", "What it would change:"):
        assert part in out
    assert "It bears on: INS-05, GLU-04, VIP-04, INS-06, GLU-05, VIP-05" in out
    assert main(["kb", "show", "cau-01"]) == 0
    out = capsys.readouterr().out
    assert "CAU-01: a caution (the case says the tumor cannot be removed by surgery)" in out
    assert "  Reading RD-09: cautions" in out


# ---------------------------------------------------------------- kb graph


def test_graph_dot_and_mermaid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The suffix picks the format; one section draws only what its rules use; each names its KB."""
    dot, mermaid = tmp_path / "kb.dot", tmp_path / "insulinoma.mmd"
    assert main(["kb", "graph", "-o", str(dot)]) == 0
    assert main(["kb", "graph", "-o", str(mermaid), "--section", "insulinoma"]) == 0
    about, graph = dot.read_text().split("\n", 1)
    assert about.startswith("// Knowledge base pnet_expert ")  # which knowledge base, as a comment
    assert graph.startswith("digraph g_pnet_expert {")
    about, text = mermaid.read_text().split("\n", 1)
    assert about.startswith("%% Knowledge base pnet_expert ")
    assert text.startswith("flowchart LR")
    assert "INS-06" in text
    assert "GAS-06" not in text
    err = capsys.readouterr().err
    assert f"wrote {dot} (dot: " in err


def test_graph_svg_needs_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without Graphviz's dot, an .svg is refused with a clear message (exit 2)."""
    monkeypatch.setattr("pnet_expert.explain.reports.graph.dot_available", lambda: False)
    assert main(["kb", "graph", "-o", str(tmp_path / "kb.svg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"pnet-expert: error: [INPUT-E008] {tmp_path / 'kb.svg'}: an SVG needs Graphviz's 'dot'"
    )
    assert err.endswith("; write .dot or .mmd instead\n")
    assert not (tmp_path / "kb.svg").exists()


@pytest.mark.skipif(not __import__("shutil").which("dot"), reason="Graphviz's dot is not installed")
def test_graph_svg_with_graphviz(tmp_path: Path) -> None:
    """With Graphviz, an .svg is drawn."""
    assert main(["kb", "graph", "-o", str(tmp_path / "kb.svg")]) == 0
    assert (tmp_path / "kb.svg").read_text().startswith("<svg")


def test_graph_unknown_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown suffix: exit 2, naming it and what is allowed."""
    assert main(["kb", "graph", "-o", str(tmp_path / "kb.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pnet-expert: error: [FILE-E005] {tmp_path / 'kb.png'}: ")
    assert "'.png'; use .dot, .mmd or .svg (or --format)\n" in err


# ---------------------------------------------------------------- kb init


def test_init_copies_an_editable_knowledge_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """kb init: every YAML file and the source text, no Python; the copy loads, checks clean (its quotes
    against its own source text) and consults."""
    target = tmp_path / "my-kb"
    assert main(["kb", "init", str(target)]) == 0
    copied = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    bundled = sorted(
        p.relative_to(bundled_path()).as_posix()
        for pattern in ("*.yaml", "source/*.md")
        for p in bundled_path().rglob(pattern)
    )
    assert copied == bundled
    assert "source/pdq-pnet-treatment-patient-2012-02-06.md" in copied
    out = capsys.readouterr().out
    assert out.startswith(
        f"copied the knowledge base to {target} (16 files, its source text among them). Edit it, then:\n"
    )
    assert main(["kb", "check", "--kb", str(target)]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "recommend",
                str(Path(__file__).parent.parent / "examples/cases/other-localized.yaml"),
                "--kb",
                str(target),
            ]
        )
        == 0
    )


def test_init_refuses_a_non_empty_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A non-empty directory is refused (exit 2) unless --force."""
    target = tmp_path / "full"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    assert main(["kb", "init", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pnet-expert: error: [INPUT-E007] {target}: is not empty; ")
    assert "--force" in err
    assert main(["kb", "init", str(target), "--force"]) == 0
    assert (target / "notes.txt").read_text() == "mine\n"
    assert (target / "rules" / "insulinoma.yaml").is_file()


def test_init_from_another_copy(tmp_path: Path, kb_copy: Path) -> None:
    """--kb DIR copies that knowledge base, edits included."""
    edit(kb_copy / "source.yaml", "version: 1.2.0", "version: 1.3.0")
    assert main(["kb", "init", str(tmp_path / "second"), "--kb", str(kb_copy)]) == 0
    assert "version: 1.3.0" in (tmp_path / "second" / "source.yaml").read_text()


# ---------------------------------------------------------------- kb diff


@pytest.mark.slow
def test_diff_offers_edited(kb_copy: Path) -> None:
    """kb diff: exactly the edited rule, its field, and the one kind of case whose options change (exit 1)."""
    edit(
        kb_copy / "rules" / "gastrinoma.yaml",
        "      - treatment: ablation\n      - treatment: chemoembolization\n",
        "      - treatment: ablation\n",
    )
    done = run_cli("kb", "diff", "bundled", str(kb_copy), env=dict(os.environ, COLUMNS="100"))
    assert done.returncode == 1, done.stderr
    head, body = done.stdout.split("\n\n", 1)
    assert head.startswith("OLD bundled (version 1.2.0)\n    Knowledge base pnet_expert 1.2.0 (bundled; ")
    new_at = head.index(f"\nNEW {kb_copy} (version 1.2.0)\n")
    assert " ".join(head[new_at:].split()).startswith(
        f"NEW {kb_copy} (version 1.2.0) Knowledge base pnet_expert 1.2.0 (MODIFIED, at {kb_copy}: "
        "1 rule differs"
    )
    assert body == (
        "Rules added: none\n"
        "Rules removed: none\n"
        "Rules changed:\n"
        "  GAS-09\n"
        "    offers:\n"
        "      - chemoembolization\n"
        "\n"
        "Other changes: none\n"
        "\n"
        "Note: the knowledge changed, its version (1.2.0) did not: bump it in source.yaml.\n"
        "\n"
        "Impact: 1 kind of case changes its options (cases valid in both; options from the engine):\n"
        "  1. chemoembolization is no longer offered (was: may include)\n"
        "     where rules offering chemoembolization that fire: before GAS-09; after none (128 cases)\n"
        "     e.g. {tumor_type: gastrinoma, spread: [liver]}\n"
        "     before: supportive_care, liver_resection, ablation, chemoembolization\n"
        "     after:  supportive_care, liver_resection, ablation\n"
    )


def test_diff_same(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two copies of the same knowledge: exit 0."""
    assert main(["kb", "diff", str(bundled_path()), str(kb_copy)]) == 0
    assert capsys.readouterr().out.endswith("\nThe two knowledge bases hold the same knowledge.\n")


def test_diff_broken_new_is_bad_input(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A knowledge base that does not load: exit 2 with its problems."""
    edit(kb_copy / "rules" / "gastrinoma.yaml", "strength: usually", "strength: always")
    assert main(["kb", "diff", str(bundled_path()), str(kb_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "pnet-expert: error: the knowledge base has 1 problem:\npnet-expert: error:   [KB-E101] "
    )
    assert "GAS-04.strength: 'always' is not a strength; allowed: usually, may include" in err
