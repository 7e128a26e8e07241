"""Batches that lose nothing, and outputs written as the user means them (issue 12).

A bad line (a lone surrogate, 600 nested brackets, a line past its limit, a
bug) is reported by its number and every other line is processed; lines are
split on new lines only; ``-o`` is checked before the work, written through a
symbolic link, directly into a FIFO or a device, atomically (mode kept) for a
regular file; SIGTERM and the parent's death stop the workers and leave no
temporary file.
"""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import within

from pnet_expert.cli import main
from pnet_expert.cli.batch_runner import run_batch, run_numbered
from pnet_expert.core.limits import BATCH_LINE_BYTES
from pnet_expert.files.safe_read import ReadProblem, lines
from pnet_expert.files.safe_write import output

CASE = '{"tumor_type": "other"}'
LINUX = sys.platform.startswith("linux")


def _results(texts: list[str]) -> list[dict[str, object]]:
    return [json.loads(text) for _, text, _ in run_batch(texts)]


# ---------------------------------------------------------------- one bad line is one bad line


@pytest.mark.parametrize(
    "bad",
    [
        '{"tumor_type": "other", "notes": "\\ud800"}',
        "[" * 600 + "]" * 600,
        "[" * 100_000 + "]" * 100_000,
        '{"tumor_type": "other", "x": ' + "9" * 5000 + "}",
        '{"tumor_type": "other", "title": "a\\u202eb"}',
    ],
)
def test_a_bad_line_is_reported_and_every_other_line_consulted(bad: str) -> None:
    """A lone surrogate or 600 nested [ ended the batch (exit 1, later lines lost); now it is one bad line."""
    results = _results([CASE, bad, CASE])
    assert [r["line"] for r in results] == [1, 2, 3]
    assert ["error" in r for r in results] == [False, True, False]
    assert results[1]["diagnostics"]


def test_a_bug_on_one_line_is_that_line_s_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An internal error while consulting one case is reported as that line's error; the batch goes on."""
    from pnet_expert import api

    real = api.recommend

    def flaky(case: dict[str, object], kb: object = None) -> object:
        if case.get("id") == "boom":
            message = "a bug"
            raise RuntimeError(message)
        return real(case, kb)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "recommend", flaky)
    results = _results([CASE, '{"tumor_type": "other", "id": "boom"}', CASE])
    assert [("error" in r) for r in results] == [False, True, False]
    assert (
        results[1]["error"] == "internal error: RuntimeError: a bug (a bug in pnet_expert: please report it)"
    )


def test_lines_are_split_on_new_lines_only() -> None:
    """JSON allows U+2028, U+2029, form feeds and the like in strings: they end no line; \\r\\n does."""
    text = '{"a": "x\u2028y\u2029z\x0b\x0c\x1c\x85"}\r\n{"b": 1}\nlast'
    read = list(lines(io.BytesIO(text.encode()), "batch_line_bytes"))
    assert read == [(1, '{"a": "x\u2028y\u2029z\x0b\x0c\x1c\x85"}'), (2, '{"b": 1}'), (3, "last")]


def test_a_line_past_its_limit_or_not_utf8_is_one_bad_line() -> None:
    """A line longer than batch_line_bytes is read to its end and reported; the next line is still line 3."""
    data = (
        CASE.encode() + b"\n" + b"x" * (BATCH_LINE_BYTES + 10) + b"\n" + b"\xff\xfe\n" + CASE.encode() + b"\n"
    )
    read = list(lines(io.BytesIO(data), "batch_line_bytes"))
    assert [n for n, _ in read] == [1, 2, 3, 4]
    assert isinstance(read[1][1], ReadProblem)
    assert isinstance(read[2][1], ReadProblem)
    results = [json.loads(text) for _, text, _ in run_numbered(read)]
    assert results[1]["diagnostics"][0]["code"] == "FILE-E013"
    assert "limit batch_line_bytes" in results[1]["error"]
    assert results[2]["diagnostics"][0]["code"] == "FILE-E003"
    assert "error" not in results[3]


def test_the_command_names_a_bad_line_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'pnet-expert batch: line 2: not valid JSON...': the line's number said once, not 'line 2: line 2:'."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(f"{CASE}\nnot json\n")
    assert main(["batch", str(cases), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "pnet-expert batch: line 2: not valid JSON" in err
    assert "line 2: line 2" not in err


# ---------------------------------------------------------------- -o


def test_an_output_that_is_a_folder_fails_before_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o EXISTING_DIR failed only after all the work, as an internal error; now at once, exit 2."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text("not json\n" * 10 + CASE + "\n")
    (tmp_path / "out").mkdir()
    assert main(["batch", str(cases), "-o", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err == f"pnet-expert: error: [FILE-E002] {tmp_path / 'out'}: is a folder, not a file\n"


def test_an_output_link_is_written_through(tmp_path: Path) -> None:
    """A symbolic link named by -o stays a link; the file it points to gets the output."""
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(real)
    with output(link) as out:
        out.write("new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"


def test_an_output_keeps_its_mode(tmp_path: Path) -> None:
    """A read-only 0444 file replaced by -o keeps 0444 (an atomic rename would have made it 0644)."""
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    target.chmod(0o444)
    with output(target) as out:
        out.write("new\n")
    assert (stat.S_IMODE(target.stat().st_mode), target.read_text()) == (0o444, "new\n")


def test_an_output_being_written_leaves_no_visible_temporary_file(tmp_path: Path) -> None:
    """While the output is written, nothing new shows in its folder (nameless where the system allows)."""
    target = tmp_path / "out.jsonl"
    with output(target) as out:
        out.write("x\n")
        during = sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    if LINUX:
        assert during == []


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_an_output_that_is_a_device_stays_a_device(tmp_path: Path) -> None:
    """-o /dev/null as root turned /dev/null into a regular file; a device is written, never replaced.

    As root the device is a fresh node (mknod) beside the test; others write /dev/null itself.
    """
    device = Path("/dev/null")
    if os.name == "posix" and os.geteuid() == 0:
        device = tmp_path / "null"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    with output(device) as out:
        out.write("discarded\n")
    assert stat.S_ISCHR(device.lstat().st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_an_output_fifo_is_written_directly_and_one_no_one_reads_is_an_error(tmp_path: Path) -> None:
    """Into a FIFO, the text goes as it is written (no temporary file); with no reader, an error at once."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="no one is reading"):
        within(10, lambda: output(fifo).__enter__())
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    time.sleep(0.2)
    with output(fifo) as out:
        out.write("through the pipe\n")
    reader.join(10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.slow
def test_a_stdout_link_writes_to_the_pipe(tmp_path: Path) -> None:
    """-o naming /dev/stdout (here a link to /proc/self/fd/1): the output goes to the pipe, the link kept."""
    if not Path("/proc/self/fd/1").exists():
        pytest.skip("no /proc here")
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(CASE + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pnet_expert", "batch", str(cases), "-o", str(link)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fired_rules"] == ["OTH-01"]
    assert link.is_symlink()


# ---------------------------------------------------------------- signals


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _batch_then(signum: int, tmp_path: Path) -> tuple[int | None, list[int]]:
    """batch --jobs 2 -o on a long input, sent ``signum`` once its workers run: (exit status, workers)."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text((CASE + "\n") * 40_000)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pnet_expert",
            "batch",
            str(cases),
            "--jobs",
            "2",
            "-o",
            str(tmp_path / "OUT.jsonl"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = _children(process.pid)
    time.sleep(1.0)
    process.send_signal(signum)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return process.returncode, workers


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="reads /proc to find the workers")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_stops_the_workers_and_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    """SIGTERM or SIGKILL on batch --jobs 2 left both workers running and a hidden .OUT.tmp of megabytes."""
    status, workers = _batch_then(signum, tmp_path)
    assert len(workers) >= 2
    assert status == (143 if signum == signal.SIGTERM else -signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.2)
    assert not [pid for pid in workers if _running(pid)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]


def test_results_are_one_line_for_any_reader() -> None:
    """U+2028 and U+2029 in a case are escaped in its result (U+0085 too): str.splitlines() finds one line."""
    ((_, text, _),) = run_batch(['{"tumor_type": "other", "id": "a\\u2028b\\u2029c"}'])
    assert len(text.splitlines()) == 1
    assert json.loads(text)["case"]["id"] == "a\u2028b\u2029c"


@pytest.mark.parametrize("through_a_link", [False, True])
def test_an_output_that_is_the_input_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], through_a_link: bool
) -> None:
    """batch CASES -o CASES (or a link to it) replaced the cases with the results: exit 2, the cases kept."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(CASE + "\n")
    target = cases
    if through_a_link:
        target = tmp_path / "link.jsonl"
        target.symlink_to(cases)
    assert main(["batch", str(cases), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pnet-expert: error: [INPUT-E002] -o: ")
    assert "is the file of cases being read" in err
    assert cases.read_text() == CASE + "\n"
