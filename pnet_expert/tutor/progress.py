"""A student's progress file: JSON, written atomically, bounded and checked before it is believed.

The file holds the student model (per-rule counts) and the cases done::

    {"format": "pnet-expert tutor progress", "version": 1,
     "knowledge_base": {"name": ..., "version": ..., "fingerprint": ...},
     "rules": {"GAS-01": {"seen": 2, "right": 1, "missed": 1, "wrong": 0}, ...},
     "history": [{"case": {...}, "score": 0.5, "final_score": 1.0, "hints": 2,
                  "revealed": false, "rules": ["GAS-01", ...], "when": "2026-..."}]}

Nothing in it is executed or unpickled: it is parsed as JSON and every value
is checked (kinds, counts between 0 and a bound, ``right + missed == seen``,
scores between 0 and 1) before it is used; a file larger than
:data:`MAX_BYTES` is not read. Rules the knowledge base in use does not have
(a progress file kept across an edit) are kept as they are and not used, and
:func:`knowledge_base_note` says so when the knowledge base is not the one the
progress was kept with.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, closest
from pnet_expert.core.errors import InputError
from pnet_expert.core.limits import PROGRESS_BYTES
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.files.bounded_parse import load_json
from pnet_expert.files.casefile import write_atomic
from pnet_expert.files.safe_read import ReadProblem, read_text
from pnet_expert.tutor.student import MAX_HISTORY, Lesson, RuleRecord, StudentModel

FORMAT = "pnet-expert tutor progress"
VERSION = 1
MAX_BYTES = PROGRESS_BYTES
"""The largest progress file read: 1 MiB (500 cases of history take about a quarter of it; limit
``progress_bytes``)."""
MAX_COUNT = 1_000_000
"""The largest count a rule's record may hold."""
MAX_RULES = 10_000
"""The most rule records a progress file may hold."""

_TOP = ("format", "version", "knowledge_base", "rules", "history")
_KB_KEYS = ("name", "version", "fingerprint")
_COUNTS = ("seen", "right", "missed", "wrong")
_LESSON = ("case", "score", "final_score", "hints", "revealed", "rules", "when")


class ProgressError(InputError):
    """A progress file that cannot be read or believed; its diagnostics name the file and the value."""


def load_progress(path: str | Path) -> StudentModel:
    """Read and check a progress file; a file that does not exist yet is a new student."""
    file = Path(path)
    name = str(path)
    if not os.path.lexists(file):
        return StudentModel()
    try:
        text = read_text(file, "progress_bytes")  # a regular file only: a FIFO or a device is refused
    except ReadProblem as exc:
        if exc.code == codes.FILE_IS_A_DIRECTORY:
            raise ProgressError(
                Diagnostic(codes.FILE_IS_A_DIRECTORY, name, "is a folder, not a progress file")
            ) from None
        if exc.code == codes.FILE_PAST_LIMIT:
            size = file.stat().st_size
            message = f"is {size} bytes; a progress file may hold at most {MAX_BYTES} bytes (1 MiB)"
            raise ProgressError(Diagnostic(codes.FILE_TOO_LARGE, name, message)) from None
        raise ProgressError(exc.diagnostic(name)) from None
    try:
        data = load_json(text)
    except ReadProblem as exc:  # nested past the limit
        raise ProgressError(exc.diagnostic(name)) from None
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise ProgressError(Diagnostic(codes.FILE_NOT_JSON, name, problem)) from None
    except ValueError as exc:
        raise ProgressError(Diagnostic(codes.FILE_NOT_JSON, name, f"not valid JSON: {exc}")) from None
    return progress_from_dict(data, name)


def progress_from_dict(data: object, name: str = "progress") -> StudentModel:
    """A student model from a progress file's parsed JSON; every problem is raised at once."""
    problems: list[Diagnostic] = []

    def bad(where: str, message: str, suggestion: str = "", hint: str = "") -> None:
        problems.append(
            Diagnostic(codes.FILE_BAD_PROGRESS, f"{name}: {where}", message, suggestion=suggestion, hint=hint)
        )

    if not isinstance(data, Mapping):
        bad("progress", f"expected a JSON object, got {type(data).__name__}")
        raise ProgressError.of(problems)
    for key in data:
        if key not in _TOP:
            bad(
                str(key),
                f"unknown key {key!r}",
                suggestion=closest(key, _TOP),
                hint=f"the keys are: {', '.join(_TOP)}",
            )
    if data.get("format") != FORMAT:
        bad(
            "format",
            f"expected {FORMAT!r}, got {_short(data.get('format'))}",
            hint="is this a tutor progress file?",
        )
    if data.get("version") != VERSION:
        bad(
            "version",
            f"version {_short(data.get('version'))} is not one this pnet-expert reads (it reads {VERSION})",
        )
    kb = data.get("knowledge_base", {})
    if not isinstance(kb, Mapping) or not all(isinstance(v, str) for v in kb.values()):
        bad("knowledge_base", "expected an object of text (name, version, fingerprint)")
    rules: dict[str, RuleRecord] = {}
    raw_rules = data.get("rules", {})
    if not isinstance(raw_rules, Mapping):
        bad("rules", f"expected an object of rule records, got {type(raw_rules).__name__}")
    elif len(raw_rules) > MAX_RULES:
        bad("rules", f"{len(raw_rules)} rule records; at most {MAX_RULES}")
    else:
        for rule_id, record in raw_rules.items():
            checked = _record(f"rules.{rule_id}", rule_id, record, bad)
            if checked is not None:
                rules[rule_id] = checked
    history: list[Lesson] = []
    raw_history = data.get("history", [])
    if not isinstance(raw_history, list):
        bad("history", f"expected a list of cases done, got {type(raw_history).__name__}")
    elif len(raw_history) > MAX_HISTORY:
        bad("history", f"{len(raw_history)} cases; a progress file keeps at most {MAX_HISTORY}")
    else:
        for i, item in enumerate(raw_history):
            lesson = _lesson(f"history[{i}]", item, bad)
            if lesson is not None:
                history.append(lesson)
    if problems:
        raise ProgressError.of(problems)
    kept_with = {k: v for k, v in kb.items() if k in _KB_KEYS and isinstance(v, str)}
    return StudentModel(rules, history, kept_with)


def knowledge_base_note(model: StudentModel, kb: KnowledgeBase) -> str | None:
    """What to tell the student when the progress was kept with another knowledge base than this one
    (another fingerprint: edited, another version, or another knowledge base altogether); None when
    it is the same one, or the progress is new.

    The progress is still used: the records of the rules both have go on, and
    those of rules this knowledge base lacks are kept as they are, not used.
    """
    kept = model.kept_with
    fingerprint = kept.get("fingerprint")
    if not fingerprint or fingerprint == kb.fingerprint[: len(fingerprint)]:
        return None
    then = f"{kept.get('name', '?')} {kept.get('version', '?')} (fingerprint {fingerprint[:12]})"
    now = f"{kb.name} {kb.version} (fingerprint {kb.fingerprint[:12]})"
    lacking = sorted(r for r in model.rules if r not in kb.rules)
    unused = (
        f"; the records of {len(lacking)} rule{'s' if len(lacking) != 1 else ''} it does not have "
        f"({', '.join(lacking[:8])}{', ...' if len(lacking) > 8 else ''}) are kept and not used"
        if lacking
        else ""
    )
    what = "another knowledge base" if kept.get("name") != kb.name else "another version or an edited copy"
    return (
        f"this progress was kept with knowledge base {then}, and this session uses {now}: "
        f"{what}. The records of the rules both have go on{unused}."
    )


def _record(where: str, rule_id: object, record: object, bad: Any) -> RuleRecord | None:
    if not isinstance(rule_id, str) or not rule_id or len(rule_id) > 64:
        bad(where, "a rule id is a short piece of text")
        return None
    if not isinstance(record, Mapping):
        bad(where, f"expected an object with {', '.join(_COUNTS)}, got {type(record).__name__}")
        return None
    ok = True
    for key in record:
        if key not in _COUNTS:
            bad(f"{where}.{key}", f"unknown key {key!r}", suggestion=closest(key, _COUNTS))
            ok = False
    counts: dict[str, int] = {}
    for key in _COUNTS:
        value = record.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            bad(f"{where}.{key}", f"{_short(value)} is not a count (a whole number from 0 to {MAX_COUNT})")
            ok = False
        else:
            counts[key] = value
    if ok and counts["right"] + counts["missed"] != counts["seen"]:
        bad(
            where,
            f"right ({counts['right']}) + missed ({counts['missed']}) must equal seen ({counts['seen']})",
        )
        ok = False
    return RuleRecord(**counts) if ok else None


def _lesson(where: str, item: object, bad: Any) -> Lesson | None:
    if not isinstance(item, Mapping):
        bad(where, f"expected an object, got {type(item).__name__}")
        return None
    ok = True
    for key in item:
        if key not in _LESSON:
            bad(f"{where}.{key}", f"unknown key {key!r}", suggestion=closest(key, _LESSON))
            ok = False
    case = item.get("case")
    if not isinstance(case, Mapping) or not all(isinstance(k, str) for k in case) or not _plain_json(case):
        bad(f"{where}.case", "expected a case: an object of facts")
        ok = False
    scores = []
    for key in ("score", "final_score"):
        value = item.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= 1
        ):
            bad(f"{where}.{key}", f"{_short(value)} is not a score (a number from 0 to 1)")
            ok = False
        else:
            scores.append(float(value))
    hints = item.get("hints", 0)
    if isinstance(hints, bool) or not isinstance(hints, int) or not 0 <= hints <= MAX_COUNT:
        bad(f"{where}.hints", f"{_short(hints)} is not a count")
        ok = False
    revealed = item.get("revealed", False)
    if not isinstance(revealed, bool):
        bad(f"{where}.revealed", f"{_short(revealed)} is not true or false")
        ok = False
    rules = item.get("rules", [])
    if (
        not isinstance(rules, list)
        or not all(isinstance(r, str) and len(r) <= 64 for r in rules)
        or len(rules) > 1000
    ):
        bad(f"{where}.rules", "expected a list of rule ids")
        ok = False
    when = item.get("when", "")
    if not isinstance(when, str) or len(when) > 64:
        bad(f"{where}.when", "expected a date and time as short text")
        ok = False
    if not ok:
        return None
    assert isinstance(case, Mapping)
    return Lesson(dict(case), scores[0], scores[1], hints, revealed, tuple(rules), when)


def _plain_json(value: object, depth: int = 0) -> bool:
    """Only JSON's plain values, nested at most a few levels (a case holds lists of records at most)."""
    if depth > 4:
        return False
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_plain_json(v, depth + 1) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _plain_json(v, depth + 1) for k, v in value.items())
    return False


def progress_dict(model: StudentModel, kb: KnowledgeBase) -> dict[str, Any]:
    """A student model as a progress file's JSON."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "knowledge_base": {"name": kb.name, "version": kb.version, "fingerprint": kb.fingerprint},
        "rules": {rule_id: record.to_dict() for rule_id, record in model.rules.items()},
        "history": [lesson.to_dict() for lesson in model.history[-MAX_HISTORY:]],
    }


def save_progress(path: str | Path, model: StudentModel, kb: KnowledgeBase) -> None:
    """Write a progress file atomically (a temporary file beside it, then a rename)."""
    write_atomic(path, json.dumps(progress_dict(model, kb), indent=1, ensure_ascii=False) + "\n")


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
