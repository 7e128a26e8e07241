"""Batch: the same output, byte for byte and in input order, whatever the number of jobs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli
from helpers.strategies import seeded_cases

from pnet_expert.cli.batch_runner import CHUNK, run_batch
from pnet_expert.files.casefile import atomic_output

BAD = {
    7: '{"tumor_type": "gastrinom"}',
    50: "not json",
    301: '{"tumor_type": "vipoma", "sevre_symptoms": true}',
    302: "[1, 2]",
    555: '{"tumor_type": "other", "tumor_type": "vipoma"}',
}
BLANK = (3, 400, 401)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """More lines than one chunk (so that --jobs 2 really uses workers), with bad and blank lines."""
    cases = iter(seeded_cases(700, seed=66))
    out: list[str] = []
    for number in range(1, 701):
        if number in BAD:
            out.append(BAD[number])
        elif number in BLANK:
            out.append("   ")
        else:
            out.append(json.dumps(next(cases)))
    assert len(out) > 2 * CHUNK
    return out


@pytest.mark.slow
def test_two_jobs_give_the_results_of_one_in_input_order(lines: list[str]) -> None:
    """run_batch with 2 jobs yields exactly what 1 job yields: every line's result, in input order."""
    one = list(run_batch(lines, jobs=1))
    two = list(run_batch(lines, jobs=2))
    assert two == one
    numbers = [number for number, _, _ in one]
    assert numbers == [n for n in range(1, 701) if n not in BLANK]
    assert {number for number, _, bad in one if bad} == set(BAD)
    for number, text, _ in one:
        assert json.loads(text)["line"] == number


@pytest.mark.slow
def test_the_command_writes_identical_files_with_one_or_two_jobs(lines: list[str], tmp_path: Path) -> None:
    """`batch -o` with --jobs 1 and --jobs 2: byte-identical files, the same report of bad lines, exit 2."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n")
    done = {}
    for jobs in ("1", "2"):
        done[jobs] = run_cli(
            "batch", str(cases), "-o", str(tmp_path / f"out{jobs}.jsonl"), "--jobs", jobs, "--no-progress"
        )
        assert done[jobs].returncode == 2, done[jobs].stderr
    one, two = (tmp_path / "out1.jsonl").read_bytes(), (tmp_path / "out2.jsonl").read_bytes()
    assert one == two
    assert len(one.splitlines()) == 700 - len(BLANK)
    assert done["1"].stderr == done["2"].stderr
    reported = [line for line in done["1"].stderr.splitlines() if line.startswith("pnet-expert batch: line ")]
    assert [int(line.split()[3].rstrip(":")) for line in reported] == sorted(BAD)
    assert "697 cases, 692 consulted, 5 bad" in done["1"].stderr


@pytest.mark.slow
def test_standard_output_is_identical_too(lines: list[str], tmp_path: Path) -> None:
    """Without -o, the results on standard output are byte-identical with one or two jobs."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines[:600]) + "\n")
    one, two = (run_cli("batch", str(cases), "--jobs", jobs) for jobs in ("1", "2"))
    assert one.stdout == two.stdout
    assert one.stdout.count("\n") == 600 - len([n for n in BLANK if n <= 600])


def test_results_are_those_of_recommend(lines: list[str]) -> None:
    """Each good line's result is the case's consultation (to_dict) with its line number."""
    from pnet_expert import recommend

    results = {number: json.loads(text) for number, text, _ in run_batch(lines[:20], jobs=1)}
    for number in (1, 2, 4, 20):
        expected = recommend(json.loads(lines[number - 1])).to_dict()
        assert results[number] == {"line": number, **json.loads(json.dumps(expected))}


def test_a_failed_batch_leaves_the_output_file_untouched(tmp_path: Path) -> None:
    """The output is written beside the target and renamed at the end; on an error, nothing is replaced."""
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")

    def fail_halfway() -> None:
        with atomic_output(target) as out:
            out.write("half\n")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_halfway()
    assert target.read_text() == "previous\n"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_output(target) as out:
        out.write("whole\n")
    assert target.read_text() == "whole\n"


@pytest.mark.slow
def test_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    """-o into a folder that does not exist: a message and exit 2, no traceback."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"tumor_type": "other"}\n')
    done = run_cli("batch", str(cases), "-o", str(tmp_path / "missing" / "out.jsonl"))
    assert done.returncode == 2
    assert done.stderr.startswith(f"pnet-expert: error: [FILE-E004] {tmp_path / 'missing' / 'out.jsonl'}: ")
    assert "cannot be written" in done.stderr
    assert "Traceback" not in done.stderr
