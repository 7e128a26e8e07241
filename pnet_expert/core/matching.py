"""Typed words to ids: one policy for every place a person types a name or an answer.

The REPL's answers and commands, ``how`` and ``whynot``'s treatments, ``change``'s
facts, and the command line's rules and sections all read what was typed here,
so that they accept the same things (the tutor and the web app may use it too:
:func:`match` and :func:`match_many` are plain functions of the typed text and
the choices). A choice is an id and its label, the knowledge base's words. What
is typed names a choice when, ignoring case and reading spaces and ``_`` alike,
it is

1. its number, where the choices are shown numbered (``3``: the third);
2. its id or its label, whole (``Gastrinoma``, ``lymph nodes``, ``regional chemotherapy``);
3. else the start of exactly one id (``chemoemb``, ``somato``, ``t`` for tail), else of
   exactly one label;
4. else, word by word, the starts of the words of exactly one id or label, in
   order (``surg liver`` for "Surgery to remove part or all of the liver").

Two or more choices at one step is :data:`~pnet_expert.core.codes.INPUT_AMBIGUOUS`,
listing them (type more); none at all is an error naming what is allowed, with
the closest id as "did you mean" (never the word that was typed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError

__all__ = ["Named", "match", "match_many", "named", "normal"]

_SPACES = re.compile(r"[\s_]+")
_SEPARATORS = re.compile(r"[,;]+")


@attrs.frozen
class Named:
    """One choice: the id to return and the label a person may type instead."""

    id: str
    label: str = ""


def named(choices: Mapping[str, object] | Iterable[Named]) -> tuple[Named, ...]:
    """Choices from a mapping of ids to specs with a ``label`` (or a ``title``), or from Named items."""
    if isinstance(choices, Mapping):
        return tuple(
            Named(key, str(getattr(spec, "label", None) or getattr(spec, "title", None) or ""))
            for key, spec in choices.items()
        )
    return tuple(choices)


def normal(text: str) -> str:
    """Lower case, spaces and underscores read as one space, trimmed: how typed words are compared."""
    return _SPACES.sub(" ", text.strip().lower()).strip()


@attrs.frozen
class Wording:
    """How the errors of one kind of choice read: 'a treatment id' / 'treatments'."""

    one: str = "a name"
    many: str = "names"
    path: str = ""
    code: str = codes.INPUT_UNKNOWN_NAME
    hint: str = ""


def match(
    text: str,
    choices: Sequence[Named],
    wording: Wording | None = None,
    numbered: bool = False,
) -> str:
    """The id of the one choice that ``text`` names (the module's policy); InputError when none or several.

    ``numbered``: the choices are shown numbered from 1, so a number names one.
    """
    words = wording or Wording()
    typed = normal(text)
    if not typed:
        raise _error(words, words.code, f"nothing was typed where {words.one} is needed")
    if numbered and typed.isdigit():
        number = int(typed)
        if 1 <= number <= len(choices):
            return choices[number - 1].id
        message = f"{text.strip()!r} is not a number from 1 to {len(choices)}"
        raise _error(words, words.code, message)
    found = _find(typed, choices)
    if len(found) == 1:
        return found[0]
    if found:
        message = f"{text.strip()!r} could be {len(found)} {words.many}: {', '.join(found)}"
        raise InputError(
            Diagnostic(codes.INPUT_AMBIGUOUS, words.path, message, hint="type more of it, or the id")
        )
    forms = {normal(c.id).replace(" ", "_"): c.id for c in choices}
    suggestion = forms.get(closest(typed.replace(" ", "_"), forms), "")
    raise _error(words, words.code, f"{text.strip()!r} is not {words.one}", suggestion)


def _find(typed: str, choices: Sequence[Named]) -> list[str]:
    """The ids the first step that finds any finds: whole; the start of an id, then of a label (whose
    first word may be an article: 't' is the tail, not every "the ..."); then word by word."""
    ids: dict[str, tuple[str, ...]] = {c.id: (normal(c.id),) for c in choices}
    labels: dict[str, tuple[str, ...]] = {c.id: (normal(c.label),) if c.label else () for c in choices}
    both = {c.id: ids[c.id] + labels[c.id] for c in choices}
    steps: tuple[tuple[dict[str, tuple[str, ...]], Callable[[str, str], bool]], ...] = (
        (both, lambda t, f: t == f),
        (ids, lambda t, f: f.startswith(t)),
        (labels, lambda t, f: f.startswith(t)),
        (both, _word_by_word),
    )
    for forms, step in steps:
        found = [cid for cid, own in forms.items() if any(step(typed, form) for form in own)]
        if found:
            return found
    return []


def _word_by_word(typed: str, form: str) -> bool:
    """Each typed word begins one of the form's words, in order (``surg liver``)."""
    words = form.split(" ")
    at = 0
    for part in typed.split(" "):
        while at < len(words) and not words[at].startswith(part):
            at += 1
        if at == len(words):
            return False
        at += 1
    return True


def match_many(
    text: str,
    choices: Sequence[Named],
    wording: Wording | None = None,
    numbered: bool = False,
) -> tuple[str, ...]:
    """The ids that a list typed as one line names, in the order typed, each once.

    Items are separated by commas or semicolons, or by spaces: within a part,
    the longest run of words that names one choice is taken first, so that
    ``lymph nodes liver`` is two items and ``1 3`` is the first and the third.
    A choice named twice is :data:`~pnet_expert.core.codes.INPUT_ANSWER_TWICE`.
    """
    words = wording or Wording()
    out: list[str] = []
    for part in _SEPARATORS.split(text):
        tokens = part.split()
        at = 0
        while at < len(tokens):
            chosen, at = _longest(tokens, at, choices, words, numbered)
            if chosen in out:
                message = f"{chosen!r} is given twice"
                raise InputError(Diagnostic(codes.INPUT_ANSWER_TWICE, words.path, message, hint=words.hint))
            out.append(chosen)
    return tuple(out)


def _longest(
    tokens: Sequence[str], at: int, choices: Sequence[Named], words: Wording, numbered: bool
) -> tuple[str, int]:
    """The choice named by the longest run of tokens from ``at``, and where the next run starts."""
    for end in range(len(tokens), at + 1, -1):
        try:
            return match(" ".join(tokens[at:end]), choices, words, numbered), end
        except InputError:
            continue
    return match(tokens[at], choices, words, numbered), at + 1


def _error(words: Wording, code: str, message: str, suggestion: str = "") -> InputError:
    return InputError(Diagnostic(code, words.path, message, suggestion=suggestion, hint=words.hint))
