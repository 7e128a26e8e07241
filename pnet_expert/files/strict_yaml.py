"""YAML read strictly, keeping where every value was written.

PyYAML's safe loader follows YAML 1.1, where ``yes``, ``no``, ``on`` and ``off``
are booleans and ``2012-02-06`` is a date. Knowledge and cases must not be
coerced behind the author's back, so this loader resolves only ``true``/
``false``, ``null``/``~`` and plain integers; everything else stays a string.
It composes nodes rather than Python objects, so every value keeps its line
and column for error messages.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin

try:  # the C parser is several times faster; fall back when libyaml is absent
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader


class StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader with YAML 1.2 core-schema scalars: no yes/no booleans, no dates."""


StrictLoader.yaml_implicit_resolvers = {}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)


class YamlSyntaxError(ValueError):
    """The text is not (strict) YAML: what is wrong, and where; ``code`` says which kind of problem."""

    def __init__(
        self,
        name: str,
        problem: str,
        line: int | None = None,
        column: int | None = None,
        code: str = codes.FILE_NOT_YAML,
    ) -> None:
        self.name, self.problem, self.line, self.column, self.code = name, problem, line, column, code
        where = name if line is None else f"{name}:{line}:{column or 1}"
        super().__init__(f"{where}: {problem}")

    def position(self) -> str:
        """'(line L, column C)' or '' when unknown."""
        return "" if self.line is None else f" (line {self.line}, column {self.column or 1})"

    def diagnostic(self) -> Diagnostic:
        """As a diagnostic of a file with positions (a knowledge base's): ``file:line:col: problem``."""
        if self.line is None:
            return Diagnostic(self.code, self.name, self.problem)
        return Diagnostic(self.code, "", self.problem, origin=Origin(self.name, self.line, self.column or 1))


def compose(text: str, name: str) -> yaml.Node | None:
    """Parse YAML text into a node tree (None for an empty document)."""
    try:
        return yaml.compose(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise YamlSyntaxError(name, f"not valid YAML: {exc.problem}", line, column) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other reader errors
        raise YamlSyntaxError(name, f"not valid YAML: {exc}") from None


def to_python(node: yaml.Node | None, name: str = "<yaml>") -> Any:
    """Turn a node tree into plain Python values with the strict scalar rules; a repeated key is an error."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = to_python(key_node, name)
            if key in out:
                mark = key_node.start_mark
                problem = f"key {key!r} is given twice"
                raise YamlSyntaxError(name, problem, mark.line + 1, mark.column + 1, codes.FILE_KEY_TWICE)
            out[key] = to_python(value_node, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [to_python(v, name) for v in node.value]
    return scalar(node)


def scalar(node: yaml.Node) -> Any:
    """The value of a scalar node under the strict rules."""
    tag = node.tag
    text = node.value
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:int":
        return int(text)
    return text


def load(text: str, name: str) -> Any:
    """Parse YAML text strictly into plain Python values."""
    return to_python(compose(text, name), name)
