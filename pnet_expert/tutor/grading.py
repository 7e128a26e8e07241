"""Grade a student's options for a case against what the source offers, rule by rule.

``grade(case, proposed_ids, kb=None) -> Grade`` compares the treatments a
student proposes with the consultation's options (exactly ``recommend``'s):

- ``correct``: proposed and offered, each with the rules that offer it and their reasons
  (and the cautions it carries for the case);
- ``missed``: offered and not proposed, the same;
- ``not_offered``: proposed and not offered, each with WHY NOT: every rule that could
  offer it and each of its conditions on this case (not met, or unknown);
- ``score``: right answers over everything named or offered,
  ``len(correct) / (len(correct) + len(missed) + len(not_offered))`` (1.0 when the source
  offers nothing and nothing is proposed): 1.0 exactly when nothing is missed or added.

``hints(treatment)`` gives the hint ladder (:mod:`pnet_expert.tutor.hints`),
``to_dict()`` the grade as JSON (the web app's ``POST /api/grade`` returns it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from pnet_expert.core import codes
from pnet_expert.core.case import Patient
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import CaseError, InputError
from pnet_expert.core.logic import Truth
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.explain.consultation import Consultation, Option, Reason
from pnet_expert.explain.recommend import recommend
from pnet_expert.knowledge.identity import about
from pnet_expert.knowledge.loader import load_knowledge_base
from pnet_expert.reasoning.cautions import Caution
from pnet_expert.reasoning.checks import RuleCheck
from pnet_expert.tutor.hints import Hint, ladder

MAX_PROPOSED = 100
"""The most treatment ids one grade reads (a bound on input; a knowledge base has far fewer treatments)."""

_TRUTH_WORDS = {Truth.TRUE: "met", Truth.FALSE: "not met", Truth.UNKNOWN: "unknown"}


@attrs.frozen
class Credit:
    """An option the source offers for the case (proposed or missed), with the rules that offer it."""

    treatment: str
    label: str
    strength: str
    qualifiers: tuple[str, ...]
    because: tuple[Reason, ...]
    cautions: tuple[Caution, ...] = ()
    """The cautions the option carries for this case (the source offers it; the case says more)."""

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that offer it."""
        return tuple(r.rule for r in self.because)

    @classmethod
    def of(cls, option: Option, cautions: tuple[Caution, ...] = ()) -> Credit:
        """From a consultation's option and the cautions it carries."""
        return cls(option.id, option.label, option.strength, option.qualifiers, option.because, cautions)

    def to_dict(self) -> dict[str, Any]:
        """As JSON: the treatment, its strength and qualifiers, its rules and their reasons."""
        return {
            "treatment": self.treatment,
            "label": self.label,
            "strength": self.strength,
            "qualifiers": list(self.qualifiers),
            "rules": list(self.rules),
            "because": [r.to_dict() for r in self.because],
            "cautions": [c.to_dict() for c in self.cautions],
        }


@attrs.frozen
class Unoffered:
    """A treatment proposed that the source does not offer for the case, and why not."""

    treatment: str
    label: str
    checks: tuple[RuleCheck, ...]
    """Every rule that could offer it, checked on this case (none fired)."""
    case_sections: tuple[str, ...]
    """The sections that apply to the case (its type's and the general ones)."""

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that could offer it, in the knowledge base's order."""
        return tuple(c.rule.id for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """As JSON: each rule that could offer it, whether it is of the case's sections, its conditions."""
        return {
            "treatment": self.treatment,
            "label": self.label,
            "rules": list(self.rules),
            "why_not": [
                {
                    "rule": c.rule.id,
                    "section": c.rule.section,
                    "in_case_sections": c.rule.section in self.case_sections,
                    "fired": c.fired,
                    "conditions": [
                        {
                            "condition": cc.text,
                            "truth": _TRUTH_WORDS[cc.truth],
                            "detail": cc.detail,
                            "unknown": list(cc.unknown),
                        }
                        for cc in c.conditions
                    ],
                }
                for c in self.checks
            ],
        }


@attrs.frozen
class StrengthNote:
    """A strength the student stated for a right option, and the source's."""

    treatment: str
    stated: str
    source: str

    @property
    def right(self) -> bool:
        """The student said what the source says."""
        return self.stated == self.source

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "treatment": self.treatment,
            "stated": self.stated,
            "source": self.source,
            "right": self.right,
        }


@attrs.frozen
class Grade:
    """A student's options for one case, graded against the source. See :func:`grade`."""

    consultation: Consultation = attrs.field(repr=False, eq=False)
    proposed: tuple[str, ...]
    correct: tuple[Credit, ...]
    missed: tuple[Credit, ...]
    not_offered: tuple[Unoffered, ...]

    @property
    def score(self) -> float:
        """Right answers over everything named or offered; 1.0 only when nothing is missed or added."""
        total = len(self.correct) + len(self.missed) + len(self.not_offered)
        return 1.0 if total == 0 else len(self.correct) / total

    @property
    def perfect(self) -> bool:
        """Nothing missed, nothing added."""
        return not self.missed and not self.not_offered

    @property
    def offered(self) -> tuple[str, ...]:
        """The options the source offers for the case (the consultation's, strongest first)."""
        return tuple(o.id for o in self.consultation.treatments)

    def hints(self, treatment: str) -> tuple[Hint, ...]:
        """The hint ladder for a treatment (1: the fact that matters, 2: the passage, 3: the rule and HOW).

        For a treatment the source does not offer for the case, the ladder says
        why not. An unknown treatment id raises InputError (INPUT-E001).
        """
        return ladder(self.consultation, treatment)

    def strength_notes(self, stated: Mapping[str, str]) -> tuple[StrengthNote, ...]:
        """For each right option whose strength the student stated, the stated and the source's strength."""
        by_id = {c.treatment: c for c in self.correct}
        return tuple(StrengthNote(t, s, by_id[t].strength) for t, s in stated.items() if t in by_id)

    def to_dict(self) -> dict[str, Any]:
        """The grade as JSON: score, correct, missed and not_offered (rules and reasons), the case."""
        c = self.consultation
        return {
            "case": c.patient.to_dict(),
            "proposed": list(self.proposed),
            "offered": list(self.offered),
            "score": self.score,
            "perfect": self.perfect,
            "correct": [x.to_dict() for x in self.correct],
            "missed": [x.to_dict() for x in self.missed],
            "not_offered": [x.to_dict() for x in self.not_offered],
            "fired_rules": list(c.fired_rules),
            "gaps": list(c.gaps),
            "cautions": [x.to_dict() for x in c.cautions],
            "silences": [x.to_dict() for x in c.silences],
            "unknown_facts": list(c.unknown_facts),
            "knowledge_base": about(c.kb),
            "disclaimer": c.disclaimer,
        }


def grade(
    case: Patient | Mapping[str, Any],
    proposed_ids: Iterable[str],
    kb: KnowledgeBase | None = None,
    *,
    field: str = "proposed_ids",
) -> Grade:
    """Grade the treatment ids a student proposes for a case against the options the source offers.

    ``case`` is a Patient or a mapping of facts (as for ``recommend``);
    ``proposed_ids`` is a list of treatment ids (each counted once, at most
    :data:`MAX_PROPOSED`). A bad case raises CaseError and a bad list
    InputError, both with every diagnostic found (an id that is no treatment:
    INPUT-E001 with "did you mean"; text or a non-list: INPUT-E011). ``field`` is the
    name the diagnostics give the list (``proposed`` for the web app's request body).
    """
    kb = load_knowledge_base() if kb is None else kb
    problems: list[Diagnostic] = []
    proposed = check_proposed(proposed_ids, kb, problems, field)
    try:
        consultation = recommend(case, kb)
    except CaseError as exc:
        raise CaseError.of([*exc.diagnostics, *problems]) from None
    if problems:
        raise InputError.of(problems)
    return grade_consultation(consultation, proposed)


def grade_consultation(consultation: Consultation, proposed: Iterable[str]) -> Grade:
    """Grade treatment ids (already checked to be treatments) against a consultation's options."""
    chosen = tuple(dict.fromkeys(proposed))
    offered = {o.id: o for o in consultation.treatments}
    mine = tuple(
        s.id
        for s in consultation.kb.sections.values()
        if s.kind == "general" or s is consultation.kb.type_section_for(consultation.patient.tumor_type)
    )
    correct = tuple(
        Credit.of(o, consultation.cautions_on(o.id)) for o in consultation.treatments if o.id in chosen
    )
    missed = tuple(
        Credit.of(o, consultation.cautions_on(o.id)) for o in consultation.treatments if o.id not in chosen
    )
    not_offered = tuple(
        Unoffered(t, consultation.kb.treatments[t].label, consultation.why_not_checks(t), mine)
        for t in consultation.kb.treatments
        if t in chosen and t not in offered
    )
    return Grade(consultation, chosen, correct, missed, not_offered)


def check_proposed(
    proposed_ids: object, kb: KnowledgeBase, problems: list[Diagnostic], field: str = "proposed_ids"
) -> tuple[str, ...]:
    """The proposed treatment ids, each once; every problem is added to ``problems`` under ``field``."""
    path = field
    if isinstance(proposed_ids, str | bytes | Mapping) or not isinstance(proposed_ids, Iterable):
        got = f"text {_short(proposed_ids)}" if isinstance(proposed_ids, str) else type(proposed_ids).__name__
        problems.append(
            Diagnostic(
                codes.INPUT_NOT_TREATMENT_IDS,
                path,
                f"expected a list of treatment ids, got {got}",
                hint="for example ['tumor_resection', 'chemotherapy'], or [] for none",
            )
        )
        return ()
    items = []
    for i, item in enumerate(proposed_ids):
        if i == MAX_PROPOSED:
            problems.append(
                Diagnostic(
                    codes.INPUT_NOT_TREATMENT_IDS,
                    path,
                    f"more than {MAX_PROPOSED} treatment ids; at most {MAX_PROPOSED} are read",
                )
            )
            return ()
        items.append(item)
    out: list[str] = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if not isinstance(item, str):
            problems.append(
                Diagnostic(
                    codes.INPUT_NOT_TREATMENT_IDS, where, f"expected a treatment id, got {_short(item)}"
                )
            )
        elif item not in kb.treatments:
            problems.append(
                Diagnostic(
                    codes.INPUT_UNKNOWN_NAME,
                    where,
                    f"{item!r} is not a treatment id",
                    suggestion=closest(item, kb.treatments),
                    hint=f"the treatments are: {', '.join(kb.treatments)}",
                )
            )
        elif item not in out:
            out.append(item)
    return tuple(out)


def _short(value: object, limit: int = 40) -> str:
    """A value as a message quotes it, cut short (a bad item may be large)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
