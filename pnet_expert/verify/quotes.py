"""Quotes and coverage: every quote is the source's words, and every bullet of the source is cited.

The source is the text of the patient summary (``--source FILE``), with
Markdown link markup. A quote (or sub-bullet) is the source's words when, once
link markup ``[words](#)`` is removed (the link words may hold escaped
parentheses, ``\\(``), Markdown escapes undone and white space folded, it is a
substring of the source; bullet markers (``-`` at the start of a line) may be
left out, so that a quote may run from a bullet into its sub-bullets.

Coverage looks at the bullets of the section that source.yaml names
("Treatment Options for Pancreatic Neuroendocrine Tumors"): a bullet is cited
when some rule's quote or sub-bullet lies (at least partly) on it. A text the
source repeats (the same sub-bullet under several headings) is placed under
the rule's own section heading, and, within it, on a bullet that no earlier
citation took.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.errors import InputError
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.files.safe_read import ReadProblem, read_text

LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((?:\\.|[^()\\])*\)")
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
BULLET = re.compile(r"^(\s*)[-*+]\s+")


def unmark(text: str) -> str:
    """Remove Markdown link markup (keeping the link's words), bold markers and escapes."""
    text = LINK.sub(lambda m: m.group(1), text)
    return ESCAPE.sub(r"\1", text.replace("**", ""))


def normalize(text: str) -> str:
    """The source's words only: link markup removed, escapes undone, white space folded."""
    return " ".join(unmark(text).split())


@attrs.frozen
class Bullet:
    """One bullet of the source's treatment section: where it is, and its words."""

    line: int
    heading: str
    level: int
    text: str
    start: int
    end: int
    column: int = 1


@attrs.frozen
class SourceText:
    """The source, read for checking: its words, its treatment section, its bullets and headings."""

    path: str
    words: str
    plain_words: str
    section: str
    bullets: tuple[Bullet, ...]
    headings: tuple[tuple[str, int, int], ...]

    def contains(self, text: str) -> bool:
        """Whether some words are the source's (with or without the bullet markers)."""
        wanted = normalize(text)
        return wanted in self.words or wanted in self.plain_words

    def region(self, heading: str) -> tuple[int, int] | None:
        """Where a heading's part of the section lies in ``section`` (first such heading)."""
        return next(((start, end) for h, start, end in self.headings if h == heading), None)


def read_source(path: str | Path, kb: KnowledgeBase) -> SourceText:
    """Read the source text; its treatment section is the one source.yaml names.

    Raises :class:`InputError` when the file cannot be read or does not hold that section.
    """
    try:
        raw = read_text(path, "source_bytes")  # a regular file, not /dev/zero; at most source_bytes
    except ReadProblem as exc:
        if exc.code == codes.FILE_NOT_FOUND:
            exc.message += " (the source text, for --source)"
        raise InputError(exc.diagnostic(str(path))) from None
    lines = raw.splitlines()
    title = kb.source.section
    start = next((i for i, line in enumerate(lines) if normalize(line) == title and "[" not in line), None)
    if start is None:
        message = f"no line '{title}' (source.yaml's source.section) starts the treatment section"
        hint = "is this the source text?"
        raise InputError(Diagnostic(codes.INPUT_NOT_THE_SOURCE, str(path), message, hint=hint))
    plain = "\n".join(BULLET.sub(r"\1", line) for line in lines)
    section, bullets, headings = _section(lines[start + 1 :], start + 2, kb)
    return SourceText(str(path), normalize(raw), normalize(plain), section, bullets, headings)


def _section(
    lines: list[str], first_line: int, kb: KnowledgeBase
) -> tuple[str, tuple[Bullet, ...], tuple[tuple[str, int, int], ...]]:
    """The section's words (bullet markers removed), its bullets and its headings' spans."""
    known_headings = {s.heading for s in kb.sections.values()}
    words = ""
    bullets: list[Bullet] = []
    headings: list[tuple[str, int]] = []
    heading = ""
    current: int | None = None

    def add(text: str) -> tuple[int, int]:
        nonlocal words
        text = normalize(text)
        if words and text:
            words += " "
        start = len(words)
        words += text
        return start, len(words)

    for offset, line in enumerate(lines):
        number = first_line + offset
        text = normalize(line)
        if not text:
            continue
        marker = BULLET.match(line)
        if marker is None and text in known_headings and not line.lstrip().startswith("["):
            heading, current = text, None
            start, _ = add(text)
            headings.append((text, start))
        elif marker is not None:
            start, end = add(line[marker.end() :])
            level = 0 if not marker.group(1) else 1
            item = normalize(line[marker.end() :])
            bullets.append(Bullet(number, heading, level, item, start, end, len(marker.group(1)) + 1))
            current = len(bullets) - 1
        elif current is not None and text[:1].islower():
            # A bullet broken over two lines (the source has one): its second half.
            _, end = add(text)
            b = bullets[current]
            bullets[current] = attrs.evolve(b, text=f"{b.text} {text}", end=end)
        else:
            current = None
            add(text)
    spans = [
        (h, start, headings[i + 1][1] if i + 1 < len(headings) else len(words))
        for i, (h, start) in enumerate(headings)
    ]
    return words, tuple(bullets), tuple(spans)


# ---------------------------------------------------------------- quotes


@attrs.frozen
class Misquote:
    """A quote or sub-bullet that is not the source's words, and where it leaves them."""

    rule: str
    origin: Origin
    field: str
    text: str
    agrees: str
    quote_goes_on: str
    source_has: str

    def issues(self) -> tuple[Diagnostic, ...]:
        """One error, showing where the words part from the source's."""
        if not self.agrees:
            detail = "not even its first words are in the source"
        else:
            tail = self.agrees[-40:]
            detail = f"it agrees with the source up to '...{tail}', then has '{self.quote_goes_on}...'" + (
                f" where the source has '{self.source_has}...'" if self.source_has else ""
            )
        message = f"{self.field} is not the source's words: '{self.text}' ({detail})"
        return (Diagnostic(codes.CHECK_MISQUOTE, self.rule, message, origin=self.origin),)


def _misquote(source: SourceText, rule: str, origin: Origin, field: str, text: str) -> Misquote | None:
    """None when the text is the source's; else how far it agrees with it."""
    if source.contains(text):
        return None
    wanted = normalize(text)
    low, high = 0, len(wanted)
    while low < high:  # the longest prefix that is in the source (a prefix of a match matches)
        middle = (low + high + 1) // 2
        if wanted[:middle] in source.words or wanted[:middle] in source.plain_words:
            low = middle
        else:
            high = middle - 1
    agrees = wanted[:low]
    base = source.words if agrees in source.words else source.plain_words
    at = base.find(agrees) if agrees else -1
    source_has = base[at + low : at + low + 30] if at >= 0 else ""
    return Misquote(rule, origin, field, wanted, agrees, wanted[low : low + 30], source_has)


def check_quotes(
    kb: KnowledgeBase, source: SourceText, advance: Callable[[int], None] | None = None
) -> tuple[int, tuple[Misquote, ...]]:
    """How many quotes and sub-bullets were checked, and those that are not the source's words."""
    checked = 0
    found = []
    for rule in kb.rules.values():
        texts = [("quote", rule.quote)] + [(f"sub_bullets[{i}]", t) for i, t in enumerate(rule.sub_bullets)]
        for field, text in texts:
            checked += 1
            miss = _misquote(source, rule.id, rule.origin, field, text)
            if miss is not None:
                found.append(miss)
        if advance:
            advance(1)
    return checked, tuple(found)


# ---------------------------------------------------------------- coverage


@attrs.frozen
class Coverage:
    """The bullets of the source's treatment section, each with the rules that cite it."""

    source: str
    bullets: tuple[Bullet, ...]
    cited_by: tuple[tuple[str, ...], ...]
    missing_headings: tuple[tuple[str, str], ...]

    @property
    def uncited(self) -> tuple[Bullet, ...]:
        """The bullets no rule cites."""
        return tuple(b for b, rules in zip(self.bullets, self.cited_by, strict=True) if not rules)

    def issues(self) -> tuple[Diagnostic, ...]:
        """An error for each bullet no rule cites, and for each section heading not in the source."""
        out = [
            Diagnostic(
                codes.CHECK_UNKNOWN_HEADING,
                section,
                f"the section {section!r} has the heading {heading!r}, which is not a heading of the source",
            )
            for section, heading in self.missing_headings
        ]
        for b in self.uncited:
            kind = "bullet" if b.level == 0 else "sub-bullet"
            message = f"no rule cites this {kind} (under {b.heading!r}): '{b.text}'"
            origin = Origin(self.source, b.line, b.column)
            out.append(Diagnostic(codes.CHECK_UNCITED, "", message, origin=origin))
        return tuple(out)


def coverage(kb: KnowledgeBase, source: SourceText) -> Coverage:
    """Place every rule's quote and sub-bullets on the source's bullets, under the rule's own heading."""
    cited: list[list[str]] = [[] for _ in source.bullets]
    missing: list[tuple[str, str]] = []
    for rule in kb.rules.values():
        section = kb.sections[rule.section]
        region = source.region(section.heading)
        if region is None:
            if (section.id, section.heading) not in missing:
                missing.append((section.id, section.heading))
            region = (0, len(source.section))
        for text in (rule.quote, *rule.sub_bullets):
            spots = _occurrences(source.section, normalize(text), *region)
            if not spots:
                continue
            hits = [
                [i for i, b in enumerate(source.bullets) if b.start < end and start < b.end]
                for start, end in spots
            ]
            chosen = next((h for h in hits if h and not any(cited[i] for i in h)), hits[0])
            for i in chosen:
                if rule.id not in cited[i]:
                    cited[i].append(rule.id)
    return Coverage(source.path, source.bullets, tuple(tuple(c) for c in cited), tuple(missing))


def _occurrences(words: str, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Every place ``text`` occurs within ``words[start:end]``."""
    spots = []
    at = words.find(text, start, end)
    while at >= 0:
        spots.append((at, at + len(text)))
        at = words.find(text, at + 1, end)
    return spots
