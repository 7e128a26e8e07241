"""Where a value of a case file was written: ``file:line:col`` for a path such as ``spread[0]``.

A case read from a file is a :class:`LocatedCase`: a plain mapping that also
knows its file, so that validation can place each problem as the knowledge
base's problems are placed (``case.yaml:4:10: spread[0]: 'lungs' is not one
of lymph_nodes, liver, distant``). Positions are found only when a problem
needs one, so a good case costs nothing more to read.

- YAML: exact, from the nodes the strict loader composes (each keeps its mark).
- JSON: exact, by walking the text again with the json module's own scanner.
- TOML: as well as the text allows without a TOML parser that keeps positions
  (tomllib keeps none): keys by their line, ``[[tables]]`` by their header,
  an inline array's items by their place on the line.

A path that names nothing in the file (a fact that is missing, say) is placed
at its nearest written ancestor, or at the top of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pnet_expert.core.diagnostics import Origin

Position = tuple[int, int]
"""A line and a column, both from 1."""
Locate = Callable[[tuple[str | int, ...], bool], Position | None]
"""Where a path (its parts: keys and indices) was written; ``True``: the key itself rather than its value."""

# The patterns are compiled when first used (re keeps them): reading a good case never needs them.
_PART = r"([^.\[\]]+)|\[(\d+)\]"


def parts(path: str) -> tuple[str | int, ...]:
    """``tumors[1].site`` -> ``('tumors', 1, 'site')``."""
    return tuple(int(m.group(2)) if m.group(2) is not None else m.group(1) for m in re.finditer(_PART, path))


class LocatedCase(dict[str, Any]):
    """A case mapping read from a file, that can say where each of its values was written."""

    def __init__(self, data: Mapping[str, Any], name: str, locate: Locate) -> None:
        super().__init__(data)
        self.name = name
        self._locate = locate

    def origin_of(self, path: str, key: bool = False) -> Origin:
        """Where ``path`` was written (its key, with ``key``), else its nearest written ancestor, else 1:1."""
        steps = parts(path)
        for end in range(len(steps), 0, -1):
            try:
                found = self._locate(steps[:end], key and end == len(steps))
            except (IndexError, KeyError, ValueError, RecursionError):  # an odd file: no place, never a crash
                found = None
            if found is not None:
                return Origin(self.name, *found)
        return Origin(self.name, 1, 1)


# ---------------------------------------------------------------- YAML


def yaml_locator(root: Any) -> Locate:
    """Positions from the node tree the strict YAML loader composed (``yaml.Node``, marks from 0)."""
    import yaml

    def locate(steps: tuple[str | int, ...], key: bool) -> Position | None:
        node, key_node = root, None
        for step in steps:
            key_node = None
            if isinstance(step, int) and isinstance(node, yaml.SequenceNode) and step < len(node.value):
                node = node.value[step]
            elif isinstance(step, str) and isinstance(node, yaml.MappingNode):
                pair = next((p for p in node.value if getattr(p[0], "value", None) == step), None)
                if pair is None:
                    return None
                key_node, node = pair
            else:
                return None
        mark = (key_node if key and key_node is not None else node).start_mark
        return mark.line + 1, mark.column + 1

    return locate


# ---------------------------------------------------------------- JSON


class _Spot:
    """A JSON value's offset, its children by key or index, and (for a member) its key's offset."""

    __slots__ = ("at", "children", "key_at")

    def __init__(self, at: int, children: dict[str | int, _Spot], key_at: int | None = None) -> None:
        self.at, self.children, self.key_at = at, children, key_at


_SPACE = r"[ \t\n\r]*"


def json_locator(text: str) -> Locate:
    """Positions found by walking the (already valid) JSON text again, once, when first asked."""
    tree: list[_Spot] = []

    def locate(steps: tuple[str | int, ...], key: bool) -> Position | None:
        if not tree:
            tree.append(_json_spot(text, _skip(text, 0))[0])
        spot = tree[0]
        for step in steps:
            if step not in spot.children:
                return None
            spot = spot.children[step]
        return _line_col(text, spot.key_at if key and spot.key_at is not None else spot.at)

    return locate


def _json_spot(text: str, at: int, key_at: int | None = None) -> tuple[_Spot, int]:
    """The value at ``at`` (no white space before it) and the offset just after it."""
    import json

    decoder = json.JSONDecoder()
    children: dict[str | int, _Spot] = {}
    opening = text[at]
    if opening not in "{[":
        return _Spot(at, children, key_at), decoder.raw_decode(text, at)[1]
    closing = "}" if opening == "{" else "]"
    i = _skip(text, at + 1)
    index = 0
    while text[i] != closing:
        if opening == "{":
            name_at = i
            name, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
            i = _skip(text, i) + 1  # the ':'
            child, i = _json_spot(text, _skip(text, i), name_at)
            children[name] = child
        else:
            child, i = _json_spot(text, i)
            children[index] = child
            index += 1
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return _Spot(at, children, key_at), i + 1


def _skip(text: str, at: int) -> int:
    return re.compile(_SPACE).match(text, at).end()  # type: ignore[union-attr]


def _line_col(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------- TOML

_HEADER = r"(?m)^[ \t]*\[\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]\]"
_TABLE = r"(?m)^[ \t]*\[[ \t]*([A-Za-z0-9_.-]+)[ \t]*\][ \t]*(?:#.*)?$"
_KEY = r"(?m)^[ \t]*(\"?)([A-Za-z0-9_-]+)\1[ \t]*=[ \t]*"


def toml_locator(text: str) -> Locate:
    """Positions read from the TOML text's lines: keys, ``[[array]]`` headers, inline arrays' items."""

    def locate(steps: tuple[str | int, ...], key: bool) -> Position | None:
        first, rest = steps[0], steps[1:]
        if not isinstance(first, str):
            return None
        start, end = 0, _first_table(text)
        if rest and isinstance(rest[0], int):
            headers = [m for m in re.compile(_HEADER).finditer(text) if m.group(1) == first]
            if rest[0] < len(headers):  # [[first]] tables: the n-th header, then its keys
                header = headers[rest[0]]
                if len(rest) == 1:
                    return _line_col(text, header.start(1) - 2)
                start, end = header.end(), _next_table(text, header.end())
                return _key_in(text, str(rest[1]), start, end, key)
        found = _key_match(text, first, start, end)
        if found is None:
            return None
        if not rest or not isinstance(rest[0], int):
            return _line_col(text, found.start(2) if key else found.end())
        item = _array_item(text, found.end(), rest[0])
        return None if item is None else _line_col(text, item)

    return locate


def _first_table(text: str) -> int:
    starts = [m.start() for m in (*re.compile(_HEADER).finditer(text), *re.compile(_TABLE).finditer(text))]
    return min(starts, default=len(text))


def _next_table(text: str, after: int) -> int:
    starts = [
        m.start()
        for m in (*re.compile(_HEADER).finditer(text, after), *re.compile(_TABLE).finditer(text, after))
    ]
    return min(starts, default=len(text))


def _key_match(text: str, name: str, start: int, end: int) -> re.Match[str] | None:
    return next((m for m in re.compile(_KEY).finditer(text, start, end) if m.group(2) == name), None)


def _key_in(text: str, name: str, start: int, end: int, key: bool) -> Position | None:
    found = _key_match(text, name, start, end)
    return None if found is None else _line_col(text, found.start(2) if key else found.end())


def _array_item(text: str, at: int, index: int) -> int | None:
    """The offset of the ``index``-th item of the inline array that starts at ``at`` (``[a, "b", c]``)."""
    if at >= len(text) or text[at] != "[":
        return None
    depth, count, quote, i = 0, 0, "", at
    expecting = True
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\" and quote == '"':
                i += 2
                continue
            if char == quote:
                quote = ""
        elif char in "\"'":
            if depth == 1 and expecting:
                if count == index:
                    return i
                count, expecting = count + 1, False
            quote = char
        elif char in "[{":
            depth += 1
            if depth == 2 and expecting:
                if count == index:
                    return i
                count, expecting = count + 1, False
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return None
        elif char == "," and depth == 1:
            expecting = True
        elif char == "#":
            i = text.find("\n", i)
            if i < 0:
                return None
            continue
        elif not char.isspace() and depth == 1 and expecting:
            if count == index:
                return i
            count, expecting = count + 1, False
        i += 1
    return None
