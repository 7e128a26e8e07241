"""Which knowledge answered: the identity every output shows, worked out once per knowledge base.

Every output of pnet_expert names the knowledge base behind it: its name and
version, the source and edition it encodes, a short fingerprint of its files,
and whether it is the bundled one. A copy whose files differ from the bundled
knowledge base's (a student's edit, say) is **modified**, and says so wherever
it answers, with where it was loaded from, which rules differ from the bundled
knowledge base (and what else does), and whether its quotes are still the
source's words: a made-up quote in an edited copy never passes for the
bundled knowledge base's.

:func:`identify` is the one place that works this out; the text, JSON,
reports, the REPL, batch results, the web app, the tutor and ``kb`` commands
read its :class:`Identity`. It is worked out on first use and kept for the
life of the knowledge base object (never in the load cache: whether a copy is
modified depends on the bundled knowledge base of the package installed now).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any

import attrs

from pnet_expert.core.errors import KnowledgeBaseError
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.knowledge.loader import bundled_path, load_knowledge_base
from pnet_expert.knowledge.source_words import SourceWords, quoted_texts

SHORT = 12
"""How many hexadecimal digits of the fingerprint outputs show."""

_PARTS = (
    ("facts", "the facts"),
    ("treatments", "the treatments"),
    ("findings", "the findings"),
    ("sections", "the sections"),
    ("constraints", "the constraints"),
    ("cautions", "the cautions"),
    ("readings", "the readings"),
    ("strengths", "the strengths"),
    ("qualifiers", "the qualifiers"),
    ("disclaimer", "the disclaimer"),
    ("source", "what source.yaml says of the source"),
    ("source_text", "the source text"),
    ("version", "the version"),
    ("name", "the name"),
)
"""The parts of a knowledge base compared with the bundled one's, besides its rules, in words."""


@attrs.frozen
class Identity:
    """Which knowledge base answered, as every output shows it.

    ``bundled``: loaded from the package's own knowledge base. ``modified``:
    its files differ from the bundled knowledge base's (then
    ``rules_differing`` lists the recommendation rules added, removed or
    changed, and ``other_differences`` the other parts that differ, in words).
    ``misquoted`` names each quote, sub-bullet or reading's passage that is not
    the source's words (``GAS-02.quote``), out of ``quotes_checked``, when the
    knowledge base has a source text (``has_source_text``).
    """

    name: str
    version: str
    source_title: str
    source_edition: str
    source_last_modified: str
    fingerprint: str
    bundled: bool
    modified: bool
    path: str
    bundled_version: str | None
    rules_differing: tuple[str, ...]
    other_differences: tuple[str, ...]
    has_source_text: bool
    quotes_checked: int
    misquoted: tuple[str, ...]

    @property
    def short_fingerprint(self) -> str:
        """The first digits of the fingerprint, as the outputs show it."""
        return self.fingerprint[:SHORT]

    @property
    def quotes_verified(self) -> bool | None:
        """True when every quote is the source's words, False when one is not, None without a source text."""
        if not self.has_source_text:
            return None
        return not self.misquoted

    @property
    def label(self) -> str:
        """Its name and version: 'pnet_expert 1.2.0'."""
        return f"{self.name} {self.version}"

    @property
    def source_words(self) -> str:
        """The source and its edition in words."""
        return f"{self.source_title}, last modified {self.source_last_modified}"

    def status(self) -> str:
        """Bundled, an unmodified copy, or MODIFIED: where, and how it differs."""
        if self.bundled and not self.modified:
            return "bundled"
        if not self.modified:
            return f"an unmodified copy of the bundled knowledge base, at {self.path}"
        return f"MODIFIED, at {self.path}: {self.differences()}"

    def differences(self) -> str:
        """How a modified knowledge base differs from the bundled one, in words."""
        if self.bundled_version is None:
            return "the bundled knowledge base does not load, so nothing was compared"
        count = len(self.rules_differing)
        bundled = f"the bundled knowledge base {self.bundled_version}"
        if not count:
            others = ", ".join(self.other_differences)
            return f"no rule differs from {bundled}; what differs: {others}"
        listed = ", ".join(self.rules_differing[:6]) + (", ..." if count > 6 else "")
        rules = f"{count} rule{'s' if count != 1 else ''} {'differ' if count != 1 else 'differs'}"
        words = f"{rules} from {bundled} ({listed})"
        if self.other_differences:
            words += "; so do " + ", ".join(self.other_differences)
        return words

    def quotes_text(self) -> str:
        """Whether its quotes were verified against the source text, in words."""
        verified = self.quotes_verified
        if verified is None:
            return "quotes NOT verified: it has no source text"
        if verified:
            return "quotes verified against the source text"
        count = len(self.misquoted)
        listed = ", ".join(self.misquoted[:4]) + (", ..." if count > 4 else "")
        return (
            f"quotes NOT all the source's words: {count} of {self.quotes_checked} "
            f"{'is' if count == 1 else 'are'} not ({listed})"
        )

    def line(self) -> str:
        """The one paragraph every text output opens with (or ends with)."""
        head = f"Knowledge base {self.label} ({self.status()}; fingerprint {self.short_fingerprint})"
        return f"{head}; source: {self.source_words}; {self.quotes_text()}"

    def brief(self) -> str:
        """A short form for banners and prompts: 'pnet_expert 1.2.0 (bundled, 3f2a9c1b7d04)'."""
        if self.bundled and not self.modified:
            kind = "bundled"
        elif not self.modified:
            kind = f"unmodified copy at {self.path}"
        else:
            kind = f"MODIFIED, at {self.path}"
        return f"{self.label} ({kind}, {self.short_fingerprint})"

    def to_dict(self, kb: KnowledgeBase) -> dict[str, Any]:
        """The JSON ``knowledge_base`` object: what the files say, and this identity."""
        return {
            **kb.about(),
            "fingerprint": self.short_fingerprint,
            "fingerprint_sha256": self.fingerprint,
            "bundled": self.bundled,
            "modified": self.modified,
            "path": None if self.bundled else self.path,
            "differs_from_bundled": (
                {
                    "bundled_version": self.bundled_version,
                    "rules": len(self.rules_differing),
                    "rule_ids": list(self.rules_differing),
                    "other": list(self.other_differences),
                }
                if self.modified
                else None
            ),
            "quotes_verified": self.quotes_verified,
            "quotes_checked": self.quotes_checked,
            "quotes_not_in_source": list(self.misquoted),
            "readings": len(kb.readings),
            "summary": self.line(),
        }


_known: weakref.WeakKeyDictionary[KnowledgeBase, Identity] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def identify(kb: KnowledgeBase) -> Identity:
    """The identity of a knowledge base, worked out on first use and kept."""
    with _lock:
        found = _known.get(kb)
    if found is None:
        found = _work_out(kb)
        with _lock:
            _known[kb] = found
    return found


def about(kb: KnowledgeBase) -> dict[str, Any]:
    """The JSON ``knowledge_base`` object of every output: :meth:`Identity.to_dict`."""
    return identify(kb).to_dict(kb)


def _work_out(kb: KnowledgeBase) -> Identity:
    bundled_root = bundled_path()
    try:
        reference: KnowledgeBase | None = load_knowledge_base()
    except KnowledgeBaseError:
        reference = None
    bundled = reference is kb or _same_place(kb.root, bundled_root)
    modified = reference is None or kb.fingerprint != reference.fingerprint
    rules: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    if modified and reference is not None:
        rules = _rules_differing(reference, kb)
        others = tuple(words for part, words in _PARTS if getattr(kb, part) != getattr(reference, part))
        if not rules and not others:
            others = ("the files' text (comments or layout)",)
    checked, misquoted = _quotes(kb)
    return Identity(
        name=kb.name,
        version=kb.version,
        source_title=kb.source.title,
        source_edition=kb.source.edition or f"last modified {kb.source.last_modified}",
        source_last_modified=kb.source.last_modified,
        fingerprint=kb.fingerprint,
        bundled=bundled,
        modified=modified,
        path=str(kb.root),
        bundled_version=reference.version if reference is not None else None,
        rules_differing=rules,
        other_differences=others,
        has_source_text=kb.source_text is not None,
        quotes_checked=checked,
        misquoted=misquoted,
    )


def _same_place(root: str, bundled_root: Path) -> bool:
    try:
        return Path(root).resolve() == bundled_root.resolve()
    except OSError:
        return False


def _rules_differing(old: KnowledgeBase, new: KnowledgeBase) -> tuple[str, ...]:
    """The recommendation rules added, removed or changed (their order: the new one's, then removed)."""
    changed = [r for r in new.rules if old.rules.get(r) != new.rules[r]]
    removed = [r for r in old.rules if r not in new.rules]
    return tuple(changed + removed)


def _quotes(kb: KnowledgeBase) -> tuple[int, tuple[str, ...]]:
    """How many texts must be the source's words, and those that are not (none checked without a text)."""
    if kb.source_text is None:
        return 0, ()
    words = SourceWords.of(kb.source_text)
    texts = list(quoted_texts(kb))
    missing = tuple(f"{item}.{field}" for item, field, text in texts if not words.contains(text))
    return len(texts), missing
