"""attrs objects to plain JSON data and back, driven by their fields' type hints: data, never code.

The knowledge-base cache stores a :class:`~pnet_expert.core.schema.KnowledgeBase`
as JSON, not as a pickle: reading a pickle runs whatever code it names, so a
planted entry would run as the next user. This module turns any attrs object
into plain data (each object a JSON object with its class's name under ``"$"``
and its fields by name) and back, following the type hints of the fields the
class declares: a value read back must have exactly the type its field
declares (a ``str`` is a ``str``, a ``tuple[Offer, ...]`` a list of ``Offer``
objects, a union of classes one of those classes by its ``"$"``), and only
classes those hints name can be made. Nothing is looked up by a name the data
gives, and nothing is executed.

It is generic: a spec class added to the schema (cautions, readings, ...) is
stored and read back with no code here, as long as its fields use what the
schema already uses: ``str``, ``int``, ``bool``, ``None``, ``Literal``,
unions, ``tuple[X, ...]``, fixed tuples, ``Mapping[str, X]`` and attrs
classes. Fields with ``init=False`` (worked out by the class) are left out.

Why not cattrs: it would be a new dependency for about a hundred lines, and its
union handling needs configuring per union (``bool | str``, the conditions)
where the ``"$"`` tag here covers every union of classes the same way.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs

TAG = "$"
"""The key that names an object's class in its data."""

Decoder = Callable[[Any], Any]


class NotTheData(ValueError):
    """The data is not what the type hints say it should be (a cache entry that is not one)."""


def to_data(value: Any) -> Any:
    """An attrs object (or a value inside one) as plain JSON data."""
    if attrs.has(type(value)):
        out: dict[str, Any] = {TAG: type(value).__name__}
        for field in attrs.fields(type(value)):
            if field.init:
                out[field.name] = to_data(getattr(value, field.name))
        return out
    if isinstance(value, tuple | list):
        return [to_data(item) for item in value]
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            message = "only mappings with text keys are stored"
            raise TypeError(message)
        return {key: to_data(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float):
        return value
    message = f"cannot store a {type(value).__name__}"
    raise TypeError(message)


def from_data(kind: Any, data: Any) -> Any:
    """Data made by :func:`to_data` back into a value of type ``kind`` (a class or a type hint).

    Raises :class:`NotTheData` when the data does not fit the type hints.
    """
    return _decoder(kind)(data)


def _fail(expected: str, data: Any) -> typing.NoReturn:
    message = f"expected {expected}, got {type(data).__name__}"
    raise NotTheData(message)


@functools.cache
def _decoder(kind: Any) -> Decoder:
    """A function that reads data of one type, made once per type."""
    if kind is Any:
        return lambda data: data
    if kind is type(None) or kind is None:
        return _exact(type(None))
    if kind in (str, int, bool):
        return _exact(kind)
    if kind is float:
        return _number
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is typing.Literal:
        return _literal(args)
    if origin is typing.Union or origin is types.UnionType:
        return _union(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(_decoder(args[0]))
        return _fixed(tuple(_decoder(a) for a in args))
    if origin in (Mapping, dict):
        return _mapping(_decoder(args[1]) if args else _decoder(Any))
    if isinstance(kind, type) and attrs.has(kind):
        return _object(kind)
    message = f"no way to read {kind!r} back from data"
    raise TypeError(message)


def _exact(kind: type) -> Decoder:
    def read(data: Any) -> Any:
        if type(data) is not kind:
            _fail(kind.__name__, data)
        return data

    return read


def _number(data: Any) -> float:
    if type(data) not in (int, float):
        _fail("a number", data)
    return float(data)


def _literal(values: tuple[Any, ...]) -> Decoder:
    def read(data: Any) -> Any:
        if not any(type(data) is type(v) and data == v for v in values):
            _fail(f"one of {values!r}", data)
        return data

    return read


def _union(members: tuple[Any, ...]) -> Decoder:
    classes = {m.__name__: m for m in members if isinstance(m, type) and attrs.has(m)}
    others = [m for m in members if m not in classes.values()]

    def read(data: Any) -> Any:
        if isinstance(data, dict) and TAG in data and data[TAG] in classes:
            return _decoder(classes[data[TAG]])(data)
        for member in others:
            try:
                return _decoder(member)(data)
            except NotTheData:
                continue
        _fail(" or ".join(getattr(m, "__name__", repr(m)) for m in members), data)

    return read


def _sequence(item: Decoder) -> Decoder:
    def read(data: Any) -> Any:
        if type(data) is not list:
            _fail("a list", data)
        return tuple(item(x) for x in data)

    return read


def _fixed(items: tuple[Decoder, ...]) -> Decoder:
    def read(data: Any) -> Any:
        if type(data) is not list or len(data) != len(items):
            _fail(f"a list of {len(items)}", data)
        return tuple(read_item(x) for read_item, x in zip(items, data, strict=True))

    return read


def _mapping(value: Decoder) -> Decoder:
    def read(data: Any) -> Any:
        if type(data) is not dict:
            _fail("a mapping", data)
        return {key: value(item) for key, item in data.items()}

    return read


def _object(cls: type) -> Decoder:
    fields: list[tuple[str, str, Decoder]] = []
    names: set[str] = set()

    def read(data: Any) -> Any:
        if not fields:  # made on first use: a field's type may be a class whose decoder is being made
            hints = typing.get_type_hints(cls)
            fields.extend((f.name, f.alias, _decoder(hints[f.name])) for f in attrs.fields(cls) if f.init)
            names.update(name for name, _, _ in fields)
        if type(data) is not dict or data.get(TAG) != cls.__name__:
            _fail(f"a {cls.__name__}", data)
        if len(data) != len(names) + 1 or not names <= data.keys():
            _fail(f"the fields of {cls.__name__}", data)
        try:
            return cls(**{alias: decode(data[name]) for name, alias, decode in fields})
        except (TypeError, ValueError) as exc:  # a validator refused a value
            message = f"{cls.__name__}: {exc}"
            raise NotTheData(message) from None

    return read
