"""Run every check on a knowledge base and gather the results (nothing is printed here).

``check_knowledge_base(path, source)`` loads the knowledge base (every load
problem at once, when it does not load), then checks the quotes (rules' quotes
and sub-bullets, readings' passages) and the coverage of the source against the
source text the knowledge base ships (or ``source``, a file, when given; a
knowledge base with neither gets a warning that these were not checked), the
reachability of every rule, subsumed rules, the source's gaps, and that every
caution is raised by some case.
A :class:`Tracker` hears of the work as it goes, for a progress bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import InputError, KnowledgeBaseError
from pnet_expert.core.limits import CHECK_TOTAL
from pnet_expert.core.schema import KnowledgeBase, ReadingSpec
from pnet_expert.core.space import Cache
from pnet_expert.knowledge.identity import about, identify
from pnet_expert.knowledge.loader import bundled_path, load_knowledge_base
from pnet_expert.verify.cautions import CautionReach, caution_reachability
from pnet_expert.verify.gaps import GapKind, source_gaps
from pnet_expert.verify.quotes import (
    Coverage,
    Misquote,
    SourceText,
    check_quotes,
    coverage,
    own_source,
    read_source,
)
from pnet_expert.verify.reachability import Reach, reachability
from pnet_expert.verify.report import CHECKS, check_of, errors, issue_dict
from pnet_expert.verify.subsumption import Subsumption, candidates, subsumptions

Status = Literal["ok", "FAILED", "info", "warning", "skipped"]


class Tracker(Protocol):
    """Hears how much work there is, then each piece done (a progress bar)."""

    def start(self, total: int) -> None:
        """The number of steps to come."""

    def advance(self, count: int = 1) -> None:
        """Some steps done."""


@attrs.frozen
class SummaryRow:
    """One line of the summary table: a check, how it went, and in a few words what it found."""

    check: str
    status: Status
    detail: str


@attrs.frozen
class CheckReport:
    """Everything ``kb check`` found. ``ok`` when no issue is an error.

    ``load_problems`` are the diagnostics that kept the knowledge base from loading.
    """

    root: str
    name: str | None
    version: str | None
    source: str | None
    """The source text the quotes were checked against (the knowledge base's own file, or --source)."""
    source_own: bool = False
    """Whether ``source`` is the knowledge base's own source text (not one given with --source)."""
    load_problems: tuple[Diagnostic, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()
    quotes_checked: int = 0
    misquotes: tuple[Misquote, ...] = ()
    coverage: Coverage | None = None
    reach: tuple[Reach, ...] = ()
    subsumptions: tuple[Subsumption, ...] = ()
    gaps: tuple[GapKind, ...] = ()
    seconds: float = 0.0
    cautions: tuple[CautionReach, ...] = ()
    unexplored: tuple[Diagnostic, ...] = ()
    """Warnings: searches past their budget, whose answers were not decided (subsumption, gaps)."""
    source_notes: tuple[Diagnostic, ...] = ()
    """Warnings on the source text: none to check against, or not the one source.yaml records."""
    passages_checked: int = 0
    knowledge_base: dict[str, Any] | None = None
    """The identity of the knowledge base checked, as every output gives it (None when it does not load)."""
    identity: str = ""
    """The same in one paragraph, as the text outputs open with it."""
    readings: tuple[ReadingSpec, ...] = ()
    """The knowledge base's readings of unclear passages (the gaps cite some), in full."""

    @property
    def loaded(self) -> bool:
        """The knowledge base loaded (the other checks ran)."""
        return not self.load_problems

    @property
    def issues(self) -> tuple[Diagnostic, ...]:
        """Every error and piece of information, check by check."""
        out = [*self.load_problems, *self.source_notes]
        for m in self.misquotes:
            out.extend(m.issues())
        if self.coverage is not None:
            out.extend(self.coverage.issues())
        for r in self.reach:
            out.extend(r.issues())
        for s in self.subsumptions:
            out.extend(s.issues())
        for g in self.gaps:
            out.extend(g.issues())
        for c in self.cautions:
            out.extend(c.issues())
        out.extend(self.unexplored)
        return tuple(out)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The issues that fail the check."""
        return errors(self.issues)

    @property
    def ok(self) -> bool:
        """No error: the knowledge base loads, quotes the source, cites it all, and every rule can fire."""
        return not self.errors

    def summary(self) -> tuple[SummaryRow, ...]:
        """The summary table, one row per check."""
        if not self.loaded:
            n = len(self.load_problems)
            rows = [SummaryRow("load", "FAILED", f"{n} problem{'s' if n != 1 else ''}")]
            rows += [SummaryRow(c, "skipped", "the knowledge base does not load") for c in CHECKS[1:]]
            return tuple(rows)
        # each name is a plural in s: one of them is said in the singular ("1 caution")
        counted = ", ".join(f"{n} {what[:-1] if n == 1 else what}" for what, n in self.counts)
        rows = [SummaryRow("load", "ok", counted)]
        if self.source is None:
            why = "no source text: none in the knowledge base, and no --source was given"
            rows.append(SummaryRow("quotes", "skipped", why))
            rows.append(SummaryRow("coverage", "skipped", why))
        else:
            bad = len(self.misquotes)
            quotes, passages = self.quotes_checked - self.passages_checked, self.passages_checked
            what = f"{quotes} quotes and sub-bullets" + (
                f", {passages} readings' passages" if passages else ""
            )
            misquoted = (
                f"{bad} of {self.quotes_checked} quotes, sub-bullets and readings' passages "
                f"{'is' if bad == 1 else 'are'} not the source's words"
            )
            rows.append(
                SummaryRow(
                    "quotes",
                    "FAILED" if bad else "ok",
                    misquoted if bad else f"{what}: all the source's words",
                )
            )
            assert self.coverage is not None
            total, uncited = len(self.coverage.bullets), len(self.coverage.uncited)
            failed = uncited or self.coverage.missing_headings
            rows.append(
                SummaryRow(
                    "coverage", "FAILED" if failed else "ok", f"{total - uncited} of {total} bullets cited"
                )
            )
        fired = sum(1 for r in self.reach if r.reachable and r.confirmed)
        undecided = sum(1 for r in self.reach if not r.explored)
        never = len(self.reach) - fired - undecided
        rows.append(
            SummaryRow(
                "reachability",
                "FAILED" if never else "warning" if undecided else "ok",
                f"{fired} of {len(self.reach)} rules (findings' included) fire on some valid case"
                + (f"; {undecided} not decided (past the search limit)" if undecided else ""),
            )
        )
        said_twice = sum(1 for s in self.subsumptions if s.own_words)
        redundant = len(self.subsumptions) - said_twice
        detail = f"{redundant} subsumed or equivalent" + (
            f"; {said_twice} covered by another but said twice by the source (info)" if said_twice else ""
        )
        skipped = sum(1 for d in self.unexplored if check_of(d) == "subsumption")
        if skipped:
            detail += (
                f"; {skipped} rule{'s' if skipped != 1 else ''} not fully compared (past the search limit)"
            )
        status: Status = "FAILED" if redundant else "warning" if skipped else "ok"
        rows.append(SummaryRow("subsumption", status, detail))
        sections: dict[str, int] = {}
        for g in self.gaps:
            sections[g.section] = sections.get(g.section, 0) + 1
        per = ", ".join(f"{s} {n}" for s, n in sections.items())
        unconfirmed = any(not g.confirmed for g in self.gaps)
        gap_detail = f"{len(self.gaps)} kinds of case in {len(sections)} sections" + (
            f" ({per})" if per else ""
        )
        cut = [d.path for d in self.unexplored if check_of(d) == "gaps"]
        if cut:
            gap_detail += f"; not fully explored: {', '.join(cut)} (past the search limit)"
        gap_status: Status = "FAILED" if unconfirmed else "warning" if cut else "info"
        rows.append(SummaryRow("gaps", gap_status, gap_detail))
        raised = sum(1 for c in self.cautions if c.reachable and c.confirmed)
        marked = len({r for c in self.cautions for r in c.rules})
        undecided = sum(1 for c in self.cautions if not c.reachable and c.undecided)
        rows.append(
            SummaryRow(
                "cautions",
                "ok"
                if raised == len(self.cautions)
                else "warning"
                if raised + undecided == len(self.cautions)
                else "FAILED",
                f"{raised} of {len(self.cautions)} raised by some valid case "
                f"(on the offers of {marked} rules)"
                + (f"; {undecided} not decided (past the search limit)" if undecided else ""),
            )
        )
        return tuple(rows)

    def to_dict(self) -> dict[str, Any]:
        """As JSON: the knowledge base, the summary, every issue, every rule's example case, every gap."""
        identity = {"root": self.root, "name": self.name, "version": self.version}
        return {
            "knowledge_base": {**(self.knowledge_base or {}), **identity},
            "source": self.source,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "summary": [{"check": r.check, "status": r.status, "detail": r.detail} for r in self.summary()],
            "issues": [issue_dict(i) for i in self.issues],
            "reachable": [
                {"rule": r.rule, "kind": r.kind, "example": r.example, "confirmed": r.confirmed}
                for r in self.reach
            ],
            "gaps": [
                {
                    "section": g.section,
                    "text": g.text,
                    "facts": dict(g.facts),
                    "open": list(g.open),
                    "example": g.example,
                    "readings": list(g.readings),
                }
                for g in self.gaps
            ],
            "readings": [r.to_dict() for r in self.readings],
            "cautions": [
                {
                    "caution": c.caution,
                    "rules": list(c.rules),
                    "example": c.example,
                    "confirmed": c.confirmed,
                    "undecided": list(c.undecided),
                }
                for c in self.cautions
            ],
        }


class _Quiet:
    def start(self, total: int) -> None:
        del total

    def advance(self, count: int = 1) -> None:
        del count


def load_or_problems(path: str | Path | None) -> tuple[KnowledgeBase | None, tuple[Diagnostic, ...]]:
    """The knowledge base, or every problem that keeps it from loading."""
    try:
        return load_knowledge_base(path), ()
    except KnowledgeBaseError as exc:
        return None, exc.diagnostics


def check_knowledge_base(
    path: str | Path | None = None, source: str | Path | None = None, tracker: Tracker | None = None
) -> CheckReport:
    """Every check on the knowledge base at ``path`` (the bundled one by default).

    Raises :class:`~pnet_expert.core.errors.InputError` only for bad input (a
    path that is no directory, a source text that cannot be read); everything
    wrong with the knowledge base itself is in the report.
    """
    if path is not None and not Path(path).is_dir():
        message = "no knowledge base here (not a directory; see 'pnet-expert kb init')"
        raise InputError(Diagnostic(codes.KB_NOT_A_DIRECTORY, str(path), message))
    started = time.monotonic()
    tracker = tracker or _Quiet()
    root = str(path) if path is not None else str(bundled_path())
    kb, problems = load_or_problems(path)
    if kb is None:
        tracker.start(0)
        return CheckReport(root, None, None, str(source) if source else None, load_problems=problems)
    text = read_source(source, kb) if source is not None else own_source(kb)
    source_warnings = source_notes(kb, text)
    pairs = candidates(kb)
    types = sum(1 for s in kb.sections.values() if s.kind == "type")
    steps = len(kb.findings) + len(kb.rules) + len(pairs) + types + len(kb.cautions)
    tracker.start((len(kb.rules) + len(kb.readings) + 1 if text else 0) + steps)
    step: Callable[[int], None] = tracker.advance
    checked, misquotes = check_quotes(kb, text, step) if text else (0, ())
    covered = coverage(kb, text) if text else None
    if text:
        step(1)
    # One cache of cases for every search; each check has its budget (check_total, docs/limits.md).
    cache, notes = Cache(left=CHECK_TOTAL), list[Diagnostic]()
    reach = reachability(kb, step, cache)
    cache.left = CHECK_TOTAL
    subsumed = subsumptions(kb, step, pairs, cache, notes)
    cache.left = CHECK_TOTAL
    gaps = source_gaps(kb, step, cache, notes)
    cautions = caution_reachability(kb, step)
    counts = (
        ("rules", len(kb.rules)),
        ("sections", len(kb.sections)),
        ("findings", len(kb.findings)),
        ("treatments", len(kb.treatments)),
        ("facts", len(kb.facts)),
        ("cautions", len(kb.cautions)),
        ("readings", len(kb.readings)),
    )
    return CheckReport(
        root=root,
        name=kb.name,
        version=kb.version,
        source=text.path if text is not None else None,
        source_own=source is None and text is not None,
        counts=counts,
        quotes_checked=checked,
        misquotes=misquotes,
        coverage=covered,
        reach=reach,
        subsumptions=subsumed,
        gaps=gaps,
        seconds=time.monotonic() - started,
        cautions=cautions,
        unexplored=tuple(notes),
        source_notes=source_warnings,
        passages_checked=sum(len(x.passage) for x in kb.readings.values()) if text else 0,
        knowledge_base=about(kb),
        identity=identify(kb).line(),
        readings=tuple(kb.readings.values()),
    )


def source_notes(kb: KnowledgeBase, text: SourceText | None) -> tuple[Diagnostic, ...]:
    """Warnings on the source text: there is none to check against, or it is not the one recorded."""
    if text is None:
        named = (
            f"source.yaml names {kb.source.file}, which is not in the knowledge base"
            if kb.source.file
            else "source.yaml names no source.file"
        )
        message = (
            f"no source text to check against: {named}, and no --source was given; the quotes, "
            "readings' passages and coverage were not checked"
        )
        hint = "add the source text to the knowledge base's source/ folder and name it in source.yaml"
        return (Diagnostic(codes.CHECK_NO_SOURCE, "source.file", message, hint=hint),)
    recorded = kb.source.sha256
    if recorded and text.sha256 and text.sha256 != recorded:
        message = (
            f"{text.path} is not the source text this knowledge base records: its SHA-256 is "
            f"{text.sha256[:12]}..., source.yaml's source.sha256 is {recorded[:12]}..."
        )
        hint = "check against the recorded edition, or record this one's digest in source.yaml"
        return (Diagnostic(codes.CHECK_OTHER_SOURCE, "source.sha256", message, hint=hint),)
    return ()
