"""What a student types, read as treatment ids: ids or labels, any case, a unique prefix is enough.

A name is read by the one policy of :mod:`pnet_expert.core.matching`, which the
REPL, ``how``, ``whynot`` and the command line share: ignoring case and reading
spaces and ``_`` alike, a word names a treatment when it is

1. the treatment's id (``regional chemotherapy``, ``Chemoembolization``), or its label
   (``Surgery to remove the tumor``);
2. else the start of exactly one id (``combination chemo``, ``hepatic``), else of one label;
3. else the start of exactly one id or label word by word (``surg tum`` for "surgery
   to remove the tumor": each typed word begins the label's words in order).

Two or more candidates at one step is an error that lists them (type more of
it); none at all is an error with the closest id as "did you mean". An answer
line holds several names separated by commas or semicolons (or by spaces, when
each word is a whole id), each optionally followed by ``: STRENGTH``
(``chemoembolization: may include``), and ``none`` says the source offers
nothing for the case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError
from pnet_expert.core.matching import Wording, match, named
from pnet_expert.core.schema import KnowledgeBase

NONE_WORDS = ("none", "nothing")
"""An answer that says the source offers no option for the case."""

MAX_LINE = 2000
"""The longest answer line read, in characters (a bound: a pasted book is not an answer)."""

_SEPARATORS = re.compile(r"[,;\n]+")
_SPACES = re.compile(r"[\s_]+")


def _norm(text: str) -> str:
    """Lower case, spaces and underscores read as one space, trimmed."""
    return _SPACES.sub(" ", text.strip().lower()).strip()


@attrs.frozen
class Answer:
    """What one line named: treatment ids (in the order typed, each once) and any strengths stated."""

    treatments: tuple[str, ...]
    strengths: tuple[tuple[str, str], ...] = ()
    none: bool = False
    """The line said 'none': the source offers nothing for this case."""


def match_treatment(text: str, kb: KnowledgeBase, path: str = "answer") -> str:
    """The one treatment id a typed name stands for; InputError when none or several fit.

    The policy is :mod:`pnet_expert.core.matching`'s, the one the REPL, ``how``,
    ``whynot`` and the command line use; only the words of the errors are the tutor's.
    """
    if not _norm(text):
        raise InputError(Diagnostic(codes.INPUT_NOT_AN_ANSWER, path, "an empty name is not a treatment"))
    hint = "type 'list' to see the treatments (an id, a label, or the start of one)"
    wording = Wording("a treatment", "treatments", path, codes.INPUT_NOT_AN_ANSWER, hint)
    return match(text, named(kb.treatments), wording)


def read_answer(line: str, kb: KnowledgeBase) -> Answer:
    """Read one answer line: names separated by commas (or spaces between whole ids), strengths after ':'.

    Every problem of the line is reported at once (an InputError with one
    diagnostic per bad name); nothing is taken from a line with a problem.
    """
    if len(line) > MAX_LINE:
        message = f"the answer is {len(line)} characters long; at most {MAX_LINE} are read"
        raise InputError(Diagnostic(codes.INPUT_NOT_AN_ANSWER, "answer", message))
    parts = [p.strip() for p in _SEPARATORS.split(line) if p.strip()]
    if len(parts) == 1 and _norm(parts[0]) in NONE_WORDS:
        return Answer((), none=True)
    treatments: list[str] = []
    strengths: dict[str, str] = {}
    problems: list[Diagnostic] = []
    strength_words = {_norm(s.id): s.id for s in kb.strengths}
    for part in parts:
        name, _, strength = part.partition(":")
        try:
            ids = _names(name, kb)
        except InputError as exc:
            problems.extend(exc.diagnostics)
            continue
        if strength.strip():
            chosen = strength_words.get(_norm(strength))
            if chosen is None or len(ids) != 1:
                allowed = ", ".join(s.id for s in kb.strengths)
                message = f"{strength.strip()!r} is not a strength"
                if chosen is not None:
                    message = f"a strength belongs to one treatment, not {len(ids)}"
                problems.append(
                    Diagnostic(
                        codes.INPUT_NOT_AN_ANSWER,
                        name.strip(),
                        message,
                        suggestion=closest(_norm(strength), strength_words),
                        hint=f"write 'TREATMENT: STRENGTH', the strength one of {allowed}",
                    )
                )
                continue
            strengths[ids[0]] = chosen
        treatments.extend(i for i in ids if i not in treatments)
    if problems:
        raise InputError.of(problems)
    return Answer(tuple(treatments), tuple(strengths.items()))


def _names(text: str, kb: KnowledgeBase) -> Sequence[str]:
    """One name, or several whole ids separated by spaces (``ablation chemotherapy``)."""
    try:
        return (match_treatment(text, kb),)
    except InputError:
        words = text.lower().split()
        if len(words) > 1 and all(w in kb.treatments for w in words):
            return tuple(dict.fromkeys(words))
        raise
