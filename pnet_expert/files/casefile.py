"""Read a case from a file (JSON, YAML or TOML) or standard input, and write one back.

Reading never guesses: a repeated key, a YAML ``yes`` or a file of the wrong
kind is an error naming the file, at ``file:line:col`` where the parser says.
A case read is a :class:`~pnet_expert.files.positions.LocatedCase`: validation
places each problem of its facts at ``file:line:col`` too. Reading is bounded:
only a regular file is read, up to ``case_bytes``, and parsed within the
nesting and YAML limits (:mod:`~pnet_expert.files.safe_read`,
:mod:`~pnet_expert.files.bounded_parse`). Writing is atomic (a temporary file in
the same directory, then a rename), so a case being saved is never half-written.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import textwrap
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.errors import CaseError
from pnet_expert.files.bounded_parse import load_json, load_toml
from pnet_expert.files.positions import Locate, LocatedCase, json_locator, toml_locator
from pnet_expert.files.safe_read import ReadProblem, read_stream, read_text
from pnet_expert.files.safe_write import output, write

SUFFIXES = (".json", ".yaml", ".yml", ".toml")


class _KeyTwice(ValueError):
    """A JSON object gives a key twice (json.loads would keep the last silently)."""


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            message = f"key {key!r} is given twice"
            raise _KeyTwice(message)
        out[key] = value
    return out


def _error(code: str, name: str, problem: str) -> CaseError:
    """The error for a case file (or text) named ``name``."""
    return CaseError(Diagnostic(code, name, problem))


_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


def parse_case_text(text: str, kind: str, name: str) -> Any:
    """Parse case text of a kind (json, yaml, toml); CaseError naming ``name`` (and the place) when it is not.

    A mapping comes back as a :class:`~pnet_expert.files.positions.LocatedCase`
    named ``name``, so that the problems validation finds are placed in it.
    """
    if kind == "yaml":
        return _parse_yaml(text, name)
    try:
        if kind == "json":
            return _located(load_json(text, object_pairs_hook=_no_repeats), name, json_locator(text))
        return _located(load_toml(text), name, toml_locator(text))
    except ReadProblem as exc:
        raise CaseError(exc.diagnostic(name)) from None
    except json.JSONDecodeError as exc:
        origin = Origin(name, exc.lineno, exc.colno)
        raise CaseError(
            Diagnostic(codes.FILE_NOT_JSON, "", f"not valid JSON: {exc.msg}", origin=origin)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_AT.search(str(exc))
        if where is None:
            raise _error(codes.FILE_NOT_TOML, name, f"not valid TOML: {exc}") from None
        if where.group(1) is None:  # at the end of the document: after its last character
            origin = Origin(name, text.count("\n") + 1, len(text) - text.rfind("\n"))
        else:
            origin = Origin(name, int(where.group(1)), int(where.group(2)))
        problem = f"not valid TOML: {_TOML_AT.sub('', str(exc))}"
        raise CaseError(Diagnostic(codes.FILE_NOT_TOML, "", problem, origin=origin)) from None
    except _KeyTwice as exc:
        raise _error(codes.FILE_KEY_TWICE, name, f"not a valid case: {exc}") from None
    except ValueError as exc:  # what else the parsers refuse (an integer of 5000 digits, say)
        code = codes.FILE_NOT_JSON if kind == "json" else codes.FILE_NOT_TOML
        raise _error(code, name, f"not a valid case: {exc}") from None


def _parse_yaml(text: str, name: str) -> Any:
    """Strict YAML (imported only when a YAML case is read: PyYAML costs start-up time)."""
    from pnet_expert.files.positions import yaml_locator
    from pnet_expert.files.strict_yaml import YamlSyntaxError, compose, to_python

    try:
        node = compose(text, name)
        data = to_python(node, name)
    except YamlSyntaxError as exc:
        raise CaseError(exc.diagnostic()) from None
    return _located(data, name, yaml_locator(node))


def _located(data: Any, name: str, locate: Locate) -> Any:
    """A mapping that knows where its values were written; anything else as it is (validation refuses it)."""
    return LocatedCase(data, name, locate) if isinstance(data, dict) else data


def read_case(path: str | Path, stdin: TextIO | None = None) -> Mapping[str, Any]:
    """Read a case mapping from a file path, or from standard input when ``path`` is ``-``.

    Standard input may hold JSON or YAML (JSON is tried when the text starts with ``{``).
    """
    if str(path) == "-":
        try:
            text = read_stream(stdin if stdin is not None else sys.stdin, "case_bytes")
        except ReadProblem as exc:
            raise CaseError(exc.diagnostic("<stdin>")) from None
        kind = "json" if text.lstrip().startswith("{") else "yaml"
        data = parse_case_text(text, kind, "<stdin>")
        name = "<stdin>"
    else:
        file = Path(path)
        suffix = file.suffix.lower()
        if suffix not in SUFFIXES:
            problem = f"unknown kind of case file {suffix or '(no suffix)'!r}"
            raise CaseError(
                Diagnostic(
                    codes.FILE_UNKNOWN_SUFFIX, str(path), problem, hint=f"use {', '.join(SUFFIXES)} or -"
                )
            )
        try:
            text = read_text(file, "case_bytes")
        except ReadProblem as exc:
            raise CaseError(exc.diagnostic(str(path))) from None
        data = parse_case_text(text, {".json": "json", ".toml": "toml"}.get(suffix, "yaml"), str(path))
        name = str(path)
    if not isinstance(data, Mapping):
        problem = "expected a case (a mapping of facts such as tumor_type), got " + type(data).__name__
        raise _error(codes.CASE_NOT_A_MAPPING, name, problem)
    return data


def case_text(case: Mapping[str, Any], suffix: str, note: str = "") -> str:
    """A case mapping as the text of a file with this suffix (JSON, YAML or TOML).

    ``note`` (paragraphs) heads a YAML or TOML file as comment lines; JSON has no
    comments, so there it is left out rather than turned into a key no case has.
    """
    if suffix == ".json":
        return json.dumps(case, indent=2, ensure_ascii=False) + "\n"
    comment = "".join(
        "".join(f"# {line}\n" for line in textwrap.wrap(paragraph, 86, break_on_hyphens=False)) or "#\n"
        for paragraph in note.split("\n")
        if note
    )
    if suffix == ".toml":
        return comment + _toml(case)
    import yaml

    return comment + yaml.safe_dump(dict(case), sort_keys=False, allow_unicode=True, default_flow_style=None)


def _toml(case: Mapping[str, Any]) -> str:
    lines, tables = [], []
    for key, value in case.items():
        if value is None:
            continue  # TOML has no null; a fact left out is unknown all the same
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            for item in value:
                tables.append(f"\n[[{key}]]")
                tables.extend(f"{k} = {json.dumps(v)}" for k, v in item.items())
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines + tables) + "\n"


def atomic_output(path: str | Path) -> contextlib.AbstractContextManager[TextIO]:
    """An output file written as the block goes (:func:`pnet_expert.files.safe_write.output`)."""
    return output(path)


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file all at once (:func:`pnet_expert.files.safe_write.write`)."""
    write(path, text)


def write_case(path: str | Path, case: Mapping[str, Any], note: str = "") -> None:
    """Save a case mapping atomically, in the format the file's suffix names (``note``: see case_text)."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        problem = f"unknown kind of case file {suffix or '(no suffix)'!r}"
        raise CaseError(
            Diagnostic(codes.FILE_UNKNOWN_SUFFIX, str(path), problem, hint=f"use {', '.join(SUFFIXES)}")
        )
    write_atomic(path, case_text(case, ".yaml" if suffix == ".yml" else suffix, note))
