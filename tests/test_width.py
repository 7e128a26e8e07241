"""Text fits the terminal: COLUMNS, the terminal's width, or 88 piped; colour only on a terminal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from helpers import EXAMPLES, edit
from hypothesis import given
from hypothesis import strategies as st

from pnet_expert import KnowledgeBase, recommend
from pnet_expert.cli import main
from pnet_expert.cli.progress import Progress
from pnet_expert.core.words import MIN_WIDTH, WIDTH, fit, terminal_width, wrap
from pnet_expert.explain.console import emit, table
from pnet_expert.files.casefile import read_case

WIDTHS = (40, 70, 140)
CASES = sorted((EXAMPLES / "cases").glob("*.yaml")) + sorted((EXAMPLES / "teaching").glob("*.yaml"))
ESCAPE = re.compile(r"\x1b\[")


def longest(text: str) -> int:
    """The longest line of a text, in characters."""
    return max((len(line) for line in text.splitlines()), default=0)


class Terminal(io.StringIO):
    """A stream that says it is a terminal (its width comes from COLUMNS, or 88)."""

    def isatty(self) -> bool:
        return True


def test_the_width_is_columns_else_88_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """COLUMNS wins; without it a pipe gets 88; never below the minimum."""
    assert terminal_width(io.StringIO()) == WIDTH == 88
    monkeypatch.setenv("COLUMNS", "70")
    assert terminal_width(io.StringIO()) == 70
    monkeypatch.setenv("COLUMNS", "12")
    assert terminal_width() == MIN_WIDTH
    monkeypatch.setenv("COLUMNS", "wide")
    assert terminal_width(io.StringIO()) == 88


@pytest.mark.parametrize("columns", WIDTHS)
def test_every_case_s_options_how_and_why_not_fit(
    columns: int, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The options, HOW of every option and WHY NOT of every treatment: no line longer than the width."""
    monkeypatch.setenv("COLUMNS", str(columns))
    for path in CASES:
        c = recommend(read_case(path), kb)
        texts = [
            c.to_text(),
            *(c.explain(o.id) for o in c.treatments),
            *(c.why_not(t) for t in kb.treatments),
        ]
        assert max(longest(t) for t in texts) <= columns, path.name


def test_a_wide_terminal_uses_its_width(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 140 columns lines run past 88 (the 155-character source line wraps once); at 70 they wrap more."""
    c = recommend(read_case(EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"), kb)
    monkeypatch.setenv("COLUMNS", "140")
    wide = c.to_text()
    assert 88 < longest(wide) <= 140
    assert "(bundled; fingerprint " in wide
    assert "Islet Cell Tumors) Treatment\n  (PDQ®), patient version" in wide
    monkeypatch.setenv("COLUMNS", "70")
    assert len(c.to_text().splitlines()) > len(wide.splitlines())


def test_a_case_without_a_name_is_titled_by_its_type_s_words(kb: KnowledgeBase) -> None:
    """ "a case of another type of pancreatic neuroendocrine tumor", never "a case of other"."""
    text = recommend({"tumor_type": "other"}, kb).to_text()
    assert " ".join(text.split()).startswith(
        "Treatment options for a case of another type of pancreatic neuroendocrine tumor Knowledge base"
    )
    assert "a case of other" not in text


@pytest.mark.parametrize("columns", [70, 140])
@pytest.mark.parametrize(
    "args",
    [
        ("kb", "rules"),
        ("kb", "rules", "--section", "recurrent"),
        ("kb", "show", "GAS-09"),
        ("kb", "show", "FND-06"),
    ],
)
def test_kb_commands_fit(
    args: tuple[str, ...], columns: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb rules (a table) and kb show fit 70 and 140 columns, piped: plain, no escape codes."""
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(list(args)) == 0
    out = capsys.readouterr().out
    assert longest(out) <= columns
    assert not ESCAPE.search(out)


def test_kb_check_and_kb_diff_fit(
    kb_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb check (its summary table too) and kb diff fit 70 columns."""
    monkeypatch.setenv("COLUMNS", "70")
    assert main(["kb", "check", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Summary" in out
    assert longest(out) <= 70
    edit(kb_copy / "rules" / "gastrinoma.yaml", "strength: may include", "strength: usually")
    assert main(["kb", "diff", "bundled", str(kb_copy), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "Impact" in out
    assert longest(out) <= 70


def test_a_table_wraps_its_cells_or_becomes_blocks() -> None:
    """Wide enough: aligned columns with wrapped cells; too narrow for the ids: one block per row."""
    rows = [("GAS-03", "tumor_resection, vagotomy_with_acid_reducing_drug, total_gastrectomy (rare)")]
    wide = table(("rule", "offers"), rows, width=60)
    assert wide.splitlines()[0].split() == ["rule", "offers"]
    assert wide.splitlines()[2].startswith("GAS-03  tumor_resection,")
    assert longest(wide) <= 60
    narrow = table(("rule", "offers"), rows, width=40)
    assert narrow.splitlines()[1:] == [
        "GAS-03",
        "    offers: tumor_resection,",
        "      vagotomy_with_acid_reducing_drug,",
        "      total_gastrectomy (rare)",
    ]


@given(
    st.lists(st.text(alphabet="abcdefghij-_ ", min_size=1, max_size=30), min_size=1, max_size=12),
    st.integers(min_value=MIN_WIDTH, max_value=160),
    st.integers(min_value=0, max_value=12),
)
def test_fit_never_leaves_a_line_longer_and_keeps_every_word(words: list[str], width: int, lead: int) -> None:
    """fit: no line longer than the width, and the same words in the same order."""
    text = " " * lead + " ".join(words) + "\n" + "  - " + " ".join(reversed(words))
    fitted = fit(text, width)
    assert longest(fitted) <= width
    assert fitted.split() == text.split()


def test_wrap_keeps_ids_whole() -> None:
    """A hyphenated id is never split at its hyphen."""
    assert all(
        line.strip() in ("GAS-03", "INS-06")
        for line in wrap("GAS-03 INS-06", width=MIN_WIDTH // 4).split("\n")
    )


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=20, max_value=200))
def test_the_progress_bar_fits_its_terminal(done: int, width: int) -> None:
    """The bar's line is never longer than the width it is given."""
    bar = Progress(10_000, "batch", io.StringIO())
    bar.done = done
    assert len(bar.line(done / 10_000, 1234.5, 61.0, width)) <= width


def test_emit_colours_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped: plain. A terminal: rule ids and marks coloured, the characters unchanged. NO_COLOR: plain."""
    text = "WHY NOT: ablation\n  GAS-09 · Gastrinoma section — did not fire\n      NOT met: x — here\n"
    piped = io.StringIO()
    emit(text, piped)
    assert piped.getvalue() == text
    terminal = Terminal()
    emit(text, terminal)
    assert ESCAPE.search(terminal.getvalue())
    assert re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue()) == text
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    emit(text, plain)
    assert plain.getvalue() == text


def test_emit_fits_what_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line longer than the width is wrapped under its own indent."""
    monkeypatch.setenv("COLUMNS", "40")
    out = io.StringIO()
    emit("  - " + "word " * 30 + "\n", out)
    assert longest(out.getvalue()) <= 40
    assert all(line.startswith("    ") for line in out.getvalue().splitlines()[1:])
