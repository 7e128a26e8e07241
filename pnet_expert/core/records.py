"""A record of a records fact (a tumor): the values of its fields, as data.

Records are values inside a case; the fields a record may have, and their
allowed values, are declared in the knowledge base's fact specs.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs


@attrs.frozen
class Tumor:
    """One tumor that was found: where it is and, when known, whether it is small or large."""

    site: str
    size: str | None = None

    def to_dict(self) -> dict[str, str]:
        """The tumor as case-file data; an unknown size is left out."""
        return {"site": self.site} if self.size is None else {"site": self.site, "size": self.size}

    def get(self, field: str) -> str | None:
        """A field by name (``site`` or ``size``); None when unknown."""
        value = getattr(self, field, None)
        return value if isinstance(value, str) else None


FactValue: TypeAlias = bool | str | tuple[str, ...] | tuple[Tumor, ...]
"""A known fact's value: true/false, a choice, a set (a tuple of values) or records."""
