"""experta's Rete matcher, tuned: the same network and the same matches, less work per case.

``PnetMatcher`` subclasses experta's ``ReteMatcher`` and is the engine class's
``__matcher__``. experta builds the network exactly as usual (alpha part, beta
part, one conflict-set node per rule); :meth:`PnetMatcher.tune` then walks it
once and changes how it is *driven*, never what it matches. Each change, with
what it saved (instructions per ``run()``, measured with cachegrind on the
benchmark's cases, see the README's "Performance" section):

* **Only the conflict-set nodes that received tokens are polled.** experta's
  ``changes()`` asks every conflict-set node of the network for new
  activations on every cycle of ``run()``: 57 nodes x ~9 cycles per case, almost
  all of them empty.
* **Reset wipes only the nodes that have a memory**, from a list made once;
  experta's reset recurses through the whole network and visits a shared node
  once per path to it (534 visits per reset, for about 100 memories).
* **Nodes do not copy the tokens they receive.** experta copies a token (and
  validates the copy) on entry to every node, in case the node changes it; only
  a feature-tester node that adds a binding changes a token, and here it makes
  a new token instead. The node classes are experta's, subclassed
  (``__class__`` is switched in place), and experta's debug logging, called on
  every activation even when off, is left out.
* **Facts go straight to the alpha branch of their class**: the bus node
  dispatches on ``type(fact)`` instead of running one type test per fact class.
* **Field tests read the field directly**: a test ``field == literal`` or
  ``predicate(field)`` becomes a small closure, instead of experta's generic
  check (which parses the field name for nested access on every call). Facts
  with declared fields (defaults) keep experta's generic check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ._experta import (
    BusNode,
    ChildNode,
    ConflictSetNode,
    FactCapture,
    FeatureCheck,
    FeatureTesterNode,
    L,
    NotNode,
    OrdinaryMatchNode,
    P,
    ReteMatcher,
    Token,
    TypeCheck,
    WhereNode,
)

_VALID = Token.TagType.VALID
_INVALID = Token.TagType.INVALID
_MISSING = object()


def _token(tag: Any, data: Any, context: dict[Any, Any]) -> Any:
    """A Token, without experta's per-token validation (the network only builds well-formed ones)."""
    return tuple.__new__(Token, (tag, data, context))


class _Bus(BusNode):
    """The root: sends a fact's token to the alpha branch of its class only."""

    by_type: dict[type, tuple[Callable[[Any], None], ...]]
    untyped: tuple[Callable[[Any], None], ...]

    def add(self, fact: Any) -> None:
        token = _token(_VALID, {fact}, {})
        for callback in self.by_type.get(type(fact), ()):
            callback(token)
        for callback in self.untyped:
            callback(token)

    def remove(self, fact: Any) -> None:
        token = _token(_INVALID, {fact}, {})
        for callback in self.by_type.get(type(fact), ()):
            callback(token)
        for callback in self.untyped:
            callback(token)


class _FeatureTester(FeatureTesterNode):
    """A one-input test on the token's one fact; passes the same token on, or a new one with its binding."""

    test: Callable[[Any], Any]

    def activate(self, token: Any) -> None:
        (fact,) = token.data  # an alpha token holds exactly one fact
        match = self.test(fact)
        if not match:
            return
        if match is not True:  # a mapping of bindings, checked against the context as experta does
            context = token.context
            for key, value in match.items():
                if isinstance(key, tuple):  # a negated binding
                    if key[1] in context and context[key[1]] == value:
                        return
                else:
                    if context.get(key, value) != value:
                        return
                    if (False, key) in context and context[(False, key)] == value:
                        return
            token = _token(token.tag, token.data, {**context, **match})
        for child in self.children:
            child.callback(token)


class _Join(OrdinaryMatchNode):
    """experta's two-input join, without the token copies and the per-pair logging."""

    def activate_left(self, token: Any) -> None:
        self._join(token, self.left_memory, self.right_memory, True)

    def activate_right(self, token: Any) -> None:
        self._join(token, self.right_memory, self.left_memory, False)

    def _join(self, token: Any, own: list[Any], other: list[Any], is_left: bool) -> None:
        info = token.to_info()
        if token.tag is _VALID:
            own.append(info)
        else:
            with contextlib.suppress(ValueError):
                own.remove(info)
        context = token.context
        matcher = self.matcher
        for other_data, frozen_context in other:
            other_context = dict(frozen_context)
            if matcher(context, other_context) if is_left else matcher(other_context, context):
                joined = {k: v for k, v in context.items() if isinstance(k, str)}
                for k, v in other_context.items():
                    if not isinstance(k, tuple):  # negated bindings are not needed further down
                        joined[k] = v
                new = _token(token.tag, token.data | other_data, joined)
                for child in self.children:
                    child.callback(new)


class _Not(NotNode):
    """experta's NOT node, without the token copies (it never changes a token)."""

    def activate_left(self, token: Any) -> None:
        self._activate_left(token)

    def activate_right(self, token: Any) -> None:
        self._activate_right(token)


class _Where(WhereNode):
    """experta's TEST node, without the token copy (it never changes a token)."""

    def activate(self, token: Any) -> None:
        self._activate(token)


class _ConflictSet(ConflictSetNode):
    """A conflict-set node that tells its matcher when it has news (and does not copy tokens)."""

    dirty: dict[Any, None]

    def activate(self, token: Any) -> None:
        self.dirty[self] = None
        self._activate(token)


_LEAN: dict[type, type] = {
    BusNode: _Bus,
    FeatureTesterNode: _FeatureTester,
    OrdinaryMatchNode: _Join,
    NotNode: _Not,
    WhereNode: _Where,
    ConflictSetNode: _ConflictSet,
}


def _fast_test(check: Any, plain_facts: bool) -> Callable[[Any], Any]:
    """A closure equivalent to one of experta's alpha checks on a fact."""
    if isinstance(check, TypeCheck):
        fact_type = check.fact_type
        return lambda fact: type(fact) is fact_type
    if isinstance(check, FactCapture):
        bind = check.bind
        return lambda fact: {bind: fact}
    simple = isinstance(check, FeatureCheck) and isinstance(check.what, str) and "__" not in check.what
    if not (simple and plain_facts):
        return check
    what, how = check.what, check.how
    if isinstance(how, L) and how.__bind__ is None:
        literal = how.value

        def literal_test(fact: Any) -> bool:
            value = fact.get(what, _MISSING)
            return value is not _MISSING and literal == value

        return literal_test
    if isinstance(how, P) and how.__bind__ is None:
        predicate = how.match

        def predicate_test(fact: Any) -> bool:
            value = fact.get(what, _MISSING)
            return value is not _MISSING and bool(predicate(value))

        return predicate_test
    generic, expected = check.check, check.expected

    def field_test(fact: Any) -> Any:
        value = fact.get(what, _MISSING)
        return value is not _MISSING and generic(value, expected)

    return field_test


class PnetMatcher(ReteMatcher):
    """experta's Rete matcher, driven with less work: see the module's docstring."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)  # builds the network, exactly as experta does
        self.dirty: dict[Any, None] = {}
        self.memories: list[Any] = []
        self.tune()

    def _nodes(self) -> list[Any]:
        """Every node of the network, once each."""
        seen: dict[int, Any] = {}
        stack = [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) not in seen:
                seen[id(node)] = node
                stack.extend(child.node for child in node.children)
        return list(seen.values())

    def tune(self) -> None:
        """Switch every node to its lean class, rebind the callbacks, list memories and type branches."""
        nodes = self._nodes()
        fact_types = {
            n.matcher.fact_type
            for n in nodes
            if isinstance(n, FeatureTesterNode) and isinstance(n.matcher, TypeCheck)
        }
        plain_facts = not any(getattr(t, "__fields__", None) for t in fact_types)
        for node in nodes:
            if isinstance(node, (ConflictSetNode, OrdinaryMatchNode, NotNode)):
                self.memories.append(node)
            lean = _LEAN.get(type(node))
            if lean is None:
                continue
            node.__class__ = lean
            if lean is _FeatureTester:
                node.test = _fast_test(node.matcher, plain_facts)
            elif lean is _ConflictSet:
                node.dirty = self.dirty
        for node in nodes:
            node.children[:] = [
                ChildNode(c.node, getattr(c.node, c.callback.__name__)) for c in node.children
            ]
        root = self.root_node
        by_type: dict[type, list[Callable[[Any], None]]] = {}
        untyped: list[Callable[[Any], None]] = []
        for child in root.children:
            node = child.node
            if isinstance(node, FeatureTesterNode) and isinstance(node.matcher, TypeCheck):
                by_type.setdefault(node.matcher.fact_type, []).extend(c.callback for c in node.children)
            else:
                untyped.append(child.callback)
        root.by_type = {t: tuple(callbacks) for t, callbacks in by_type.items()}
        root.untyped = tuple(untyped)

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list[Any], list[Any]]:
        """Propagate the fact-list changes; collect activations from the nodes that received tokens."""
        root = self.root_node
        if deleting:
            for fact in deleting:
                root.remove(fact)
        if adding:
            for fact in adding:
                root.add(fact)
        added: list[Any] = []
        removed: list[Any] = []
        if self.dirty:
            for node in self.dirty:
                added.extend(node.added)
                removed.extend(node.removed)
                node.added = set()
                node.removed = set()
            self.dirty.clear()
        return added, removed

    def reset(self) -> None:
        """Wipe every memory of the network (and any activation not yet collected)."""
        for node in self.memories:
            node._reset()
        for node in self.dirty:
            node.added = set()
            node.removed = set()
        self.dirty.clear()
