"""Provenance: the source text ships with the knowledge base, quotes are checked against it by default,
and every output names the knowledge base that answered (bundled, or MODIFIED and how)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import ROOT, edit
from helpers.repl import flat, session

from pnet_expert import recommend
from pnet_expert.cli import main, version_lines
from pnet_expert.cli.batch_runner import run_batch
from pnet_expert.core.errors import KnowledgeBaseError
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.knowledge import cache
from pnet_expert.knowledge.identity import about, identify
from pnet_expert.knowledge.loader import load_knowledge_base
from pnet_expert.verify.check import check_knowledge_base

CASE = {"tumor_type": "gastrinoma", "acid_symptoms": True}
INVENTED = "For symptoms caused by too much stomach acid, treatment is always a miracle pill."


@pytest.fixture
def edited(kb_copy: Path) -> Path:
    """A copy of the knowledge base whose GAS-02 quotes words the source does not have."""
    edit(
        kb_copy / "rules" / "gastrinoma.yaml",
        "      For symptoms caused by too much stomach acid, treatment may be a drug that\n"
        "      decreases the amount of acid made by the stomach.",
        f"      {INVENTED}",
    )
    return kb_copy


def test_the_bundled_knowledge_base_says_so_in_json_and_text(kb: KnowledgeBase) -> None:
    """The bundled knowledge base: bundled, not modified, a short fingerprint, quotes verified."""
    c = recommend(CASE)
    who = c.to_dict()["knowledge_base"]
    assert (who["name"], who["version"], who["bundled"], who["modified"]) == (
        "pnet_expert",
        kb.version,
        True,
        False,
    )
    assert re.fullmatch(r"[0-9a-f]{12}", who["fingerprint"])
    assert who["fingerprint_sha256"].startswith(who["fingerprint"])
    assert who["source"]["edition"] == "patient version, last modified 2012-02-06"
    assert who["source"]["file"] == "source/pdq-pnet-treatment-patient-2012-02-06.md"
    assert (who["path"], who["differs_from_bundled"], who["quotes_verified"]) == (None, None, True)
    assert who["readings"] == 10
    assert (
        flat(c.to_text())
        .split(" Case: ")[0]
        .endswith(
            f"Knowledge base pnet_expert {kb.version} (bundled; fingerprint {who['fingerprint']}); source: "
            "Pancreatic Neuroendocrine Tumors (Islet Cell Tumors) Treatment (PDQ®), patient version, last "
            "modified 2012-02-06; quotes verified against the source text"
        )
    )


def test_an_edited_copy_is_marked_modified_with_its_path_rules_and_quotes(edited: Path) -> None:
    """An edited copy: MODIFIED in text and JSON, its path, one rule differing, the invented quote named."""
    c = recommend(CASE, kb=edited)
    who = c.to_dict()["knowledge_base"]
    assert (who["bundled"], who["modified"], who["path"]) == (False, True, str(edited))
    assert who["differs_from_bundled"]["rules"] == 1
    assert who["differs_from_bundled"]["rule_ids"] == ["GAS-02"]
    assert (who["quotes_verified"], who["quotes_not_in_source"]) == (False, ["GAS-02.quote"])
    assert who["fingerprint"] != about(load_knowledge_base())["fingerprint"]
    header = flat(c.to_text()).split(" Case: ")[0]
    assert f"(MODIFIED, at {edited}: 1 rule differs from the bundled knowledge base" in header
    assert "(GAS-02)" in header
    assert "quotes NOT all the source's words: 1 of 102 is not (GAS-02.quote)" in header


def test_an_unmodified_copy_is_neither_bundled_nor_modified(kb_copy: Path) -> None:
    """A copy that kb init made and nobody edited has the bundled fingerprint, and says where it is."""
    who = identify(load_knowledge_base(kb_copy))
    assert (who.bundled, who.modified) == (False, False)
    assert who.fingerprint == identify(load_knowledge_base()).fingerprint
    assert who.brief().startswith(f"pnet_expert {who.version} (unmodified copy at {kb_copy}, ")


def test_every_output_of_an_edited_copy_says_modified(edited: Path, tmp_path: Path) -> None:
    """The report's notice, the REPL's banner, batch results, kb show: each says MODIFIED."""
    kb = load_knowledge_base(edited)
    c = recommend(CASE, kb)
    assert 'data-modified="true"' in c.to_html()
    assert "**MODIFIED**" in c.to_markdown()
    _, out, _ = session(kb, "quit")
    assert f"(MODIFIED, at {edited}:" in flat(out)
    ((_, line, bad),) = list(run_batch([json.dumps(CASE)], kb))
    assert not bad
    assert json.loads(line)["knowledge_base"]["modified"] is True
    ((_, line, bad),) = list(run_batch(['{"tumor_type": "lungs"}'], kb))
    assert bad
    assert json.loads(line)["knowledge_base"]["modified"] is True


def test_kb_check_checks_quotes_and_coverage_with_no_argument() -> None:
    """kb check with no --source checks the quotes, passages and coverage against the shipped text."""
    report = check_knowledge_base()
    assert report.source == "source/pdq-pnet-treatment-patient-2012-02-06.md"
    assert report.source_own
    summary = {r.check: (r.status, r.detail) for r in report.summary()}
    assert summary["quotes"] == (
        "ok",
        "84 quotes and sub-bullets, 18 readings' passages: all the source's words",
    )
    assert summary["coverage"] == ("ok", "78 of 78 bullets cited")
    assert report.ok


def test_an_invented_quote_fails_kb_check_naming_the_rule(
    edited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """kb check --kb on an edited copy: exit 1, CHECK-E101 naming GAS-02 (and the bullet now uncited)."""
    assert main(["kb", "check", "--kb", str(edited)]) == 1
    out = flat(capsys.readouterr().out)
    assert "[CHECK-E101] rules/gastrinoma.yaml:" in out
    assert ": GAS-02: quote is not the source's words: 'For symptoms caused by too much stomach acid" in out
    assert "[CHECK-E201]" in out
    assert "(MODIFIED, at" in out


def test_a_knowledge_base_with_no_source_text_gets_a_warning(kb_copy: Path) -> None:
    """No source.file and no --source: CHECK-W103, and the quotes and coverage are 'skipped', not clean."""
    source = kb_copy / "source.yaml"
    source.write_text(re.sub(r"(?m)^  (file|sha256): .*\n", "", source.read_text()))
    report = check_knowledge_base(kb_copy)
    assert [(d.code, d.severity) for d in report.issues if d.code.startswith("CHECK-W")] == [
        ("CHECK-W103", "warning")
    ]
    summary = {r.check: r.status for r in report.summary()}
    assert (summary["quotes"], summary["coverage"]) == ("skipped", "skipped")
    who = identify(load_knowledge_base(kb_copy))
    assert who.quotes_text() == "quotes NOT verified: it has no source text"
    assert who.differences().startswith("no rule differs from the bundled knowledge base ")


def test_a_source_file_named_but_missing_is_a_warning_and_source_stands_in(
    kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy without its source/ folder still loads: kb check warns (CHECK-W103, naming the file) and
    says 'clean, with 1 warning'; --source checks its quotes instead, and the header says so."""
    named = load_knowledge_base(kb_copy).source.file
    for file in (kb_copy / "source").iterdir():
        file.unlink()
    (kb_copy / "source").rmdir()
    kb = load_knowledge_base(kb_copy)
    assert kb.source_text is None
    report = check_knowledge_base(kb_copy)
    (warning,) = [d for d in report.issues if d.code.startswith("CHECK-W")]
    assert warning.code == "CHECK-W103"
    assert f"source.yaml names {named}, which is not in the knowledge base" in warning.message
    assert main(["kb", "check", "--kb", str(kb_copy)]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("kb check: clean, with 1 warning (")
    text = ROOT / "knowledge_base" / str(named)
    report = check_knowledge_base(kb_copy, source=text)
    assert report.ok
    assert report.quotes_checked > 0
    assert main(["kb", "check", "--kb", str(kb_copy), "--source", str(text)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "this check reads the source text given with --source instead (below)" in out


def test_another_source_text_gets_a_warning(tmp_path: Path) -> None:
    """--source with a text whose digest is not the recorded one: CHECK-W104 (the check still runs)."""
    other = tmp_path / "other.md"
    text = (ROOT / "knowledge_base" / "source" / "pdq-pnet-treatment-patient-2012-02-06.md").read_text()
    other.write_text(text + "\nA line of my own.\n")
    report = check_knowledge_base(source=other)
    assert [d.code for d in report.issues if d.code.startswith("CHECK-W")] == ["CHECK-W104"]
    assert report.ok


def test_a_source_file_outside_the_knowledge_base_is_refused(kb_copy: Path) -> None:
    """source.file must name a file of the knowledge base's source/ folder (KB-E210), never one outside."""
    source = kb_copy / "source.yaml"
    edit(source, "file: source/pdq-", "file: ../pdq-")
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb_copy)
    assert [d.code for d in info.value.diagnostics] == ["KB-E210"]


def test_version_is_labelled() -> None:
    """--version: the package's version and the bundled knowledge base's, each labelled."""
    package, kb_line, source = version_lines()
    assert re.fullmatch(r"package: +pnet-expert \S+", package)
    assert re.fullmatch(r"knowledge base: pnet_expert \S+ \(bundled; fingerprint [0-9a-f]{12}\)", kb_line)
    assert source.endswith("patient version, last modified 2012-02-06")


def test_readings_and_the_source_text_survive_the_cache(
    kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A knowledge base read back from the cache has the same readings and source text; editing the source
    text is another key (a miss)."""
    monkeypatch.setenv("PNET_EXPERT_CACHE_DIR", str(tmp_path / "cache"))
    first = load_knowledge_base(kb_copy)
    again = cache.load(first.fingerprint)
    assert again is not None
    assert (again.readings, again.source_text, again.source) == (
        first.readings,
        first.source_text,
        first.source,
    )
    text = kb_copy / "source" / "pdq-pnet-treatment-patient-2012-02-06.md"
    text.write_text(text.read_text() + "\n")
    assert load_knowledge_base(kb_copy).fingerprint != first.fingerprint


OLD_READING = re.compile(r"\b[Rr]eadings? \d+\.\d+")


def test_nothing_the_project_ships_points_outside_it() -> None:
    """No "SPEC", "§" or a path to the workplace's folder beside the repository in the docs, code,
    templates, knowledge base or examples."""
    outside = "../" + "shared"  # spelt in two parts, so that this test is not itself a pointer outside
    places = ["README.md", "DEVELOPERS.md", "docs", "pnet_expert", "knowledge_base", "examples", "benchmarks"]
    found = []
    for place in places:
        path = ROOT / place
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if file.suffix not in (".py", ".md", ".yaml", ".j2", ".json", ".txt", ".toml", ".css"):
                continue
            text = file.read_text(encoding="utf-8")
            found += [
                f"{file.relative_to(ROOT)}: {w}" for w in ("SPEC §", "SPEC.md", outside, "§") if w in text
            ]
            # a reading cited by the contract's old section numbers ("reading 5.3"), not by its id
            found += [f"{file.relative_to(ROOT)}: {m}" for m in OLD_READING.findall(text)]
    assert found == []
