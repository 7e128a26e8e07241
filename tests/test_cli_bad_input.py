"""Exit 2 with one clear line for every bad input the red team found giving an internal error (issue 12).

Each was exit 1 with "internal error: RecursionError/ValueError/TypeError/
UnicodeEncodeError/...". Run in process through ``main()``: the code, the exit
status, and that standard error holds no traceback and no "internal error".
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from helpers import within

from pnet_expert.cli import main
from pnet_expert.core.show import unsafe

CASES = {
    "deep.json": '{"tumor_type": "gastrinoma", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "deep.toml": 'tumor_type = "gastrinoma"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep.yaml": "tumor_type: gastrinoma\nx: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "complex.yaml": "? [a]\n: 1\ntumor_type: gastrinoma\n",
    "badint.yaml": "tumor_type: !!int abc\n",
    "bigint.yaml": "tumor_type: gastrinoma\nx: " + "9" * 5000 + "\n",
    "bigint.json": '{"tumor_type": "gastrinoma", "x": ' + "9" * 5000 + "}",
    "bigint.toml": 'tumor_type = "gastrinoma"\nx = ' + "9" * 5000 + "\n",
    "surrogate.json": '{"tumor_type": "gastrinoma", "notes": "\\ud800"}',
    "bidi.json": '{"tumor_type": "gastrinoma", "title": "abc\\u202edef"}',
    "spread.json": '{"tumor_type": "gastrinoma", "spread": [' + ", ".join(['"lungs"'] * 100_000) + "]}",
    "esc.yaml": 'tumor_type: gastrinoma\nnotes: "a\x1b[2Jb\x00"\n',
    "esckey.json": '{"tumor_type": "gastrinoma", "\\u001b]0;pwn\\u0007x": 1}',
    "bidikey.json": '{"tumor_type": "gastrinoma", "\\u202eyek": 1}',
}
CODES = {
    "deep.json": "FILE-E013",
    "deep.toml": "FILE-E013",
    "deep.yaml": "FILE-E013",
    "complex.yaml": "FILE-E007",
    "badint.yaml": "FILE-E007",
    "bigint.yaml": "FILE-E013",
    "bigint.json": "FILE-E013",
    "bigint.toml": "FILE-E013",
    "surrogate.json": "CASE-E011",
    "bidi.json": "CASE-E011",
    "spread.json": "CASE-E013",
    "esc.yaml": "FILE-E007",
    "esckey.json": "CASE-E004",
    "bidikey.json": "CASE-E004",
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = within(30, lambda: main(list(args)))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error(err: str, code: str) -> None:
    assert err.startswith(f"pnet-expert: error: [{code}] ")
    assert len(err.splitlines()) == 1
    assert not any(unsafe(c) for c in err.rstrip("\n")), "a control character printed raw"
    assert "internal error" not in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize(
    "command", [("recommend",), ("recommend", "--format", "json"), ("report", "-o", "r.md")]
)
def test_a_bad_case_file_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    command: tuple[str, ...],
) -> None:
    """Deep nesting, YAML that Python cannot take, huge integers, a lone surrogate, U+202E, 10^5 bad items."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(CASES[name])
    code, out, err = _run(capsys, command[0], name, *command[1:])
    assert (code, out) == (2, "")
    _one_error(err, CODES[name])
    assert not (tmp_path / "r.md").exists()


def test_standard_input_closed_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``recommend -`` with standard input closed (``<&-``): exit 2, naming <stdin>."""
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = _run(capsys, "recommend", "-")
    assert code == 2
    _one_error(err, "FILE-E003")
    assert "<stdin>: standard input is closed" in err


def test_binary_standard_input_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes that are not UTF-8 on standard input: exit 2, the offset of the first bad byte named."""
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00tumor_type: \xc3"), encoding="utf-8")
    )
    code, _, err = _run(capsys, "recommend", "-")
    assert code == 2
    _one_error(err, "FILE-E003")
    assert "is not UTF-8 text (byte 0xff at offset 0)" in err


def test_a_batch_from_closed_standard_input_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``batch -`` with standard input closed: exit 2 too."""
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = _run(capsys, "batch", "-")
    assert code == 2
    _one_error(err, "FILE-E003")


@pytest.mark.parametrize("broken", ["not-utf8", "dangling", "fifo"])
def test_a_knowledge_base_file_that_cannot_be_read_is_exit_2(
    kb_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    """recommend --kb, a rules file not UTF-8, a dangling link or a FIFO: exit 2, the file placed."""
    rules = kb_copy / "rules" / "vipoma.yaml"
    rules.unlink()
    if broken == "not-utf8":
        rules.write_bytes(b"\xff\xfe rules: []\n")
    elif broken == "dangling":
        rules.symlink_to(tmp_path / "nowhere.yaml")
    elif hasattr(os, "mkfifo"):
        os.mkfifo(rules)
    else:
        pytest.skip("no FIFOs here")
    case = tmp_path / "case.json"
    case.write_text('{"tumor_type": "vipoma"}')
    code, _, err = _run(capsys, "recommend", str(case), "--kb", str(kb_copy))
    assert code == 2
    assert "internal error" not in err
    assert "rules/vipoma.yaml:1:1:" in err
    assert ("[KB-E208]" if broken == "fifo" else "[KB-E209]") in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_kb_check_source_dev_zero_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """``kb check --source /dev/zero`` ran out of memory (internal error); a device is no source text."""
    code, _, err = _run(capsys, "kb", "check", "--source", "/dev/zero", "--no-progress")
    assert code == 2
    _one_error(err, "FILE-E012")


def test_many_problems_print_at_most_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One error with hundreds of problems prints problems_shown lines, then how many more."""
    case = tmp_path / "case.json"
    case.write_text("{" + ", ".join(f'"key{i}": 1' for i in range(300)) + "}")
    code, _, err = _run(capsys, "recommend", str(case))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 21
    assert lines[-1] == "pnet-expert: error: ... and 281 more (limit problems_shown)"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_under_the_output_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """batch -o /dev/full (no space left): a message with its code, exit 2, not an internal error."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"tumor_type": "other"}\n')
    code, _, err = _run(capsys, "batch", str(cases), "-o", "/dev/full", "--no-progress")
    assert code == 2
    _one_error(err, "FILE-E004")
    assert "No space left on device" in err
