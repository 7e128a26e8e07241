"""Quotes and coverage: every quote is the source's words, and every bullet of the source is cited.

The source is the text of the patient summary that the knowledge base ships
(source.yaml's ``source.file``), or the file given with ``--source FILE``, with
Markdown link markup. A quote (a rule's quote or sub-bullet, a reading's
passage) is the source's words as :mod:`pnet_expert.knowledge.source_words`
defines it: link markup removed, escapes undone, white space folded, bullet
markers optional.

Coverage looks at the bullets of the section that source.yaml names
("Treatment Options for Pancreatic Neuroendocrine Tumors"): a bullet is cited
when some rule's quote or sub-bullet lies (at least partly) on it. A text the
source repeats (the same sub-bullet under several headings) is placed under
the rule's own section heading, and, within it, on a bullet that no earlier
citation took.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.errors import InputError
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.files.safe_read import ReadProblem, read_text
from pnet_expert.knowledge.source_words import BULLET, SourceWords, normalize, quoted_texts, unmark

__all__ = ["Bullet", "Coverage", "Misquote", "SourceText", "normalize", "read_source", "unmark"]


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
    """The source, read for checking: its words, its treatment section, its bullets and headings.

    ``path`` is where it was read (``--source FILE``, or the knowledge base's own
    file, relative to it); ``sha256`` the digest of its bytes, to compare with the
    one source.yaml records.
    """

    path: str
    words: str
    plain_words: str
    section: str
    bullets: tuple[Bullet, ...]
    headings: tuple[tuple[str, int, int], ...]
    sha256: str = ""

    def contains(self, text: str) -> bool:
        """Whether some words are the source's (with or without the bullet markers)."""
        return SourceWords(self.words, self.plain_words).contains(text)

    def region(self, heading: str) -> tuple[int, int] | None:
        """Where a heading's part of the section lies in ``section`` (first such heading)."""
        return next(((start, end) for h, start, end in self.headings if h == heading), None)


def read_source(path: str | Path, kb: KnowledgeBase) -> SourceText:
    """Read a source text from a file (``--source FILE``); its treatment section is the one
    source.yaml names.

    Raises :class:`InputError` when the file cannot be read or does not hold that section.
    """
    try:
        raw = read_text(path, "source_bytes")  # a regular file, not /dev/zero; at most source_bytes
    except ReadProblem as exc:
        if exc.code == codes.FILE_NOT_FOUND:
            exc.message += " (the source text, for --source)"
        raise InputError(exc.diagnostic(str(path))) from None
    return source_text(raw, str(path), kb, hashlib.sha256(raw.encode("utf-8")).hexdigest())


def own_source(kb: KnowledgeBase) -> SourceText | None:
    """The source text the knowledge base ships (source.yaml's ``source.file``), or None when it has none.

    Its path is the file's, relative to the knowledge base (``source/...md``), as
    every other position in a knowledge base is given.
    """
    if kb.source_text is None or kb.source.file is None:
        return None
    digest = hashlib.sha256(kb.source_text.encode("utf-8")).hexdigest()
    return source_text(kb.source_text, kb.source.file, kb, digest)


def source_text(raw: str, path: str, kb: KnowledgeBase, sha256: str = "") -> SourceText:
    """A source text read for checking. Raises :class:`InputError` when it does not hold the
    treatment section source.yaml names."""
    lines = raw.splitlines()
    title = kb.source.section
    start = next((i for i, line in enumerate(lines) if normalize(line) == title and "[" not in line), None)
    if start is None:
        message = f"no line '{title}' (source.yaml's source.section) starts the treatment section"
        hint = "is this the source text?"
        raise InputError(Diagnostic(codes.INPUT_NOT_THE_SOURCE, path, message, hint=hint))
    words = SourceWords.of(raw)
    section, bullets, headings = _section(lines[start + 1 :], start + 2, kb)
    return SourceText(path, words.words, words.plain_words, section, bullets, headings, sha256)


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
    """A quote, sub-bullet or reading's passage that is not the source's words, and where it leaves them.

    ``rule`` is the id of the rule (or reading) that holds it.
    """

    rule: str
    origin: Origin
    field: str
    text: str
    agrees: str
    quote_goes_on: str
    source_has: str
    code: str = codes.CHECK_MISQUOTE

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
        return (Diagnostic(self.code, self.rule, message, origin=self.origin),)


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
    """How many quotes, sub-bullets and readings' passages were checked, and those that are not the
    source's words (``advance`` hears of each rule and each reading done)."""
    origins = {
        **{r.id: r.origin for r in kb.rules.values()},
        **{x.id: x.origin for x in kb.readings.values()},
    }
    checked = 0
    found = []
    last = None
    for item, field, text in quoted_texts(kb):
        if advance and last is not None and item != last:
            advance(1)
        last = item
        checked += 1
        miss = _misquote(source, item, origins[item], field, text)
        if miss is not None:
            if item in kb.readings:
                miss = attrs.evolve(miss, code=codes.CHECK_PASSAGE_MISQUOTED)
            found.append(miss)
    if advance and last is not None:
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
