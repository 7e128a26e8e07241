"""pnet_expert: the treatment options of one NCI PDQ patient summary, explained.

A forward-chaining expert system (experta) over a knowledge base kept as data
in ``knowledge_base/``. It offers options, never advice.
"""

from ._version import __version__
from .api import recommend
from .case import Patient, Tumor
from .errors import CaseError, InputError, KnowledgeBaseError, PnetError
from .explain.consultation import Consultation
from .knowledge.loader import load_knowledge_base
from .knowledge.schema import KnowledgeBase

__all__ = [
    "CaseError",
    "Consultation",
    "InputError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Patient",
    "PnetError",
    "Tumor",
    "__version__",
    "load_knowledge_base",
    "recommend",
]
