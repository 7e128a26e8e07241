"""Hypothesis strategies for hostile input: case files in every format, batch lines, knowledge-base edits.

What a red team throws: values of every kind nested deep or holding text no
file can (lone surrogates, control and bidirectional characters), huge
integers, valid cases with one value spoiled, and raw text; YAML with anchors
and aliases; lines holding U+2028 and friends; knowledge-base files with lines
dropped, doubled or changed, counts and ``any`` inflated, aliases planted.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from helpers.strategies import valid_cases

NASTY_CHARACTERS = "\x00\x1b\x07\x0b\x0c\x1c\x85\u2028\u2029\u202e\u2066\ud800\udfff\ufeff\U0001f600"
"""Characters that have broken parsers, terminals or encoders: controls, separators, bidi, surrogates."""

texts = st.text(alphabet=st.characters(codec=None) | st.sampled_from(NASTY_CHARACTERS), max_size=40)
"""Text with every kind of character, the nasty ones often."""

FACT_WORDS = (
    "tumor_type",
    "tumors",
    "spread",
    "resectable",
    "site",
    "size",
    "notes",
    "title",
    "gastrinoma",
    "insulinoma",
    "head",
    "liver",
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**310)
    | st.floats(allow_nan=True)
    | texts
    | st.sampled_from(FACT_WORDS)
)

values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FACT_WORDS) | texts, inner, max_size=4)
    ),
    max_leaves=20,
)
"""Any JSON-like value, nested a few levels."""


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def hostile_cases(draw: st.DrawFn) -> Any:
    """A case mapping (or not): valid with one fact spoiled, random, or nested past the limits."""
    kind = draw(st.sampled_from(["spoiled", "random", "deep", "many"]))
    if kind == "random":
        return draw(values)
    case = dict(draw(valid_cases()))
    if kind == "deep":
        case[draw(st.sampled_from(FACT_WORDS))] = _deep(draw(st.integers(min_value=20, max_value=2000)))
    elif kind == "many":
        case["tumors"] = [{"site": "head"}] * draw(st.integers(min_value=90, max_value=400))
    else:
        case[draw(st.sampled_from(FACT_WORDS) | texts)] = draw(values)
    return case


def _toml(value: Any) -> str:
    """A best-effort TOML text for any value (keys quoted; what TOML cannot say becomes a string)."""
    if not isinstance(value, dict):
        return f"value = {json.dumps(str(value))}\n"
    lines = []
    for key, item in value.items():
        text = _json(item, ensure_ascii=False)
        lines.append(f"{json.dumps(str(key), ensure_ascii=False)} = {text.replace('null', '0')}")
    return "\n".join(lines) + "\n"


def _yaml(value: Any) -> str:
    import yaml

    try:
        return yaml.safe_dump(value, allow_unicode=True)
    except (yaml.YAMLError, TypeError, ValueError, RecursionError):
        return _json(value, ensure_ascii=False)


def _json(value: Any, ensure_ascii: bool) -> str:
    """JSON text for any value; past Python's recursion, the nesting is written out by hand."""
    try:
        return json.dumps(value, ensure_ascii=ensure_ascii, default=str)
    except RecursionError:
        depth, inner = 0, value
        while isinstance(inner, list) and inner:
            depth, inner = depth + 1, inner[0]
        try:
            tail = json.dumps(inner, ensure_ascii=ensure_ascii, default=str)
        except RecursionError:  # nested past Python's recursion in another way (a mapping): a stand-in
            tail = '"deep"'
        return "[" * depth + tail + "]" * depth


@st.composite
def case_files(draw: st.DrawFn) -> tuple[str, str]:
    """(suffix, text) of a case file: a hostile case written in one of the three formats, or raw text."""
    suffix = draw(st.sampled_from([".json", ".yaml", ".toml"]))
    if draw(st.booleans()):
        case = draw(hostile_cases())
        json_text = _json(case, ensure_ascii=draw(st.booleans()))
        text = {".json": json_text, ".yaml": _yaml(case), ".toml": _toml(case)}[suffix]
    else:
        pieces = st.sampled_from(
            [
                "tumor_type: gastrinoma\n",
                "&a [*a]",
                "? [a]\n: 1\n",
                "!!int abc",
                "[" * 200,
                '{"tumor_type": "other"}',
                "tumor_type = 'vipoma'\n",
                "*a",
                "&b x",
                "\n",
            ]
        )
        text = "".join(draw(st.lists(pieces | texts, max_size=8)))
    return suffix, text


@st.composite
def batch_lines(draw: st.DrawFn) -> list[str]:
    """The lines of a batch file: good cases, hostile ones, blank lines and noise."""
    line = st.one_of(
        valid_cases().map(json.dumps),
        hostile_cases().map(_one_line_json),
        texts.filter(lambda t: "\n" not in t),
        st.just(""),
        st.just("[" * 600 + "]" * 600),
    )
    return draw(st.lists(line, min_size=1, max_size=12))


def _one_line_json(case: Any) -> str:
    """A case as one line of JSON (its own text may hold any character but a new line, which JSON escapes)."""
    return _json(case, ensure_ascii=False)


KB_FILES = (
    "facts.yaml",
    "findings.yaml",
    "treatments.yaml",
    "source.yaml",
    "vocabulary.yaml",
    "rules/gastrinoma.yaml",
    "rules/insulinoma.yaml",
    "rules/other.yaml",
)


@st.composite
def kb_edits(draw: st.DrawFn) -> tuple[str, str, Any]:
    """One edit of a knowledge base's file: (file, kind of edit, its argument)."""
    file = draw(st.sampled_from(KB_FILES))
    kind = draw(
        st.sampled_from(
            ["drop", "double", "replace", "number", "anchor", "any", "count", "append", "truncate"]
        )
    )
    argument: Any
    if kind in ("drop", "double", "truncate"):
        argument = draw(st.integers(min_value=0, max_value=400))
    elif kind == "replace":
        argument = (draw(st.integers(min_value=0, max_value=400)), draw(texts | st.sampled_from(FACT_WORDS)))
    elif kind == "number":
        argument = draw(st.integers(min_value=-5, max_value=10**7))
    elif kind == "any":
        argument = draw(st.integers(min_value=2, max_value=12))
    elif kind == "count":
        argument = (
            draw(st.sampled_from(["exactly", "at_least"])),
            draw(st.integers(min_value=0, max_value=10**6)),
        )
    else:
        argument = draw(texts)
    return file, kind, argument


def apply_edit(text: str, kind: str, argument: Any) -> str:
    """A file's text with one edit made (see :func:`kb_edits`)."""
    lines = text.splitlines(keepends=True)
    if kind == "drop" and lines:
        del lines[argument % len(lines)]
    elif kind == "double" and lines:
        index = argument % len(lines)
        lines.insert(index, lines[index])
    elif kind == "truncate":
        return text[: argument * 10]
    elif kind == "replace" and lines:
        index, word = argument
        index %= len(lines)
        head, _, tail = lines[index].partition(": ")
        lines[index] = f"{head}: {json.dumps(word)}\n" if tail else lines[index]
    elif kind == "number":
        return text.replace("at_least: 2", f"at_least: {argument}").replace(
            "exactly: 1", f"exactly: {argument}"
        )
    elif kind == "anchor":
        return text.replace("when:\n", "when: &w\n", 1).replace("when: []", "when: *w", 1)
    elif kind == "any":
        options = "".join(
            f"          - {{fact: resectable, is: {str(i % 2 == 0).lower()}}}\n" for i in range(argument)
        )
        block = f"      - &o\n        any:\n{options}" + "      - *o\n" * argument
        return text.replace("    when:\n", "    when:\n" + block, 1)
    elif kind == "count":
        bound, number = argument
        condition = f"      - {{count: tumors, where: {{site: [head]}}, {bound}: {number}}}\n"
        return text.replace("    when:\n", "    when:\n" + condition, 1)
    else:
        return text + str(argument)
    return "".join(lines)
