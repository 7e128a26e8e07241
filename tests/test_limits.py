"""Every input bounded (issue 12): each attack of the red team refused fast, with the limit named.

One test (or a few) per defect the issue lists: cases, files and YAML; the
knowledge base's own limits are in ``test_kb_limits.py``. Each work that once
hung runs under ``within``, so that a regression fails instead of stopping the suite.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, within

from pnet_expert import CaseError, Patient, recommend
from pnet_expert.core import limits
from pnet_expert.files.casefile import parse_case_text, read_case

LIMITS_DOC = ROOT / "docs" / "limits.md"
ROW = re.compile(r"^\| `(\w+)` \| ([\d,]+) \| (\w+) \| (.+) \|$")


def _alias_bomb() -> str:
    """382 bytes of YAML that expand to 9^10 values."""
    text = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for i in range(1, 10):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text + "tumor_type: gastrinoma\n"


def _error(text: str, kind: str) -> CaseError:
    with pytest.raises(CaseError) as caught:
        within(10, lambda: parse_case_text(text, kind, "case"))
    return caught.value


# ---------------------------------------------------------------- the table


def test_the_docs_table_is_the_limits_module() -> None:
    """docs/limits.md lists every limit of core/limits.py, in order, with its value, unit and meaning."""
    table = [m.groups() for line in LIMITS_DOC.read_text().splitlines() if (m := ROW.match(line))]
    declared = [(x.id, f"{x.value:,}", x.unit, x.bounds) for x in limits.LIMITS.values()]
    assert table == declared


def test_a_limit_is_named_in_its_message() -> None:
    """The words of a limit name it, its value and its unit."""
    assert limits.exceeded("records_per_fact", "1,000 records") == (
        "1,000 records; at most 100 records (limit records_per_fact)"
    )


# ---------------------------------------------------------------- YAML


def test_a_yaml_alias_bomb_is_refused_at_once() -> None:
    """382 bytes of nested aliases (9^10 values): refused without expanding them, the limit named."""
    error = _error(_alias_bomb(), "yaml")
    assert error.code == "FILE-E013"
    assert "limit yaml_nodes" in error.problem


def test_an_alias_holding_itself_is_refused() -> None:
    """``&a [*a]`` would make any walk of the value endless."""
    error = _error("tumor_type: gastrinoma\nx: &a [1, *a]\n", "yaml")
    assert (error.code, "holds it" in error.problem) == ("FILE-E013", True)


def test_aliases_within_the_limit_are_read() -> None:
    """An alias is still YAML: one that repeats a small value reads as the value, twice."""
    text = "tumor_type: gastrinoma\ntitle: &t a title\ndescription: *t\n"
    assert parse_case_text(text, "yaml", "case")["description"] == "a title"


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("? [a]\n: 1\ntumor_type: gastrinoma\n", "FILE-E007", "a key must be a word, not a list"),
        ("tumor_type: !!int abc\n", "FILE-E007", "'abc' is not a whole number (tag !!int)"),
        ("tumor_type: !!bool maybe\n", "FILE-E007", "'maybe' is not true or false"),
        ("tumor_type: gastrinoma\nx: " + "9" * 5000 + "\n", "FILE-E013", "limit integer_digits"),
    ],
)
def test_yaml_that_python_cannot_take_is_an_error_at_its_place(text: str, code: str, words: str) -> None:
    """A complex key, a tag that does not fit its text, a 5,000-digit integer: a YAML error, placed."""
    error = _error(text, "yaml")
    origin = error.diagnostics[0].origin
    assert (error.code, words in error.problem, origin is not None and origin.line >= 1) == (code, True, True)


# ---------------------------------------------------------------- nesting and numbers in every format


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("json", '{"tumor_type": "gastrinoma", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("toml", 'tumor_type = "gastrinoma"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n"),
        ("yaml", "tumor_type: gastrinoma\nx: " + "[" * 100_000 + "]" * 100_000 + "\n"),
        ("json", '{"tumor_type": "gastrinoma", "notes": ' + "[" * 40 + "]" * 40 + "}"),
        ("toml", 'tumor_type = "gastrinoma"\nx = ' + "[" * 40 + "]" * 40 + "\n"),
        ("yaml", "tumor_type: gastrinoma\nx: " + "[" * 40 + "]" * 40 + "\n"),
    ],
)
def test_deep_nesting_is_refused_in_every_format(kind: str, text: str) -> None:
    """100,000 nested [ (a RecursionError in Python's parsers) or 40: refused, the nesting limit named."""
    error = _error(text, kind)
    assert error.code == "FILE-E013"
    assert "limit nesting_depth" in error.problem


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("json", '{"tumor_type": ' + "9" * 5000 + "}"),
        ("toml", "tumor_type = " + "9" * 5000 + "\n"),
        ("json", '{"tumor_type": -' + "9" * 101 + "}"),
        ("toml", "tumor_type = " + "9" * 101 + "\n"),
    ],
)
def test_an_integer_past_the_digits_limit_is_refused_by_name(kind: str, text: str) -> None:
    """A JSON or TOML integer past integer_digits (Python's own 4,300 too) is refused naming the limit."""
    error = _error(text, kind)
    assert error.code == "FILE-E013"
    assert "at most 100 digits (limit integer_digits)" in str(error)


def test_a_huge_integer_in_a_case_is_named_in_words() -> None:
    """A value of 5,000 digits given from Python is refused, and the message says its size, not its digits."""
    with pytest.raises(CaseError) as caught:
        Patient.from_dict({"tumor_type": 10**5000})
    assert "an integer of about 5,001 digits" in caught.value.problem


# ---------------------------------------------------------------- files: only regular ones, only so big


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    """A FIFO no one writes to would block a read forever: it is refused on sight."""
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    with pytest.raises(CaseError) as caught:
        within(10, lambda: read_case(fifo))
    assert caught.value.code == "FILE-E012"
    assert "FIFO" in caught.value.problem


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    """/dev/zero never ends: a case path linked to it is a device, refused before any read."""
    link = tmp_path / "case.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(CaseError) as caught:
        within(10, lambda: read_case(link))
    assert (caught.value.code, "a device" in caught.value.problem) == ("FILE-E012", True)


def test_a_case_file_past_its_size_is_refused(tmp_path: Path) -> None:
    """A case file over a megabyte is refused by its size, the limit named."""
    big = tmp_path / "case.json"
    big.write_text('{"tumor_type": "gastrinoma", "notes": "' + "x" * limits.CASE_BYTES + '"}')
    with pytest.raises(CaseError) as caught:
        read_case(big)
    assert caught.value.code == "FILE-E013"
    assert "limit case_bytes" in caught.value.problem


def test_a_case_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    """Bytes that are not UTF-8: the file is named, and the offset of the first bad byte."""
    bad = tmp_path / "case.yaml"
    bad.write_bytes(b"tumor_type: \xff\n")
    with pytest.raises(CaseError) as caught:
        read_case(bad)
    assert caught.value.code == "FILE-E003"
    assert caught.value.problem == "is not UTF-8 text (byte 0xff at offset 12); save it as UTF-8"


def test_closed_standard_input_is_a_case_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """``recommend -`` with standard input closed (Python's sys.stdin is None): a clear error."""
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(CaseError) as caught:
        read_case("-")
    assert (caught.value.code, caught.value.field) == ("FILE-E003", "<stdin>")
    assert "standard input is closed" in caught.value.problem


def test_binary_standard_input_is_a_case_error() -> None:
    """Bytes that are not UTF-8 on standard input: a case error naming <stdin>."""
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00tumor_type: \xc3"), encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        read_case("-", stdin=stdin)
    assert (caught.value.code, caught.value.field) == ("FILE-E003", "<stdin>")


# ---------------------------------------------------------------- cases


def test_a_thousand_tumors_are_refused_with_the_limit_named() -> None:
    """1,000 tumors ran past 120 s; now refused at once, by the records limit."""
    tumors = [{"site": "head"}] * 1000
    with pytest.raises(CaseError) as caught:
        within(10, lambda: recommend({"tumor_type": "gastrinoma", "tumors": tumors}))
    assert caught.value.code == "CASE-E013"
    assert caught.value.problem == "1,000 records; at most 100 records (limit records_per_fact)"


def test_a_hundred_tumors_are_consulted_fast() -> None:
    """The limit itself consults at once: every tumor in the pancreas rests on one firing of FND-02."""
    sites = ["head", "body", "tail", "duodenum"]
    tumors = [{"site": sites[i % 4]} for i in range(limits.RECORDS_PER_FACT)]
    consultation = within(10, lambda: recommend({"tumor_type": "gastrinoma", "tumors": tumors}))
    (several,) = [f for f in consultation.findings if f.finding == "multiple_pancreatic_tumors"]
    assert len(several.facts["tumors"]) == 75


def test_a_set_longer_than_its_values_is_one_problem() -> None:
    """100,000 bad spread items printed 100,002 lines: now one problem says the list is too long."""
    with pytest.raises(CaseError) as caught:
        Patient.from_dict({"tumor_type": "gastrinoma", "spread": ["lungs"] * 100_000})
    assert [d.code for d in caught.value.diagnostics] == ["CASE-E013"]
    expected = "holds 100,000 items; a set holds each of its 3 values at most once"
    assert caught.value.problem.startswith(expected)


@pytest.mark.parametrize(
    "value",
    [
        "cycle",
        "deep",
    ],
)
def test_self_referencing_or_deep_values_are_case_errors(value: str) -> None:
    """A list that holds itself, or one nested 10,000 deep: a CaseError quoting a bounded value."""
    item: list[Any] = []
    if value == "cycle":
        item.append(item)
    else:
        for _ in range(10_000):
            item = [item]
    cases = ({"tumor_type": "gastrinoma", "spread": item}, {"tumor_type": item}, {"tumor_type": {"x": item}})
    for case in cases:
        with pytest.raises(CaseError) as caught:
            Patient.from_dict(case)
        assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("\ud800", "half of a surrogate pair"),
        ("abc\u202edef", "a bidirectional control"),
        ("abc\u2066def", "a bidirectional control"),
        ("a\x1b[2Jb", ""),
        ("a\x00b", ""),
    ],
)
def test_unsafe_characters_in_case_text_are_refused(text: str, what: str) -> None:
    """A lone surrogate (no file can hold it), a bidirectional override, an escape or a NUL: CASE-E011."""
    for key in ("id", "title", "description", "notes"):
        with pytest.raises(CaseError) as caught:
            Patient.from_dict({"tumor_type": "gastrinoma", key: text})
        assert (caught.value.code, caught.value.field) == ("CASE-E011", key)
        assert what in caught.value.problem


def test_a_lone_surrogate_read_from_json_is_refused() -> None:
    """JSON's "\\ud800" escape makes a string no output can encode: refused when the case is validated."""
    case = parse_case_text(json.dumps({"tumor_type": "gastrinoma", "notes": "\ud800"}), "json", "case")
    with pytest.raises(CaseError) as caught:
        recommend(case)
    assert caught.value.code == "CASE-E011"


def test_new_lines_tabs_and_letters_of_any_script_are_kept() -> None:
    """Text stays text: new lines, tabs, accents and right-to-left letters are not control characters."""
    notes = "Première ligne\n\t\u05e9\u05dc\u05d5\u05dd \u2014 \u0645\u0631\u062d\u0628\u0627"
    assert recommend({"tumor_type": "gastrinoma", "notes": notes}).patient.meta == (("notes", notes),)
