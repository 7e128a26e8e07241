"""Diagnostics: one shape for every problem, stable codes, and the docs' table of them kept true."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT

from pnet_expert import CaseError, InputError, KnowledgeBaseError
from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin, closest

DOCS = ROOT / "docs" / "diagnostics.md"
PACKAGE = ROOT / "pnet_expert"
ROW = re.compile(r"^\| `([A-Z]+-[EWI]\d{3})` \| (\w+) \| (.+?) \| .*\|$")
CODE_TEXT = re.compile(r"""["'](?:CASE|FILE|INPUT|WEB|KB|CHECK)-[EWI]\d{3}["']""")


def _table() -> list[tuple[str, str, str]]:
    """The docs' table of codes: (code, severity, meaning), in order."""
    return [(m[1], m[2], m[3]) for line in DOCS.read_text().splitlines() if (m := ROW.match(line))]


def _constants() -> dict[str, str]:
    """The registry's constants: name -> code."""
    return {
        name: value
        for name, value in vars(codes).items()
        if name.isupper() and isinstance(value, str) and value in codes.REGISTRY
    }


def _sources() -> dict[str, str]:
    """Every module of the package but the registry, by path."""
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "core" / "codes.py"
    }


# ---------------------------------------------------------------- the registry and the docs


def test_the_docs_table_is_the_registry() -> None:
    """docs/diagnostics.md lists every code of core/codes.py, in order, with its severity and meaning."""
    registry = [(c.id, c.severity, c.meaning) for c in codes.REGISTRY.values()]
    assert _table() == registry


def test_every_code_is_raised_somewhere() -> None:
    """Each code that is not retired is used by some module (through its constant)."""
    used = "\n".join(_sources().values())
    assert sorted(_constants().values()) == sorted(codes.REGISTRY)
    unused = [
        code
        for name, code in _constants().items()
        if not codes.REGISTRY[code].retired and not re.search(rf"\bcodes\.{name}\b", used)
    ]
    assert unused == []


def test_codes_are_written_only_in_the_registry() -> None:
    """No module writes a code as text: each is named by its constant, so it exists once."""
    written = {path: CODE_TEXT.findall(text) for path, text in _sources().items()}
    assert {path: found for path, found in written.items() if found} == {}


def test_codes_follow_the_scheme_and_never_share_a_number() -> None:
    """PREFIX-LNNN, the letter for the severity; a number (per prefix) belongs to one code only."""
    numbers = [(code.split("-")[0], code[-3:]) for code in codes.REGISTRY]
    assert len(numbers) == len(set(numbers))
    assert all(codes.PATTERN.match(code) for code in codes.REGISTRY)
    assert codes.REGISTRY["CHECK-I501"].severity == "info"
    assert codes.REGISTRY["KB-E101"].severity == "error"


# ---------------------------------------------------------------- a diagnostic


def test_a_diagnostic_renders_place_path_message_suggestion_and_hint() -> None:
    """str() is 'file:line:col: path: message (did you mean ...?); hint', each part only when there is one."""
    full = Diagnostic(
        codes.KB_UNDECLARED,
        "GAS-02.when[0].fact",
        "'acid_symptom' is not a declared fact",
        origin=Origin("rules/gastrinoma.yaml", 21, 9),
        suggestion="acid_symptoms",
        hint="declared: tumor_type, acid_symptoms",
    )
    assert str(full) == (
        "rules/gastrinoma.yaml:21:9: GAS-02.when[0].fact: 'acid_symptom' is not a declared fact "
        "(did you mean 'acid_symptoms'?); declared: tumor_type, acid_symptoms"
    )
    assert full.tagged() == f"[KB-E101] {full}"
    assert full.severity == "error"
    bare = Diagnostic(codes.CHECK_UNCITED, "", "no rule cites this bullet")
    assert str(bare) == "no rule cites this bullet"
    assert Diagnostic(codes.CHECK_GAP, "insulinoma", "no option for ...").severity == "info"


def test_a_diagnostic_as_json() -> None:
    """to_dict: every part (null where there is none), the severity, and the text as printed."""
    diagnostic = Diagnostic(
        codes.CASE_NOT_ONE_OF, "spread[0]", "'livr' is not one of liver", suggestion="liver"
    )
    assert diagnostic.to_dict() == {
        "code": "CASE-E003",
        "severity": "error",
        "origin": None,
        "path": "spread[0]",
        "message": "'livr' is not one of liver",
        "suggestion": "liver",
        "hint": None,
        "text": "spread[0]: 'livr' is not one of liver (did you mean 'liver'?)",
    }


def test_only_declared_codes() -> None:
    """A diagnostic with a code the registry does not declare is a programming error, caught at once."""
    with pytest.raises(ValueError, match="not a declared diagnostic code"):
        Diagnostic("KB-E999", "", "nothing")


def test_closest() -> None:
    """The "did you mean" word: the closest choice, or nothing when none is close (or the word is no word)."""
    assert closest("livr", ["lymph_nodes", "liver"]) == "liver"
    assert closest("xyz", ["liver"]) == ""
    assert closest(3, ["liver"]) == ""


# ---------------------------------------------------------------- errors carry them


def test_input_error_views() -> None:
    """field, problem, code and problems read the diagnostics, first one first."""
    first = Diagnostic(codes.CASE_NOT_ONE_OF, "tumor_type", "'x' is not one of a, b", suggestion="a")
    second = Diagnostic(codes.CASE_MISSING, "tumors[0].site", "missing", hint="it is required: one of head")
    error = CaseError.of([first, second])
    assert error.diagnostics == (first, second)
    assert (error.code, error.field, error.problem) == (
        "CASE-E003",
        "tumor_type",
        "'x' is not one of a, b (did you mean 'a'?)",
    )
    assert [(p.field, p.problem) for p in error.problems] == [
        ("tumor_type", "'x' is not one of a, b (did you mean 'a'?)"),
        ("tumors[0].site", "missing; it is required: one of head"),
    ]
    assert str(error) == f"{first}\n{second}"
    assert error.tagged_lines() == [f"[CASE-E003] {first}", f"[CASE-E005] {second}"]
    assert isinstance(error, InputError)
    assert isinstance(error, ValueError)


def test_knowledge_base_error_lists_every_diagnostic() -> None:
    """problems are the printed lines; the command line prints a head line, then each with its code."""
    diagnostic = Diagnostic(codes.KB_FILE_MISSING, "", "file is missing", origin=Origin("findings.yaml", 1))
    error = KnowledgeBaseError([diagnostic])
    assert error.problems == ("findings.yaml:1:1: file is missing",)
    assert str(error) == "the knowledge base has 1 problem:\n  findings.yaml:1:1: file is missing"
    assert error.tagged_lines() == [
        "the knowledge base has 1 problem:",
        "  [KB-E202] findings.yaml:1:1: file is missing",
    ]
