"""Read YAML nodes into typed values, collecting every problem with its position.

The loader reports all problems of a knowledge base at once, so nothing here
raises: a reader records the problem (``file:line:col: where: message``) and
returns None, and the caller goes on with the next value.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from pnet_expert.core.errors import did_you_mean
from pnet_expert.core.schema import Origin
from pnet_expert.files.strict_yaml import scalar


class Problems:
    """The problems found so far in one load, in the order found."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, origin: Origin, where: str, message: str) -> None:
        """Record one problem at a position, under a path such as ``INS-06.offers[0]``."""
        prefix = f"{origin}: {where}: " if where else f"{origin}: "
        self.items.append(prefix + message)

    def __bool__(self) -> bool:
        return bool(self.items)


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

    def fail(self, node: yaml.Node | None, where: str, message: str) -> None:
        """Record a problem at a node."""
        self.problems.add(self.origin(node), where, message)

    def mapping(
        self,
        node: yaml.Node | None,
        where: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> dict[str, yaml.Node] | None:
        """A mapping with string keys, no unknown or repeated key, every required key present."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, f"expected a mapping, got {_kind(node)}")
            return None
        required = tuple(required)
        allowed = (*required, *optional)
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.fail(key_node, where, f"a key must be a word, got {_kind(key_node)}")
            elif key in result:
                self.fail(key_node, where, f"key {key!r} is given twice")
            elif key not in allowed:
                self.fail(
                    key_node,
                    where,
                    f"unknown key {key!r}{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
                )
            else:
                result[key] = value_node
        missing = [k for k in required if k not in result]
        if missing:
            self.fail(node, where, f"missing {', '.join(repr(k) for k in missing)}")
            return None
        return result

    def mapping_any(self, node: yaml.Node | None, where: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping whose keys are the author's own words: ``{key: (key node, value node)}``."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, f"expected a mapping, got {_kind(node)}")
            return {}
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.fail(key_node, where, f"a key must be a word, got {_kind(key_node)}")
            elif key in result:
                self.fail(key_node, where, f"key {key!r} is given twice")
            else:
                result[key] = (key_node, value_node)
        return result

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node] | None:
        """A list of nodes."""
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, where, f"expected a list, got {_kind(node)}")
            return None
        return list(node.value)

    def text(self, node: yaml.Node | None, where: str) -> str | None:
        """A non-empty string, white space folded to single spaces."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            self.fail(node, where, f"expected text, got {_kind(node)}")
            return None
        return " ".join(value.split())

    def boolean(self, node: yaml.Node | None, where: str) -> bool | None:
        """true or false, nothing else."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            self.fail(node, where, f"expected true or false, got {_kind(node)}")
            return None
        return value

    def integer(self, node: yaml.Node | None, where: str) -> int | None:
        """A whole number."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(node, where, f"expected a whole number, got {_kind(node)}")
            return None
        return value

    def scalar_value(self, node: yaml.Node | None, where: str) -> bool | str | None:
        """A word or true/false: a value a fact can take."""
        value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or (isinstance(value, str) and value.strip()):
            return value
        self.fail(node, where, f"expected a value (a word, true or false), got {_kind(node)}")
        return None

    def scalar_list(
        self, node: yaml.Node | None, where: str, single: bool = False
    ) -> tuple[bool | str, ...] | None:
        """A non-empty list of values; with ``single``, one value is accepted too."""
        if single and isinstance(node, yaml.ScalarNode):
            one = self.scalar_value(node, where)
            return None if one is None else (one,)
        items = self.sequence(node, where)
        if items is None:
            return None
        if not items:
            self.fail(node, where, "expected at least one value, got an empty list")
            return None
        values = [self.scalar_value(item, f"{where}[{i}]") for i, item in enumerate(items)]
        if any(v is None for v in values):
            return None
        clean = tuple(v for v in values if v is not None)
        repeated = sorted({str(v) for v in clean if clean.count(v) > 1})
        if repeated:
            self.fail(node, where, f"{', '.join(repr(r) for r in repeated)} listed twice")
            return None
        return clean


def _kind(node: yaml.Node | None) -> str:
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
    return repr(value)
