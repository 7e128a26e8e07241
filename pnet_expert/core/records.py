"""A record of a records fact (one tumor): the values of its known fields, as data.

Records are values inside a case. The fields a record may have, which of them
are required and the values each allows are declared in the knowledge base
(``kind: records`` in facts.yaml), and nothing here names a field: validation
(:func:`pnet_expert.core.values.check_fact`) builds each record from those
specs, so that a field added to facts.yaml needs no change in Python.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs


@attrs.frozen(order=True, repr=False)
class Record:
    """One record: the values of its known fields, in the order its fact spec declares the fields.

    ``known`` holds ``(field, value)`` for each known field; an unknown optional
    field is left out. Validation always lists the fields in the spec's order,
    so equal records compare, hash and sort alike whoever built them.
    ``field_ids`` names every field the spec declares, known or not: reading an
    unknown one (``record.size``) gives None, reading a name that is no field is
    an AttributeError. It takes no part in equality.
    """

    known: tuple[tuple[str, str], ...]
    field_ids: tuple[str, ...] = attrs.field(default=(), eq=False, order=False)

    def get(self, field: str) -> str | None:
        """A field's value by its id; None when it is unknown."""
        for name, value in self.known:
            if name == field:
                return value
        return None

    def __getattr__(self, name: str) -> str | None:
        """A field's value as an attribute (``record.site``); None when the field is unknown."""
        if name.startswith("_") or name in ("known", "field_ids"):  # not set yet (unpickling)
            raise AttributeError(name)
        if name in self.field_ids or any(n == name for n, _ in self.known):
            return self.get(name)
        raise AttributeError(name)

    def to_dict(self) -> dict[str, str]:
        """The record as case-file data: its known fields, in the spec's order."""
        return dict(self.known)

    def without(self, field: str) -> Record:
        """The same record with one field unknown."""
        return Record(tuple(item for item in self.known if item[0] != field), self.field_ids)

    def __repr__(self) -> str:
        return "Record(" + ", ".join(f"{name}={value!r}" for name, value in self.known) + ")"


RESERVED_FIELD_IDS = frozenset(
    {"fact", "index", "name", *(name for name in dir(Record) if not name.startswith("_"))}
)
"""Ids a record field may not have: the engine's record facts hold ``fact`` and
``index`` beside the fields, its findings ``name`` beside the fields they carry,
and a record's own attributes (``get``, ``known``, ...) would hide the field."""


_TUMOR_FIELDS = ("site", "size")


class _TumorType(type):
    """Makes ``Tumor(...)`` build a :class:`Record`, and ``isinstance(x, Tumor)`` hold for any record."""

    def __call__(cls, site: str, size: str | None = None) -> Record:
        known = (("site", site),) if size is None else (("site", site), ("size", size))
        return Record(known, _TUMOR_FIELDS)

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, Record)


class Tumor(metaclass=_TumorType):
    """A tumor of the bundled knowledge base, as earlier versions made one: ``Tumor("head", "small")``.

    Kept for existing users (``pnet_expert.Tumor``); nothing in pnet_expert
    uses it, and it alone knows the bundled ``tumors`` fact's field ids.
    ``Tumor(site, size=None)`` returns a :class:`Record` equal to the one that
    validating ``{"site": site, "size": size}`` against the bundled knowledge
    base gives, and ``isinstance(record, Tumor)`` holds for every record.

    Why not a class of its own: a subclass of Record would compare unequal to
    the records validation builds (attrs equality compares the class), and a
    plain alias ``Tumor = Record`` could not take the site and size by
    position, since a record's fields come from the knowledge base, not from
    Python. So there is one record type, and this name makes records the old way.
    """


FactValue: TypeAlias = bool | str | tuple[str, ...] | tuple[Record, ...]
"""A known fact's value: true/false, a choice, a set (a tuple of values) or records."""
