"""A consultation in a notebook: a compact view whose reasons unfold (``Consultation._repr_html_``).

Not the whole report (``to_html``, some 50 KB with its diagram): the case in
one line, the options by strength, each a ``<details>`` that unfolds into its
reasons (the rule, the source's words, the findings down to the case facts),
the gaps, and the notice. No heading elements (a notebook's outline is its
own), and every id carries a token made for this display, so that two
displays in one notebook, even of the same consultation, never share an id.
"""

from __future__ import annotations

import itertools
import secrets
from typing import TYPE_CHECKING

import attrs

from pnet_expert.core.words import facts_text, value_text
from pnet_expert.knowledge.identity import identify

if TYPE_CHECKING:
    from pnet_expert.core.schema import ReadingSpec
    from pnet_expert.explain.consultation import Consultation, Option

_DISPLAYS = itertools.count(1)


@attrs.frozen
class ReasonLine:
    """One rule that offers an option, as the notebook unfolds it."""

    rule: str
    section: str
    quote: str
    because: tuple[str, ...]
    readings: tuple[ReadingSpec, ...]
    """The readings of unclear passages that bear on the rule or its findings, in full."""
    note: str | None = None


@attrs.frozen
class OptionLine:
    """One option: its words, id, qualifiers, the rules that offer it, and their reasons."""

    id: str
    label: str
    qualifiers: tuple[str, ...]
    rules: tuple[str, ...]
    reasons: tuple[ReasonLine, ...]


@attrs.frozen
class Group:
    """The options of one strength."""

    label: str
    meaning: str
    options: tuple[OptionLine, ...]


@attrs.frozen
class NotebookView:
    """Everything the notebook view shows."""

    token: str
    name: str
    facts: str
    unknown: tuple[str, ...]
    groups: tuple[Group, ...]
    gaps: tuple[str, ...]
    fired: tuple[str, ...]
    about: str
    disclaimer: str


def display_token() -> str:
    """A prefix for the ids of one display: a counter for this kernel, and a random part for the others."""
    return f"pnet-{secrets.token_hex(3)}-{next(_DISPLAYS)}"


def notebook_view(c: Consultation) -> NotebookView:
    """Work out the notebook view of a consultation."""
    kb = c.kb
    groups = tuple(
        Group(s.label, s.meaning, tuple(_option(c, o) for o in c.treatments if o.strength == s.id))
        for s in kb.strengths
        if any(o.strength == s.id for o in c.treatments)
    )
    return NotebookView(
        token=display_token(),
        name=c.name,
        facts=facts_text(c.patient.fact_dict()),
        unknown=c.unknown_facts,
        groups=groups,
        gaps=c.gaps,
        fired=c.fired_rules,
        about=identify(kb).line(),
        disclaimer=kb.disclaimer,
    )


def _option(c: Consultation, option: Option) -> OptionLine:
    reasons = []
    for reason in option.because:
        because = [
            f"{name} = {value_text(value)} (stated in the case)" for name, value in reason.own_facts.items()
        ]
        because += [f"{u.label} ({u.finding}) ← {u.rule} ← {facts_text(u.facts)}" for u in reason.findings]
        section = c.kb.sections[reason.section].title
        cited = [*reason.readings, *(i for u in reason.findings for i in u.readings)]
        readings = c.kb.readings_of(cited)
        reasons.append(ReasonLine(reason.rule, section, reason.quote, tuple(because), readings, reason.note))
    return OptionLine(option.id, option.label, option.qualifiers, option.rules, tuple(reasons))


def notebook_html(c: Consultation) -> str:
    """The notebook view as an HTML fragment (scoped style, no script, no heading)."""
    from pnet_expert.explain.reports.render import render

    return render("notebook.html.j2", v=notebook_view(c))
