"""The source's words: when a quote of the knowledge base is the source's, word for word.

The source text is Markdown, with its links as ``[words](#)``. A quote (a
rule's quote or sub-bullet, a reading's passage) is the source's words when,
once link markup is removed (the link words may hold escaped parentheses,
``\\(``), Markdown escapes and bold markers undone and white space folded, it
is a substring of the source; bullet markers (``-`` at the start of a line)
may be left out, so that a quote may run from a bullet into its sub-bullets.

One place for that policy: ``kb check`` (:mod:`pnet_expert.verify.quotes`)
reports where a quote parts from the source, and every output's knowledge-base
identity (:mod:`pnet_expert.knowledge.identity`) says whether the quotes of the
knowledge base that answered are all the source's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from pnet_expert.core.schema import KnowledgeBase

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
class SourceWords:
    """A source text's words, with and without its bullet markers, ready to look quotes up in."""

    words: str
    plain_words: str

    @classmethod
    def of(cls, raw: str) -> SourceWords:
        """The words of a source text (Markdown)."""
        plain = "\n".join(BULLET.sub(r"\1", line) for line in raw.splitlines())
        return cls(normalize(raw), normalize(plain))

    def contains(self, text: str) -> bool:
        """Whether some words are the source's (with or without the bullet markers)."""
        wanted = normalize(text)
        return wanted in self.words or wanted in self.plain_words


def quoted_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str, str]]:
    """Every text of the knowledge base that must be the source's words: ``(id, field, text)``.

    A rule's quote and sub-bullets, then each reading's passages, in the knowledge base's order.
    """
    for rule in kb.rules.values():
        yield rule.id, "quote", rule.quote
        for i, bullet in enumerate(rule.sub_bullets):
            yield rule.id, f"sub_bullets[{i}]", bullet
    for reading in kb.readings.values():
        for i, passage in enumerate(reading.passage):
            yield reading.id, f"passage[{i}]", passage
