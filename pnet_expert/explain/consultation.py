"""The result of a consultation: every option, each with its reasons, the gaps, cautions and silences.

Built, complete, by :func:`pnet_expert.explain.build.build` from the engine's
firings; nothing here runs the engine. A reason names the rule that offered the
option, its section, strength, qualifiers and quote, the findings it matched
(each with the rule that derived it and the facts it came from) and every case
fact it rests on. Nothing here depends on the order in which rules fired:
options, reasons, findings and facts are all sorted by the knowledge base's
own order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from pnet_expert.core import codes
from pnet_expert.core.case import Patient
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError
from pnet_expert.core.options import OptionSummary
from pnet_expert.core.schema import KnowledgeBase, ReadingSpec
from pnet_expert.core.words import value_text
from pnet_expert.knowledge.identity import about
from pnet_expert.reasoning.cautions import Caution
from pnet_expert.reasoning.checks import RuleCheck, RuleChecks
from pnet_expert.reasoning.gaps import Gap
from pnet_expert.reasoning.silences import Silence

PlainFacts = Mapping[str, Any]


FactGroup = tuple[tuple[str, Any], ...]


@attrs.frozen
class FindingUse:
    """A finding a rule matched: the rule that derived it and the case facts it came from."""

    finding: str
    label: str
    rule: str
    attributes: Mapping[str, str]
    facts: PlainFacts
    readings: tuple[str, ...] = ()
    """The readings that bear on the finding (ids; the consultation's ``readings`` has them in full)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's finding: finding, rule, facts (and the attributes it carries, and the
        readings that bear on it)."""
        out: dict[str, Any] = {
            "finding": self.finding,
            "rule": self.rule,
            "facts": dict(self.facts),
        }
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        if self.readings:
            out["readings"] = list(self.readings)
        return out


@attrs.frozen(repr=False)
class Reason:
    """One rule that offered an option, and everything it rested on.

    ``str(reason)``: the rule and what it matched, in one line
    ("GAS-09: the cancer has spread to the liver").
    """

    rule: str
    section: str
    strength: str
    qualifiers: tuple[str, ...]
    alternatives: tuple[str, ...]
    quote: str
    sub_bullets: tuple[str, ...]
    reading: str | None
    """The readings that bear on the rule, in one line (None when none does); ``readings`` are their ids."""
    facts: PlainFacts
    own_facts: PlainFacts
    findings: tuple[FindingUse, ...]
    readings: tuple[str, ...] = ()
    note: str | None = None
    """The rule's own remark, if it has one."""

    def __str__(self) -> str:
        what = [
            f"{f.label} with {', '.join(f'{k} {v}' for k, v in f.attributes.items())}"
            if f.attributes
            else f.label
            for f in self.findings
        ]
        what += [f"{k} = {value_text(v)}" for k, v in self.own_facts.items() if k != "tumor_type"]
        return f"{self.rule}: " + ("; ".join(what) or f"every case of its section ({self.section})")

    def __repr__(self) -> str:
        qualifiers = f"; {', '.join(self.qualifiers)}" if self.qualifiers else ""
        return f"<Reason {self.rule} ({self.strength}{qualifiers}): {str(self).split(': ', 1)[1]}>"

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's ``because`` entry (with the extra keys alternative_to, sub_bullets,
        reading, readings and note)."""
        return {
            "rule": self.rule,
            "section": self.section,
            "strength": self.strength,
            "qualifiers": list(self.qualifiers),
            "alternatives": bool(self.alternatives),
            "alternative_to": list(self.alternatives),
            "quote": self.quote,
            "sub_bullets": list(self.sub_bullets),
            "reading": self.reading,
            "readings": list(self.readings),
            "note": self.note,
            "facts": dict(self.facts),
            "findings": [f.to_dict() for f in self.findings],
        }


@attrs.frozen(repr=False)
class Option:
    """A treatment the source offers for the case, with every reason that offers it.

    ``str(option)``: "Chemoembolization [chemoembolization]: may include (with or
    without systemic chemotherapy), by GAS-09, GAS-11".
    """

    id: str
    label: str
    strength: str
    qualifiers: tuple[str, ...]
    because: tuple[Reason, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        """The ids of the rules that offer it."""
        return tuple(r.rule for r in self.because)

    def __str__(self) -> str:
        qualifiers = f" ({', '.join(self.qualifiers)})" if self.qualifiers else ""
        return f"{self.label} [{self.id}]: {self.strength}{qualifiers}, by {', '.join(self.rules)}"

    def __repr__(self) -> str:
        qualifiers = f"; {', '.join(self.qualifiers)}" if self.qualifiers else ""
        return f"<Option {self.id} ({self.strength}{qualifiers}) by {', '.join(self.rules)}>"

    @property
    def summary(self) -> OptionSummary:
        """The option in brief: treatment, strength and qualifiers (as ``kb diff`` compares options)."""
        return OptionSummary(self.id, self.strength, self.qualifiers)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's ``treatments`` entry."""
        return {
            "id": self.id,
            "label": self.label,
            "strength": self.strength,
            "qualifiers": list(self.qualifiers),
            "because": [r.to_dict() for r in self.because],
        }


@attrs.frozen(repr=False)
class Consultation:
    """What the source offers for one case, and why. See :func:`pnet_expert.recommend`.

    ``repr``: one line (the case, how many options, the rules that fired);
    ``print(c)``: a short summary (the options by strength, the gaps, the
    notice); ``c.to_text()``: the options with their reasons; in a notebook, a
    compact view whose reasons unfold (``_repr_html_``); ``c.to_html()``: the
    whole report.
    """

    kb: KnowledgeBase = attrs.field(repr=False, eq=False)
    patient: Patient
    treatments: tuple[Option, ...]
    fired_rules: tuple[str, ...]
    findings: tuple[FindingUse, ...]
    gap_details: tuple[Gap, ...]
    checks: RuleChecks = attrs.field(repr=False, eq=False, kw_only=True)
    """Each rule of the knowledge base on this case, worked out when first asked (WHY NOT, reports)."""
    cautions: tuple[Caution, ...] = attrs.field(default=(), kw_only=True)
    """Options offered by a passage whose premise the case contradicts (reading RD-09), one per option."""
    silences: tuple[Silence, ...] = attrs.field(default=(), kw_only=True)
    """Facts the case states that rules of its sections read and no fired rule used (reading RD-10)."""

    @property
    def options(self) -> tuple[Option, ...]:
        """The options (alias of ``treatments``)."""
        return self.treatments

    @property
    def name(self) -> str:
        """The case as titles call it: its title or id, else "a case of" its type in words."""
        from pnet_expert.explain.text import case_name

        return case_name(self)

    def _by_strength(self) -> list[tuple[str, tuple[Option, ...]]]:
        """The options of each strength that has any, strongest first."""
        groups = [(s.id, tuple(o for o in self.treatments if o.strength == s.id)) for s in self.kb.strengths]
        return [(strength, options) for strength, options in groups if options]

    def __repr__(self) -> str:
        count = len(self.treatments)
        groups = self._by_strength()
        named = "; ".join(f"{s}: {', '.join(o.id for o in options)}" for s, options in groups)
        fired = ", ".join(self.fired_rules) or "none"
        gaps = len(self.gap_details)
        tail = f"; fired {fired}" + (f"; {gaps} gap{'s' if gaps != 1 else ''}" if gaps else "")
        head = f"<Consultation of {self.name}: {count} option{'s' if count != 1 else ''}"
        full = f"{head}{f' ({named})' if named else ''}{tail}>"
        if len(full) <= 150:
            return full
        return f"{head} ({', '.join(f'{s} {len(options)}' for s, options in groups)}){tail}>"

    def __str__(self) -> str:
        from pnet_expert.explain.text import summary_text

        return summary_text(self)

    @property
    def gaps(self) -> tuple[str, ...]:
        """In words: when the case's own type section offered nothing, and what it would need."""
        return tuple(g.text for g in self.gap_details)

    @property
    def disclaimer(self) -> str:
        """Options, never advice: shown with every output."""
        return self.kb.disclaimer

    @property
    def readings(self) -> tuple[ReadingSpec, ...]:
        """Every reading this consultation cites (its reasons, their findings, cautions, gaps and
        silences), in full, in the knowledge base's order."""
        cited: set[str] = set()
        for option in self.treatments:
            for reason in option.because:
                cited.update(reason.readings)
                cited.update(i for f in reason.findings for i in f.readings)
        for caution in self.cautions:
            cited.update(caution.readings)
        for gap in self.gap_details:
            cited.update(gap.readings)
        for silence in self.silences:
            cited.update(silence.readings)
        return self.kb.readings_of(cited)

    @property
    def unknown_facts(self) -> tuple[str, ...]:
        """The facts of the knowledge base that this case does not state."""
        known = {name for name, _ in self.patient.known}
        return tuple(f for f in self.kb.facts if f not in known)

    def cautions_on(self, treatment_id: str) -> tuple[Caution, ...]:
        """The cautions an option carries (none when it is not offered)."""
        return tuple(c for c in self.cautions if c.treatment == treatment_id)

    def option(self, treatment_id: str) -> Option | None:
        """The option for a treatment, or None when it is not offered (the id is checked)."""
        self._check_treatment(treatment_id)
        return next((o for o in self.treatments if o.id == treatment_id), None)

    def is_offered(self, treatment_id: str) -> bool:
        """Whether the source offers this treatment for the case."""
        return self.option(treatment_id) is not None

    def rule_check(self, rule_id: str) -> RuleCheck:
        """One rule on this case: fired or not, and each condition's outcome (worked out once)."""
        if rule_id not in self.kb.rules:
            message = f"{rule_id!r} is not a rule"
            suggestion = closest(rule_id, self.kb.rules)
            raise InputError(Diagnostic(codes.INPUT_UNKNOWN_NAME, "rule", message, suggestion=suggestion))
        return self.checks(rule_id)

    def why_not_checks(self, treatment_id: str) -> tuple[RuleCheck, ...]:
        """Every rule that could offer a treatment, checked on this case."""
        self._check_treatment(treatment_id)
        return tuple(self.rule_check(r.id) for r in self.kb.rules_offering(treatment_id))

    def section_checks(self) -> tuple[RuleCheck, ...]:
        """Every rule of the sections that apply to this case's type, checked."""
        section = self.kb.type_section_for(self.patient.tumor_type)
        ids = [s.id for s in self.kb.sections.values() if s.kind == "general" or s is section]
        return tuple(self.rule_check(r.id) for r in self.kb.rules.values() if r.section in ids)

    def explain(self, treatment_id: str, disclaimer: bool = True) -> str:
        """HOW: why a treatment is offered, unfolded from rule to findings to case facts.

        Ends with the disclaimer unless ``disclaimer`` is false (a session that has shown it once).
        """
        from pnet_expert.explain.text import explain_text

        return explain_text(self, treatment_id, disclaimer)

    def why_not(self, treatment_id: str, disclaimer: bool = True) -> str:
        """WHY NOT: each rule that could offer a treatment, and which conditions failed or were unknown."""
        from pnet_expert.explain.text import why_not_text

        return why_not_text(self, treatment_id, disclaimer)

    def to_text(self, disclaimer: bool = True) -> str:
        """The options grouped by strength, a short reason each, then the disclaimer.

        Wrapped to the terminal's width (``COLUMNS``, or 88 when not a terminal).
        """
        from pnet_expert.explain.text import consultation_text

        return consultation_text(self, disclaimer)

    def to_markdown(self) -> str:
        """The consultation as a Markdown report."""
        from pnet_expert.explain.reports.render import markdown

        return markdown(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self, standalone: bool = True) -> str:
        """The consultation as an HTML report: one self-contained page (no scripts, no network).

        With ``standalone=False``, only the report's element (with its scoped
        style), to sit inside another page such as a notebook.
        """
        from pnet_expert.explain.reports.render import html

        return html(self, standalone=standalone)

    def _repr_html_(self) -> str:
        """A notebook's view: compact (the options by strength, each unfolding into its reasons), its
        ids unique to this display, no heading; ``to_html()`` is the whole report."""
        from pnet_expert.explain.reports.notebook import notebook_html

        return notebook_html(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (plus findings, unknown facts, the readings cited and the disclaimer).

        ``knowledge_base`` names the knowledge base that answered: name, version,
        source and edition, fingerprint, whether it is the bundled one or a
        modified copy (and how it differs), and whether its quotes are the source's words.
        """
        return {
            "case": self.patient.to_dict(),
            "knowledge_base": about(self.kb),
            "treatments": [o.to_dict() for o in self.treatments],
            "fired_rules": list(self.fired_rules),
            "gaps": list(self.gaps),
            "gap_details": [g.to_dict() for g in self.gap_details],
            "cautions": [c.to_dict() for c in self.cautions],
            "silences": [s.to_dict() for s in self.silences],
            "findings": [f.to_dict() for f in self.findings],
            "unknown_facts": list(self.unknown_facts),
            "readings": [r.to_dict() for r in self.readings],
            "disclaimer": self.disclaimer,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """``to_dict`` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def _check_treatment(self, treatment_id: str) -> None:
        if treatment_id not in self.kb.treatments:
            raise InputError(
                Diagnostic(
                    codes.INPUT_UNKNOWN_NAME,
                    "treatment",
                    f"{treatment_id!r} is not a treatment id",
                    suggestion=closest(treatment_id, self.kb.treatments),
                    hint=f"the treatments are: {', '.join(self.kb.treatments)}",
                )
            )
