"""The REPL keeps its session whatever a line or a file does (issue 12).

A bad ``load`` (deep JSON or TOML, a YAML complex key or alias bomb, a FIFO, a
link to /dev/zero) lost the session or hung it; after loading a case with a
lone surrogate, ``options``, ``report`` and ``save`` crashed; piped ESC and NUL
were echoed raw; a 10 MB line took a minute. Each is replayed on plain piped
input (the REPL's own reader), in process.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from helpers import within

from pnet_expert import KnowledgeBase
from pnet_expert.consult.interview import Interview
from pnet_expert.consult.repl import PlainReader, Repl


def flat(output: str) -> str:
    """The output with white space folded: long messages are wrapped to the width of the text."""
    return " ".join(output.split())


def _session(kb: KnowledgeBase, data: bytes | str) -> tuple[int, str]:
    """Run the REPL on piped input (bytes as a terminal-less stdin gives them): exit status, output."""
    out = io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(data.encode() if isinstance(data, str) else data), encoding="utf-8")
    code = within(30, lambda: Repl(Interview(kb), PlainReader(stdin, out), out).run())
    return code, out.getvalue()


def _bomb() -> str:
    text = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for i in range(1, 10):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text + "tumor_type: gastrinoma\n"


BAD_FILES = {
    "deep.json": (
        '{"tumor_type": "gastrinoma", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "limit nesting_depth",
    ),
    "deep.toml": (
        'tumor_type = "gastrinoma"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n",
        "limit nesting_depth",
    ),
    "key.yaml": ("? [a]\n: 1\ntumor_type: gastrinoma\n", "a key must be a word, not a list"),
    "bomb.yaml": (_bomb(), "limit yaml_nodes"),
    "surrogate.json": ('{"tumor_type": "gastrinoma", "notes": "\\ud800"}', "half of a surrogate pair"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_load_is_a_message_and_the_session_goes_on(
    kb: KnowledgeBase, tmp_path: Path, name: str
) -> None:
    """The answers given before a bad load are kept, the error is one message, the next answer is taken
    (the yes agrees to load over the unsaved answer, the 0 answers how many tumors)."""
    text, words = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    code, out = _session(kb, f"gastrinoma\nload {path}\nyes\n0\nfacts\nquit\n")
    assert code == 0
    assert words in flat(out)
    assert "tumor_type = gastrinoma" in out
    assert "tumors = []" in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_loading_a_fifo_or_a_device_does_not_wait(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A FIFO hung the REPL, a link to /dev/zero ran it out of memory: both are refused on sight."""
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    code, out = _session(kb, f"load {tmp_path}/fifo.yaml\nload {tmp_path}/zero.yaml\nother\nfacts\nquit\n")
    assert code == 0
    assert "fifo.yaml: is a FIFO (a named pipe), not a regular file" in flat(out)
    assert "zero.yaml: is a device, not a regular file" in flat(out)
    assert "tumor_type = other" in out


def test_piped_control_characters_are_not_echoed_raw(kb: KnowledgeBase) -> None:
    """ESC and NUL from piped input are echoed as escapes: the transcript cannot drive a terminal."""
    code, out = _session(kb, "\x1b[2Jgastrinoma\x00\nwhynot \x1b]0;title\x07\nquit\n")
    assert code == 0
    assert "\x1b" not in out
    assert "\x00" not in out
    assert "\x07" not in out
    assert "\\x1b[2Jgastrinoma\\x00" in out


def test_a_huge_line_is_skipped_at_once(kb: KnowledgeBase) -> None:
    """A 10 MB line took 58 s; now it is read to its end, skipped with a word naming the limit."""
    code, out = _session(kb, b"x" * 10_000_000 + b"\nother\nfacts\nquit\n")
    assert code == 0
    said = "(a line that is too long (10,000,001 bytes); at most 4,096 characters (limit repl_line_chars)"
    assert f"{said}: skipped)" in out
    assert "tumor_type = other" in out


def test_a_line_that_is_not_utf8_is_skipped(kb: KnowledgeBase) -> None:
    """Bytes that are not UTF-8 on piped input: that line is skipped, the next one is read."""
    code, out = _session(kb, b"\xff\xfe\nother\nfacts\nquit\n")
    assert code == 0
    assert "(a line that is not UTF-8 text" in out
    assert "tumor_type = other" in out


def test_a_failing_command_keeps_the_session(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a bug in a command (here, 'options' made to fail) is one message; the answers stay."""
    from pnet_expert.consult import repl

    def broken(self: Repl, _: str) -> None:
        message = "a bug"
        raise RuntimeError(message)

    monkeypatch.setattr(repl.Repl, "_cmd_options", broken)
    code, out = _session(kb, "other\noptions\nfacts\nquit\n")
    assert code == 0
    assert "That did not work: internal error RuntimeError: a bug" in " ".join(out.split())
    assert "tumor_type = other" in out


def test_a_prompt_that_quotes_what_was_typed_shows_no_control_character(kb: KnowledgeBase) -> None:
    """load's 'over them? (yes/no)' quotes the name typed: its ESC, BEL and U+202E are escapes too."""
    code, out = _session(kb, "gastrinoma\nload x\x1b[2J\x1b]0;pwned\x07\u202e.yaml\nno\nquit\nyes\n")
    assert code == 0
    assert not any(c in out for c in "\x1b\x07\u202e")
    assert "load x\\x1b[2J\\x1b]0;pwned\\x07\\u202e.yaml over them? (yes/no)" in flat(out)
