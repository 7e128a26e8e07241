"""A case: the facts a user gives about one patient, validated.

A :class:`Patient` holds only the facts that are known; a fact that was not
given (or given as null) is unknown, and unknown is not false. Validation is
against a knowledge base's fact specs (the bundled one by default), so the
allowed values live in ``knowledge_base/facts.yaml``, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

if TYPE_CHECKING:
    from pnet_expert.core.schema import KnowledgeBase

META_KEYS = ("id", "title", "description", "notes")
"""Free-text keys a case may carry; they are shown in reports (escaped), never reasoned on."""


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


@attrs.frozen
class Patient:
    """The known facts of one case, in the knowledge base's order, and its free text.

    Build one with :meth:`from_dict` (which validates); read a fact with
    :meth:`get` or as an attribute (``patient.spread``), None when unknown.
    """

    known: tuple[tuple[str, FactValue], ...]
    meta: tuple[tuple[str, str], ...] = ()
    validated_for: str = attrs.field(default="", eq=False, repr=False, kw_only=True)
    """The fingerprint of the knowledge base this case was validated against ("" if none)."""

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], kb: KnowledgeBase | None = None) -> Patient:
        """Validate a case mapping and build a Patient.

        Raises :class:`~pnet_expert.core.errors.CaseError` naming each bad field, its
        value and what is allowed. ``kb`` defaults to the bundled knowledge base.
        """
        from pnet_expert.core.validation import validate_case
        from pnet_expert.knowledge.loader import load_knowledge_base

        return validate_case(mapping, kb or load_knowledge_base())

    @property
    def facts(self) -> dict[str, FactValue]:
        """The known facts as a mapping."""
        return dict(self.known)

    @property
    def tumor_type(self) -> str:
        """The one required fact."""
        value = self.get("tumor_type")
        return value if isinstance(value, str) else ""

    def get(self, fact: str) -> FactValue | None:
        """A fact's value, or None when it is unknown."""
        for name, value in self.known:
            if name == fact:
                return value
        return None

    def is_known(self, fact: str) -> bool:
        """Whether the case states this fact."""
        return any(name == fact for name, _ in self.known)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def to_dict(self) -> dict[str, Any]:
        """The case as plain data (known facts and free text), as a case file holds it."""
        out: dict[str, Any] = dict(self.meta)
        for name, value in self.known:
            if isinstance(value, tuple):
                out[name] = [v.to_dict() if isinstance(v, Tumor) else v for v in value]
            else:
                out[name] = value
        return out

    def fact_dict(self) -> dict[str, Any]:
        """The known facts only, as plain data (no free text)."""
        meta = {key for key, _ in self.meta}
        return {k: v for k, v in self.to_dict().items() if k not in meta}
