"""pnet_expert: the treatment options of one NCI PDQ patient summary, explained.

A forward-chaining expert system (experta) over a knowledge base kept as data
in ``knowledge_base/``. It offers options, never advice.

The public names are imported when first used (PEP 562), not with the package:
``pnet-expert --help`` or ``pnet-expert batch`` should not pay for the engine,
the explanations and the knowledge base loader before they need them, and
``import pnet_expert.cli`` imports this package first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pnet_expert._version import __version__
from pnet_expert.core import defaults as _defaults

if TYPE_CHECKING:
    from pnet_expert.core.case import Patient, Record, Tumor
    from pnet_expert.core.errors import CaseError, InputError, KnowledgeBaseError, PnetError
    from pnet_expert.core.schema import KnowledgeBase
    from pnet_expert.explain.consultation import Consultation
    from pnet_expert.explain.recommend import recommend
    from pnet_expert.knowledge.loader import load_knowledge_base

_WHERE = {
    "CaseError": ".core.errors",
    "Consultation": ".explain.consultation",
    "InputError": ".core.errors",
    "KnowledgeBase": ".core.schema",
    "KnowledgeBaseError": ".core.errors",
    "Patient": ".core.case",
    "PnetError": ".core.errors",
    "Record": ".core.case",
    "Tumor": ".core.case",
    "load_knowledge_base": ".knowledge.loader",
    "recommend": ".api",
}

__all__ = [
    "CaseError",
    "Consultation",
    "InputError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Patient",
    "PnetError",
    "Record",
    "Tumor",
    "__version__",
    "load_knowledge_base",
    "recommend",
]


def _bundled_knowledge_base() -> KnowledgeBase:
    """The bundled knowledge base, loaded once per process (the loader imported on first use)."""
    loader = importlib.import_module(".knowledge.loader", __name__)
    kb: KnowledgeBase = loader.load_knowledge_base()
    return kb


# The core asks for the default knowledge base through this hook: it cannot import the loader.
_defaults.provide(_bundled_knowledge_base)


def __getattr__(name: str) -> Any:
    """Import a public name on first use, and keep it as a module attribute."""
    module = _WHERE.get(name)
    if module is None:
        message = f"module 'pnet_expert' has no attribute {name!r}"
        raise AttributeError(message)
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
