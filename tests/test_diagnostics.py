"""Diagnostics: one shape for every problem, with a stable code from one registry."""

from __future__ import annotations

import pytest

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin, closest


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
