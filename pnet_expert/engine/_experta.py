"""The one place that imports experta, after making it importable on Python 3.10+.

Why this module exists:

* experta 1.9.4 (its last release) pins ``frozendict==1.2``, and frozendict 1.2
  subclasses ``collections.Mapping``, an alias that Python 3.10 removed (it lives
  in ``collections.abc`` since 3.3). We keep experta's own pins, so that
  ``pip install`` resolves and ``pip check`` is clean, and restore the one alias
  frozendict needs *before* experta is imported. Restoring an alias that points
  at the very same ``collections.abc`` class changes nothing for other code.
* experta's ``__init__`` swallows ``ImportError``; we import from its submodules
  so that a real import failure is reported as itself.
* Importing experta calls ``logging.basicConfig()``, which would install a root
  handler inside any program that embeds us; we undo that if it was experta's.
* experta's match-logging calls sit on the hottest path of the Rete network; the
  watchers stay off, and the per-check logger calls are replaced by no-ops.
"""

from __future__ import annotations

import collections
import collections.abc
import logging
from typing import Any

for _alias in ("Mapping", "MutableMapping", "Sequence", "Set", "Callable", "Hashable", "Iterable"):
    if not hasattr(collections, _alias):
        setattr(collections, _alias, getattr(collections.abc, _alias))

_root = logging.getLogger()
_handlers_before = list(_root.handlers)

from experta.abstract import Strategy  # noqa: E402
from experta.agenda import Agenda  # noqa: E402
from experta.conditionalelement import AND, NOT, TEST  # noqa: E402
from experta.engine import KnowledgeEngine  # noqa: E402
from experta.fact import Fact, InitialFact  # noqa: E402
from experta.factlist import FactList  # noqa: E402
from experta.fieldconstraint import L, P, W  # noqa: E402
from experta.matchers.rete import ReteMatcher  # noqa: E402
from experta.matchers.rete import check as _rete_check  # noqa: E402
from experta.matchers.rete import nodes as _rete_nodes  # noqa: E402
from experta.matchers.rete.check import FactCapture, FeatureCheck, TypeCheck  # noqa: E402
from experta.matchers.rete.mixins import ChildNode  # noqa: E402
from experta.matchers.rete.nodes import (  # noqa: E402
    BusNode,
    ConflictSetNode,
    FeatureTesterNode,
    NotNode,
    OrdinaryMatchNode,
    WhereNode,
)
from experta.matchers.rete.token import Token  # noqa: E402
from experta.matchers.rete.utils import prepare_rule  # noqa: E402
from experta.rule import Rule  # noqa: E402
from experta.shortcuts import AS, MATCH  # noqa: E402

for _handler in list(_root.handlers):
    if _handler not in _handlers_before:
        _root.removeHandler(_handler)


class _SilentLogger:
    """Stands in for experta's MATCH/MATCHER loggers, which are called once per check."""

    def info(self, *args: Any, **kwargs: Any) -> None:
        """Drop the message: the watchers are off in pnet_expert."""

    debug = info


_rete_check.MATCH = _SilentLogger()
_rete_nodes.MATCH = _SilentLogger()
_rete_nodes.MATCHER = _SilentLogger()

__all__ = [
    "AND",
    "AS",
    "MATCH",
    "NOT",
    "TEST",
    "Agenda",
    "BusNode",
    "ChildNode",
    "ConflictSetNode",
    "Fact",
    "FactCapture",
    "FactList",
    "FeatureCheck",
    "FeatureTesterNode",
    "InitialFact",
    "KnowledgeEngine",
    "L",
    "NotNode",
    "OrdinaryMatchNode",
    "P",
    "ReteMatcher",
    "Rule",
    "Strategy",
    "Token",
    "TypeCheck",
    "W",
    "WhereNode",
    "prepare_rule",
]
