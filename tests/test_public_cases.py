"""The public example cases (examples/cases/): each gives exactly what expected.json says, by
recommend and by the CLI's JSON. The project carries both; nothing here reads outside it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, EXPECTED, public_cases, treatments_by_rule

from pnet_expert import recommend

CASES = public_cases()


def test_every_case_file_has_its_expectations_and_every_expectation_a_case() -> None:
    """expected.json and examples/cases/*.yaml name the same fourteen cases."""
    expected = json.loads(EXPECTED.read_text())["cases"]
    files = {path.stem for path in (EXAMPLES / "cases").glob("*.yaml")}
    assert set(expected) == files == {c["id"] for c in CASES}
    assert len(files) == 14


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_recommend_gives_the_expected_options(case: dict[str, Any]) -> None:
    """recommend() offers exactly the expected treatments, each by the expected rules."""
    result = recommend(case["case"]).to_dict()
    assert treatments_by_rule(result) == case["expected_treatments"]
    assert result["fired_rules"] == case["expected_rules"]


def test_the_revised_readings_changed_five_cases_as_expected_json_says() -> None:
    """The five cases the revised readings (RD-03, RD-07) changed say so, and give what they now should."""
    expected = json.loads(EXPECTED.read_text())["cases"]
    changed = {case_id for case_id, entry in expected.items() if "changed" in entry}
    assert changed == {
        "gastrinoma-liver-severe",
        "insulinoma-unresectable-nodes",
        "vipoma-liver",
        "recurrent-liver",
        "unknown-resectability",
    }
    by_id = {c["id"]: c for c in CASES}
    assert "GAS-10" not in recommend(by_id["gastrinoma-liver-severe"]["case"]).fired_rules
    assert "INS-05" not in recommend(by_id["insulinoma-unresectable-nodes"]["case"]).fired_rules
    unknown = recommend(by_id["unknown-resectability"]["case"])
    assert unknown.fired_rules == ()
    assert "resectable" in unknown.gaps[0]


@pytest.mark.slow
def test_cli_json_gives_the_expected_options(tmp_path: Path) -> None:
    """pnet-expert recommend --format json gives the same, for every public case (one process per case)."""
    for case in CASES:
        path = tmp_path / f"{case['id']}.json"
        path.write_text(json.dumps(case["case"]))
        done = subprocess.run(
            [sys.executable, "-m", "pnet_expert", "recommend", str(path), "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert treatments_by_rule(result) == case["expected_treatments"], case["id"]
        assert result["fired_rules"] == case["expected_rules"], case["id"]
