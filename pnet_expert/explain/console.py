"""Text for people at a terminal: fitted to its width, tables that wrap, colour only where it helps.

Every text output of the command line and the REPL goes through :func:`emit`:
each line is fitted to the width (:func:`~pnet_expert.core.words.terminal_width`),
and on a terminal the words that carry the reasoning are emphasised (rule ids,
treatment ids, met / not met / unknown, headings). Piped, redirected, or with
``NO_COLOR`` set (https://no-color.org), the text is plain: not one escape code.
:func:`table` lays rows out in columns that fit the width, a long cell wrapping
within its column.

rich does the tables and the colour; it is imported only when a table is drawn
or a terminal is coloured, so that ``pnet-expert recommend`` piped into a file
never pays for it.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from pnet_expert.core.words import fit, terminal_width, wrap

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

EMPHASIS: tuple[tuple[str, str], ...] = (
    (r"(?m)^(?:HOW|WHY NOT|WHY(?: \([^)]*\))?|Treatment options for)\b[^\n]*", "bold"),
    (r"(?m)^(?:[A-Z][^\n]*(?:\)|[a-z]):)$", "bold"),
    (r"\b(?:[A-Z]{3}-\d{2})\b", "bold cyan"),
    (r"\[[a-z][a-z0-9_]*\]", "magenta"),
    (r"(?m)(?<=^ {2})(?: {2})*\d+ (?=[a-z])", "bold"),
    (r"(?m)(?<= )(?:met)(?=(?::| {2,}))", "green"),
    (r"(?m)(?<= )(?:NOT met|not met)(?=(?::| {2,}))", "bold red"),
    (r"(?m)(?<= )(?:unknown)(?=(?::| {2,}))", "yellow"),
)
"""What a terminal emphasises: (regular expression, rich style). Text is never changed, only coloured."""


def coloured(stream: TextIO) -> bool:
    """Whether to colour text written to ``stream``: a terminal, NO_COLOR not set, TERM not 'dumb'."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def emit(text: str, stream: TextIO | None = None) -> None:
    """Write text for people: every line fitted to the width; emphasised on a terminal (:data:`EMPHASIS`)."""
    out = stream if stream is not None else sys.stdout
    width = terminal_width(out)
    fitted = fit(text, width)
    if not coloured(out):
        out.write(fitted)
        out.flush()
        return
    _console(out, width).print(emphasised(fitted), end="", soft_wrap=True)
    out.flush()


def emphasised(text: str) -> Text:
    """The text with the styles of :data:`EMPHASIS` (a rich ``Text``; its characters unchanged)."""
    from rich.text import Text

    styled = Text(text)
    for pattern, style in EMPHASIS:
        styled.highlight_regex(re.compile(pattern), style)
    return styled


def _console(stream: TextIO, width: int) -> Console:
    """A rich console writing to a terminal stream, with no wrapping of its own (the text is fitted)."""
    from rich.console import Console

    return Console(
        file=stream,
        width=width,
        force_terminal=True,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    indent: str = "",
    width: int | None = None,
    keep: Sequence[int] = (0,),
) -> str:
    """Rows in columns under their headers, fitted to ``width`` (the terminal's when None), as plain text.

    A long cell wraps within its column, its words kept whole; the columns
    whose numbers are in ``keep`` (the first, by default: an id) are never
    wrapped. When even that cannot fit (a narrow terminal, long ids), each row
    becomes a small block instead: its kept cells on one line, then one
    ``header: cell`` line for each other column. Plain text, so that it reads
    the same piped; :func:`emit` colours it on a terminal.
    """
    limit = (width or terminal_width()) - len(indent)
    sizes = [
        max([len(header), *(len(row[n]) if n in keep else _longest_word(row[n]) for row in rows)])
        for n, header in enumerate(headers)
    ]
    if sum(sizes) + 2 * (len(headers) - 1) > limit:
        return _blocks(headers, rows, indent, limit, keep)
    return _columns(headers, rows, indent, limit, keep)


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _columns(
    headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str, limit: int, keep: Sequence[int]
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    grid = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        header_style="",
        safe_box=False,
    )
    for number, header in enumerate(headers):
        grid.add_column(header, no_wrap=number in keep)
    for row in rows:
        grid.add_row(*row)
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=limit, color_system=None, force_terminal=False, markup=False, emoji=False
    )
    console.print(grid)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return "\n".join(indent + line if line else line for line in lines)


def _blocks(
    headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str, limit: int, keep: Sequence[int]
) -> str:
    """Each row as a block: the kept cells aligned (under their headers), then ``header: cell`` lines."""
    sizes = {n: max([len(headers[n]), *(len(row[n]) for row in rows)]) for n in keep}

    def kept(cells: Sequence[str]) -> str:
        return "  ".join(cells[n].ljust(sizes[n]) for n in keep).rstrip()

    full = limit + len(indent)
    lines = [wrap(kept(headers), indent + "    ", indent, full)]
    for row in rows:
        lines.append(wrap(kept(row), indent + "    ", indent, full))
        for number, header in enumerate(headers):
            if number not in keep and row[number]:
                lines.append(wrap(f"{header}: {row[number]}", indent + "      ", indent + "    ", full))
    return "\n".join(lines)
