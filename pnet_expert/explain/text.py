"""Plain-text renderings of a consultation: the options, HOW, and WHY NOT.

Every rendering names the rules by id (HOW also quotes the source, and shows
in full each reading of an unclear passage that bears on a rule it cites), and
ends with the disclaimer: these are options from one old patient summary, never
advice. The options open with the knowledge base that answered
(:func:`pnet_expert.knowledge.identity.identify`).
Each rule's qualifiers and alternatives stay with that rule's reason (one rule
may offer an option as palliative and another plainly); an option that carries
a caution says so, and the cautions and silences follow the options. A session
that shows many of them (the REPL) asks for the disclaimer once, with
``disclaimer=False`` on the others.

Every line is wrapped to the width of the text (:func:`~pnet_expert.core.words.terminal_width`:
the terminal's, ``COLUMNS``, or 88 when the text does not go to a terminal), so
no line is longer than it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pnet_expert.core.words import facts_text, value_text, wrap
from pnet_expert.knowledge.identity import identify

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from pnet_expert.core.schema import KnowledgeBase, ReadingSpec
    from pnet_expert.explain.consultation import Consultation, FindingUse, Option, Reason
    from pnet_expert.reasoning.cautions import Caution
    from pnet_expert.reasoning.silences import Silence


def case_name(c: Consultation) -> str:
    """What a title calls the case: its title or id, else "a case of" its type in the KB's words."""
    meta = dict(c.patient.meta)
    name = meta.get("title") or meta.get("id")
    if name:
        return str(name)
    return f"a case of {type_words(c.kb, c.patient.tumor_type)}"


def type_words(kb: KnowledgeBase, tumor_type: str) -> str:
    """A tumor type by its label ("another type of pancreatic neuroendocrine tumor"), not its id ("other")."""
    spec = kb.facts.get("tumor_type")
    return spec.label_of(tumor_type) if spec is not None else tumor_type


def about_line(kb: KnowledgeBase) -> str:
    """Which knowledge answered (name, version, bundled or MODIFIED, fingerprint), from which source, and
    whether its quotes are the source's words: one paragraph (:meth:`Identity.line
    <pnet_expert.knowledge.identity.Identity.line>`)."""
    return identify(kb).line()


def header(c: Consultation) -> list[str]:
    """Who the case is, and which knowledge answered."""
    meta = dict(c.patient.meta)
    named = meta.get("title") or meta.get("id")
    title = f"Treatment options for {case_name(c)}"
    if named:
        title += f" ({type_words(c.kb, c.patient.tumor_type)})"
    description = meta.get("description")
    lines = [wrap(title, "  ", ""), *([wrap(str(description))] if description else [])]
    lines += [
        wrap(about_line(c.kb), "  ", ""),
        "",
        wrap("Case: " + facts_text(c.patient.fact_dict()), "      ", ""),
    ]
    if c.unknown_facts:
        lines.append(wrap("Unknown (not given, never taken as false): " + ", ".join(c.unknown_facts), "  "))
    return lines


def summary_text(c: Consultation) -> str:
    """A consultation in a few lines (``print(c)``): the options by strength, the gaps, the notice."""
    kb = c.kb
    source = f"knowledge base {identify(kb).brief()}, source of {kb.source.last_modified}"
    head = f"Treatment options for {c.name} ({source}):"
    lines = [wrap(head, "  ", "")]
    for strength in c.kb.strengths:
        group = [o.id for o in c.treatments if o.strength == strength.id]
        if group:
            lines.append(wrap(f"{strength.id}: {', '.join(group)}", "    ", "  "))
    if not c.treatments:
        lines.append("  none: the source offers no option for this case")
    lines.append(wrap("fired: " + (", ".join(c.fired_rules) or "none"), "    ", "  "))
    lines.extend(
        wrap(f"caution: {x.id} on {x.treatment} ({', '.join(x.rules)})", "    ", "  ") for x in c.cautions
    )
    lines.extend(wrap(f"gap: {g}", "    ", "  ") for g in c.gaps)
    lines.append(wrap("For teaching: options from one 2012 patient summary, never medical advice.", "  ", ""))
    return "\n".join(lines)


def reason_terms(reason: Reason) -> str:
    """What one rule says of its offer beyond the offer: '(palliative; either this or debulking_surgery)'."""
    terms = [*reason.qualifiers]
    if reason.alternatives:
        terms.append(f"either this or {', '.join(reason.alternatives)}")
    return f" ({'; '.join(terms)})" if terms else ""


def short_reason(reason: Reason) -> str:
    """One line: the rule, its own qualifiers and alternatives, and what it matched beyond the tumor type."""
    what = [f.label for f in reason.findings]
    what += [f"{k} = {value_text(v)}" for k, v in reason.own_facts.items() if k != "tumor_type"]
    if not what:
        what = [f"every case of this section ({reason.section})"]
    return f"{reason.rule}{reason_terms(reason)}: " + "; ".join(what)


def option_line(option: Option, cautions: Sequence[Caution] = ()) -> str:
    """One option with its short reasons, each with its rule's own qualifiers and alternatives."""
    marked = f" [caution: {', '.join(c.id for c in cautions)}]" if cautions else ""
    reasons = " | ".join(short_reason(r) for r in option.because)
    return wrap(f"{option.label} [{option.id}]{marked} — {reasons}", "      ", "  - ")


def caution_line(caution: Caution) -> str:
    """'CAU-01 on tumor_resection (INS-01): The case says ...'."""
    return wrap(
        f"{caution.id} on {caution.treatment} ({', '.join(caution.rules)}): {caution.text}", "    ", "  - "
    )


def caution_note(caution: Caution, indent: str) -> str:
    """A caution beside one option (HOW, WHY NOT): 'Caution (CAU-01, on INS-01): ...'."""
    return wrap(
        f"Caution ({caution.id}, on {', '.join(caution.rules)}): {caution.text}", indent + "  ", indent
    )


def caution_lines(cautions: Sequence[Caution]) -> list[str]:
    """The cautions section of a text view (nothing when there are none)."""
    if not cautions:
        return []
    head = wrap("Cautions (the option stays, because the source offers it):", "  ", "")
    return ["", head, *map(caution_line, cautions)]


def silence_lines(silences: Sequence[Silence]) -> list[str]:
    """The silences section of a text view (nothing when there are none)."""
    if not silences:
        return []
    return [
        "",
        wrap("Silences (facts of the case the source says nothing specific about):", "  ", ""),
        *(wrap(s.text, "    ", "  - ") for s in silences),
    ]


def consultation_text(c: Consultation, disclaimer: bool = True) -> str:
    """The options grouped by strength, a short reason each, the cautions, silences and gaps, then
    the disclaimer."""
    lines = header(c)
    lines.append("")
    if not c.treatments:
        lines.append(wrap("The source offers no option for this case."))
    for strength in c.kb.strengths:
        group = [o for o in c.treatments if o.strength == strength.id]
        if group:
            lines.append(wrap(f"{strength.label} ({strength.meaning}):", "  ", ""))
            lines.extend(option_line(o, c.cautions_on(o.id)) for o in group)
    lines.extend(caution_lines(c.cautions))
    lines.extend(silence_lines(c.silences))
    if c.gaps:
        lines.append("")
        lines.append("Gaps:")
        for gap in c.gap_details:
            lines.append(wrap(gap.text, "    ", "  - "))
            lines.extend(readings_lines(c.kb, gap.readings, "    "))
    lines.append("")
    lines.append(wrap("Fired rules: " + (", ".join(c.fired_rules) or "none"), "  ", ""))
    if disclaimer:
        lines.append("")
        lines.append(wrap(c.disclaimer))
    return "\n".join(lines) + "\n"


def finding_chain(use: FindingUse) -> str:
    """'liver_metastases (the cancer has spread to the liver) ← FND-06 ← spread = [liver]'."""
    carried = f" with {', '.join(f'{k} {v}' for k, v in use.attributes.items())}" if use.attributes else ""
    return f"{use.finding}{carried} ({use.label}) ← {use.rule} ← {facts_text(use.facts)}"


def reason_block(c: Consultation, reason: Reason) -> list[str]:
    """One reason unfolded: the rule, the source's words, the findings down to the facts."""
    qualifiers = f"; {', '.join(reason.qualifiers)}" if reason.qualifiers else ""
    section = c.kb.sections[reason.section].title
    lines = [wrap(f"{reason.rule} · {section} section · {reason.strength}{qualifiers}", "      ", "  ")]
    lines.append(wrap(f'"{reason.quote}"', "           ", "    Source: "))
    lines.extend(wrap(b, "             ", "           - ") for b in reason.sub_bullets)
    lines.append("    Because:")
    for name, value in reason.own_facts.items():
        lines.append(wrap(f"{name} = {value_text(value)} (stated in the case)", "        ", "      "))
    for use in reason.findings:
        lines.append(wrap(finding_chain(use), "        ", "      "))
    if reason.alternatives:
        either = f"Either/or: the source gives it as an alternative to {', '.join(reason.alternatives)}."
        lines.append(wrap(either, "      ", "    "))
    if reason.note:
        lines.append(wrap(f"Note: {reason.note}", "      ", "    "))
    cited = [*reason.readings, *(i for f in reason.findings for i in f.readings)]
    lines.extend(readings_lines(c.kb, cited, "    "))
    return lines


def reading_lines(reading: ReadingSpec, indent: str = "") -> list[str]:
    """A reading of an unclear passage in full: the passage, how it is read and why, the other
    reading and what it would change, and what it bears on."""
    inner = indent + "  "
    deeper = inner + "  "
    lines = [wrap(f"Reading {reading.id}: {reading.title}", inner, indent)]
    passage = " ... ".join(f'"{p}"' for p in reading.passage)
    lines.append(wrap(f"The source's words: {passage}", deeper, inner))
    lines.append(wrap(f"Read as: {reading.reading}", deeper, inner))
    lines.append(wrap(f"Why: {reading.why}", deeper, inner))
    lines.append(wrap(f"The other reading: {reading.other_reading}", deeper, inner))
    lines.append(wrap(f"What it would change: {reading.would_change}", deeper, inner))
    bears = [", ".join(reading.rules)] if reading.rules else []
    bears += [f"the {topic}" for topic in reading.explains]
    if bears:
        lines.append(wrap(f"It bears on: {'; '.join(bears)}", deeper, inner))
    return lines


def readings_lines(kb: KnowledgeBase, ids: Iterable[str], indent: str = "") -> list[str]:
    """The readings with these ids in full, each once, in the knowledge base's order."""
    return [line for reading in kb.readings_of(ids) for line in reading_lines(reading, indent)]


def explain_text(c: Consultation, treatment_id: str, disclaimer: bool = True) -> str:
    """HOW a treatment is offered; when it is not, WHY NOT instead."""
    option = c.option(treatment_id)
    label = c.kb.treatments[treatment_id].label
    if option is None:
        lines = [wrap(f"{treatment_id} ({label}) is not offered for this case."), ""]
        return "\n".join(lines) + "\n" + why_not_text(c, treatment_id, disclaimer)
    qualifiers = f"; {', '.join(option.qualifiers)}" if option.qualifiers else ""
    count = len(option.because)
    lines = [
        wrap(f"HOW: {option.id} — {label}", "  ", ""),
        wrap(
            f"Offered ({option.strength}{qualifiers}) by {count} rule{'s' if count > 1 else ''}: "
            + ", ".join(option.rules),
            "  ",
            "",
        ),
        "",
    ]
    for reason in option.because:
        lines.extend(reason_block(c, reason))
        lines.append("")
    for caution in c.cautions_on(treatment_id):
        lines.append(caution_note(caution, "  "))
        lines.append("")
    if disclaimer:
        lines.append(wrap(c.disclaimer))
    return "\n".join(lines).rstrip("\n") + "\n"


def why_not_text(c: Consultation, treatment_id: str, disclaimer: bool = True) -> str:
    """WHY NOT: every rule that could offer a treatment, and each of its conditions on this case."""
    checks = c.why_not_checks(treatment_id)
    label = c.kb.treatments[treatment_id].label
    option = c.option(treatment_id)
    status = (
        f"It IS offered for this case, by {', '.join(option.rules)}."
        if option
        else "It is not offered for this case."
    )
    lines = [wrap(f"WHY NOT: {treatment_id} — {label}", "  ", ""), wrap(status, "  ", "")]
    lines += [caution_note(caution, "") for caution in c.cautions_on(treatment_id)]
    lines += [f"Rules that could offer it ({len(checks)}):", ""]
    for check in checks:
        section = c.kb.sections[check.rule.section].title
        state = (
            "fired"
            if check.fired
            else ("did not fire (waiting on unknown facts)" if not check.failed else "did not fire")
        )
        lines.append(wrap(f"{check.rule.id} · {section} section — {state}", "      ", "  "))
        for condition in check.conditions:
            lines.append(wrap(condition.line(), "          ", "      "))
        lines.append("")
    rules = {check.rule.id for check in checks}
    bearing = [s for s in c.silences if rules & set(s.rules)]
    if bearing:
        lines.extend(silence_lines(bearing)[1:])
        lines.append("")
    if disclaimer:
        lines.append(wrap(c.disclaimer))
    return "\n".join(lines).rstrip("\n") + "\n"
