"""The knowledge base used when a caller names none: provided from above, never imported from here.

The core cannot import the loader (it lies in a higher layer, and a case is
data that needs no files). The front door, ``pnet_expert/__init__.py``, which
runs before any module of the package, provides the bundled knowledge base
here; code that embeds the core without it can provide another, or pass ``kb``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pnet_expert.core.errors import PnetError

if TYPE_CHECKING:
    from pnet_expert.core.schema import KnowledgeBase

_provider: Callable[[], KnowledgeBase] | None = None


def provide(provider: Callable[[], KnowledgeBase]) -> None:
    """Name the function that gives the default knowledge base (called on each use; it may cache)."""
    global _provider
    _provider = provider


def knowledge_base() -> KnowledgeBase:
    """The default knowledge base (the bundled one, once the front door has provided it)."""
    if _provider is None:
        message = "no knowledge base was given and none is provided by default: pass kb="
        raise PnetError(message)
    return _provider()
