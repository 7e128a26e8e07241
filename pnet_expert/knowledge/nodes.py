"""Read YAML nodes into typed values; a problem ends one item, never the file.

The loader reports all problems of a knowledge base at once, yet reading a
value that is not what it should be cannot go on. So a reader *raises*
:class:`Invalid` at the first problem inside an item (a rule, a fact, a
condition), and the item's boundary (:meth:`Reader.item`, :meth:`Reader.each`,
:meth:`Reader.every`) records its diagnostic, with ``file:line:col`` and the path,
and goes on with the next item. Readers return values, never None.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

import yaml

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin, closest
from pnet_expert.core.show import show
from pnet_expert.files.strict_yaml import scalar

T = TypeVar("T")
W = TypeVar("W", bound=str)

NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9A-Za-z]+$")


class Problems:
    """The diagnostics found so far in one load, in the order found."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, diagnostic: Diagnostic) -> None:
        """Record one diagnostic."""
        self.items.append(diagnostic)

    def __bool__(self) -> bool:
        return bool(self.items)


class Invalid(Exception):
    """The first problem inside an item: raised by a reader, recorded at the item's boundary.

    Without a diagnostic it says that the item's parts were read one by one and
    their problems are recorded already: the item itself cannot be built.
    """

    def __init__(self, diagnostic: Diagnostic | None = None) -> None:
        super().__init__(str(diagnostic) if diagnostic else "(recorded)")
        self.diagnostic = diagnostic


class Reader:
    """Typed access to the nodes of one file."""

    def __init__(self, file: str, problems: Problems) -> None:
        self.file = file
        self.problems = problems

    def origin(self, node: yaml.Node | None) -> Origin:
        """The position of a node in this file."""
        if node is None:
            return Origin(self.file, 1, 1)
        mark = node.start_mark
        return Origin(self.file, mark.line + 1, mark.column + 1)

    def invalid(
        self,
        node: yaml.Node | None,
        code: str,
        where: str,
        message: str,
        *,
        suggestion: str = "",
        hint: str = "",
    ) -> Invalid:
        """The problem at a node, as the exception that ends its item (``raise r.invalid(...)``)."""
        diagnostic = Diagnostic(
            code, where, message, origin=self.origin(node), suggestion=suggestion, hint=hint
        )
        return Invalid(diagnostic)

    # ------------------------------------------------------------ boundaries

    def item(self, read: Callable[[], T]) -> T | None:
        """Read one item; its problem, if any, is recorded and None returned."""
        try:
            return read()
        except Invalid as exc:
            if exc.diagnostic is not None:
                self.problems.add(exc.diagnostic)
            return None

    def each(
        self, node: yaml.Node | None, where: str, read: Callable[[Reader, yaml.Node, str], T]
    ) -> list[T]:
        """A list read item by item (``where[i]``): the good items, each bad one's problem recorded.

        It never raises: a value that is not a list is a problem recorded, and nothing is kept.
        """
        nodes = self.item(functools.partial(self.sequence, node, where)) or []
        found = [self.item(functools.partial(read, self, n, f"{where}[{i}]")) for i, n in enumerate(nodes)]
        return [x for x in found if x is not None]

    def every(
        self, node: yaml.Node | None, where: str, read: Callable[[Reader, yaml.Node, str], T]
    ) -> tuple[T, ...]:
        """A list read item by item, every item's problem recorded; :class:`Invalid` unless all are good."""
        nodes = self.sequence(node, where)
        found = self.each(node, where, read)
        if len(found) < len(nodes):
            raise Invalid
        return tuple(found)

    # ------------------------------------------------------------ values

    def mapping(
        self,
        node: yaml.Node | None,
        where: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> dict[str, yaml.Node]:
        """A mapping with string keys, no unknown or repeated key, every required key present."""
        required = tuple(required)
        allowed = (*required, *optional)
        result: dict[str, yaml.Node] = {}
        for key, (key_node, value_node) in self.mapping_any(node, where).items():
            if key not in allowed:
                raise self.invalid(
                    key_node,
                    codes.KB_UNKNOWN_KEY,
                    where,
                    f"unknown key {key!r}",
                    suggestion=closest(key, allowed),
                    hint=f"allowed: {', '.join(allowed)}",
                )
            result[key] = value_node
        missing = [k for k in required if k not in result]
        if missing:
            raise self.invalid(
                node, codes.KB_MISSING_KEY, where, f"missing {', '.join(repr(k) for k in missing)}"
            )
        return result

    def mapping_any(self, node: yaml.Node | None, where: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping whose keys are the author's own words: ``{key: (key node, value node)}``."""
        if not isinstance(node, yaml.MappingNode):
            raise self.invalid(node, codes.KB_WRONG_KIND, where, f"expected a mapping, got {kind(node)}")
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                message = f"a key must be a word, got {kind(key_node)}"
                raise self.invalid(key_node, codes.KB_KEY_NOT_A_WORD, where, message)
            if key in result:
                raise self.invalid(key_node, codes.FILE_KEY_TWICE, where, f"key {key!r} is given twice")
            result[key] = (key_node, value_node)
        return result

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node]:
        """A list of nodes."""
        if not isinstance(node, yaml.SequenceNode):
            raise self.invalid(node, codes.KB_WRONG_KIND, where, f"expected a list, got {kind(node)}")
        return list(node.value)

    def text(self, node: yaml.Node | None, where: str) -> str:
        """A non-empty string, white space folded to single spaces."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            raise self.invalid(node, codes.KB_WRONG_KIND, where, f"expected text, got {kind(node)}")
        return " ".join(value.split())

    def boolean(self, node: yaml.Node | None, where: str) -> bool:
        """true or false, nothing else."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            raise self.invalid(node, codes.KB_WRONG_KIND, where, f"expected true or false, got {kind(node)}")
        return value

    def integer(self, node: yaml.Node | None, where: str) -> int:
        """A whole number."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.invalid(node, codes.KB_WRONG_KIND, where, f"expected a whole number, got {kind(node)}")
        return value

    def name(self, node: yaml.Node | None, where: str) -> str:
        """An id such as ``liver_metastases``: lower-case words joined by single underscores."""
        text = self.text(node, where)
        if not NAME.match(text):
            message = f"{text!r} is not a valid id (lower-case words joined by '_')"
            raise self.invalid(node, codes.KB_BAD_ID, where, message)
        return text

    def rule_id(self, node: yaml.Node | None, where: str) -> str:
        """A rule id such as ``INS-06``."""
        text = self.text(node, where)
        if not RULE_ID.match(text):
            raise self.invalid(
                node, codes.KB_BAD_RULE_ID, where, f"{text!r} is not a valid rule id (like 'INS-06')"
            )
        return text

    def word(self, node: yaml.Node | None, where: str, choices: tuple[W, ...]) -> W:
        """One of a few words (a fact's kind, a section's kind)."""
        text = self.text(node, where)
        for choice in choices:
            if text == choice:
                return choice
        message = f"{text!r} is not one of {', '.join(choices)}"
        raise self.invalid(node, codes.KB_NOT_ONE_OF, where, message, suggestion=closest(text, choices))

    def scalar_value(self, node: yaml.Node | None, where: str) -> bool | str:
        """A word or true/false: a value a fact can take."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or (isinstance(value, str) and value.strip()):
            return value
        message = f"expected a value (a word, true or false), got {kind(node)}"
        raise self.invalid(node, codes.KB_WRONG_KIND, where, message)

    def scalar_list(self, node: yaml.Node | None, where: str, single: bool = False) -> tuple[bool | str, ...]:
        """A non-empty list of values, none twice; with ``single``, one value is accepted too."""
        if single and isinstance(node, yaml.ScalarNode):
            return (self.scalar_value(node, where),)
        items = self.sequence(node, where)
        if not items:
            message = "expected at least one value, got an empty list"
            raise self.invalid(node, codes.KB_TOO_FEW, where, message)
        values = tuple(self.scalar_value(item, f"{where}[{i}]") for i, item in enumerate(items))
        repeated = sorted({str(v) for v in values if values.count(v) > 1})
        if repeated:
            message = f"{', '.join(repr(r) for r in repeated)} listed twice"
            raise self.invalid(node, codes.KB_REPEATED, where, message)
        return values


def kind(node: yaml.Node | None) -> str:
    """Describe what a node is, for messages: 'a list', "'yes'", 'nothing'."""
    if node is None:
        return "nothing"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    value = scalar(node)
    if value is None:
        return "nothing"
    return show(value)
