"""YAML read strictly, keeping where every value was written.

PyYAML's safe loader follows YAML 1.1, where ``yes``, ``no``, ``on`` and ``off``
are booleans and ``2012-02-06`` is a date. Knowledge and cases must not be
coerced behind the author's back, so this loader resolves only ``true``/
``false``, ``null``/``~`` and plain integers; everything else stays a string.
It composes nodes rather than Python objects, so every value keeps its line
and column for error messages.

It is bounded too. An alias (``*name``) repeats a whole subtree without copying
it, so a few hundred bytes can stand for billions of values, and an anchor may
even hold an alias to itself. :func:`compose` measures what a document would
expand to without expanding it, and refuses a document past the limits
``yaml_nodes`` and ``nesting_depth`` (or holding a cycle) before anything reads
it; an integer longer than ``integer_digits`` and a tag that does not fit its
text (``!!int abc``) are errors at their line and column, as is a key that is a
list or a mapping (``? [a]``).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from pnet_expert.core import codes, limits
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
    """Parse YAML text into a node tree (None for an empty document), checked against the limits."""
    try:
        node = yaml.compose(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        if "nesting depth" in str(exc.problem):  # libyaml's own bound, far past ours
            problem = limits.exceeded("nesting_depth", "nested too deeply")
            raise YamlSyntaxError(name, problem, line, column, codes.FILE_PAST_LIMIT) from None
        raise YamlSyntaxError(name, f"not valid YAML: {exc.problem}", line, column) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a raw ESC, NUL, ...)
        position = max(0, min(exc.position, len(text)))
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        problem = f"not valid YAML: the character {character!r}: {exc.reason}"
        raise YamlSyntaxError(name, problem, line, column) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other errors of the parser, on one line
        raise YamlSyntaxError(name, f"not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        problem = limits.exceeded("nesting_depth", "nested too deeply")
        raise YamlSyntaxError(name, problem, code=codes.FILE_PAST_LIMIT) from None
    if node is not None:
        check_bounds(node, name)
    return node


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_bounds(root: yaml.Node, name: str) -> None:
    """Refuse a node tree that expands past ``yaml_nodes`` or nests past ``nesting_depth``, or a cycle.

    Aliases make the tree a graph whose nodes are shared; each node's expanded
    size and depth are worked out once (depth first, without recursion), so
    the check costs the size of the text, whatever the document expands to.
    Every scalar is checked on the way (:func:`scalar`), so that reading the
    tree afterwards never fails on one.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            if isinstance(node, yaml.ScalarNode):
                scalar(node, name)  # a bad tag or a huge number is refused here, once, with its place
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            depths[key] = int(not isinstance(node, yaml.ScalarNode)) + max(
                (depths[id(c)] for c in children), default=0
            )
            if sizes[key] > limits.YAML_NODES:
                found = f"too many values ({sizes[key]:,} and more, each alias counted as what it repeats)"
                _past(name, node, limits.exceeded("yaml_nodes", found))
            if depths[key] > limits.NESTING_DEPTH:
                _past(name, node, limits.exceeded("nesting_depth", "nested too deeply"))
            continue
        if key in sizes:
            continue
        if key in on_path:
            _past(name, node, "an alias refers to a value that holds it (a value cannot contain itself)")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _past(name: str, node: yaml.Node, problem: str) -> None:
    mark = node.start_mark
    raise YamlSyntaxError(name, problem, mark.line + 1, mark.column + 1, codes.FILE_PAST_LIMIT)


def to_python(node: yaml.Node | None, name: str = "<yaml>") -> Any:
    """Turn a node tree into plain Python values with the strict scalar rules; a repeated key is an error."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                mark = key_node.start_mark
                kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                problem = f"a key must be a word, not {kind}"
                raise YamlSyntaxError(name, problem, mark.line + 1, mark.column + 1)
            key = scalar(key_node, name)
            if key in out:
                mark = key_node.start_mark
                problem = f"key {key!r} is given twice"
                raise YamlSyntaxError(name, problem, mark.line + 1, mark.column + 1, codes.FILE_KEY_TWICE)
            out[key] = to_python(value_node, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [to_python(v, name) for v in node.value]
    return scalar(node, name)


_BOOLEANS = {"true": True, "false": False}
_INTEGER = re.compile(r"^[-+]?[0-9]+$")


def scalar(node: yaml.Node, name: str = "<yaml>") -> Any:
    """The value of a scalar node under the strict rules.

    A tag that does not fit the text (``!!int abc``, ``!!bool maybe``) and an
    integer longer than ``integer_digits`` are errors at the node, not
    exceptions from deep inside: the text says what it is, or it is refused.
    """
    tag = node.tag
    text = node.value
    if tag == "tag:yaml.org,2002:bool":
        value = _BOOLEANS.get(text.lower())
        if value is None:
            _bad_scalar(name, node, f"{text!r} is not true or false (tag !!bool)")
        return value
    if tag == "tag:yaml.org,2002:null":
        if text not in ("", "~", "null", "Null", "NULL"):
            _bad_scalar(name, node, f"{text!r} is not null (tag !!null)")
        return None
    if tag == "tag:yaml.org,2002:int":
        digits = text.lstrip("+-")
        if not _INTEGER.match(text):
            _bad_scalar(name, node, f"{text[:40]!r} is not a whole number (tag !!int)")
        if len(digits) > limits.INTEGER_DIGITS:
            problem = limits.exceeded("integer_digits", f"the number has {len(digits):,} digits")
            _bad_scalar(name, node, problem, codes.FILE_PAST_LIMIT)
        return int(text)
    return text if isinstance(text, str) else str(text)


def _bad_scalar(name: str, node: yaml.Node, problem: str, code: str = codes.FILE_NOT_YAML) -> None:
    mark = node.start_mark
    raise YamlSyntaxError(name, problem, mark.line + 1, mark.column + 1, code)


def load(text: str, name: str) -> Any:
    """Parse YAML text strictly into plain Python values."""
    return to_python(compose(text, name), name)
