"""experta's Rete matcher with CLIPS-like modules, and tuned: the same matches, less work per case.

Two classes, both subclasses of experta's ``ReteMatcher``:

:class:`FocusedReteMatcher` adds modules. Each compiled rule says which module
it belongs to (``rule.module``, None for a rule of every module). Given a focus
(a set of modules, see ``PnetEngine.focus_on``), the matcher builds with
experta's own code, on first use, the network of the rules of those modules
and of every module, and matches the facts against it. One engine instance
keeps one network per focus it has met (six for the bundled knowledge base).

:class:`PnetMatcher` is the engine class's ``__matcher__``: it tunes each
network once, after experta has built it, changing how it is *driven*, never
what it matches. Each change, with the instructions it saved per ``run()``
(cachegrind, the benchmark's cases; the README's "Performance" section has the
table), cumulatively from 6.77 million with experta's matcher:

* **Only the conflict-set nodes that received tokens are polled** (-25%, to
  5.11 M). experta's ``changes()`` asks every conflict-set node of the network
  for new activations on every cycle of ``run()``: 57 nodes x ~9 cycles per
  case, almost all of them empty.
* **Reset wipes only the memories that received tokens** (-19%, to 4.12 M;
  first as a list of the memory nodes, now only those touched since the last
  reset). experta's reset recurses through the whole network and visits a
  shared node once per path to it (534 visits per reset, for ~100 memories).
* **Nodes do not copy the tokens they receive** (-42%, to 2.41 M). experta copies
  a token (and validates the copy) on entry to every node, in case the node
  changes it; only a feature-tester node that adds a binding changes a token,
  and here it makes a new token instead. The node classes are experta's,
  subclassed (``__class__`` is switched in place), and experta's debug logging,
  called on every activation even when off, is left out. Facts go straight to
  the alpha branch of their class: the bus node dispatches on ``type(fact)``
  instead of running one type test per fact class.
* **Field tests read the field directly** (-15%, to 2.04 M): a test
  ``field == literal`` or ``predicate(field)`` becomes a small closure instead
  of experta's generic check, which parses the field name for nested access on
  every call. Facts with declared fields (defaults) keep experta's check.
* **Literal tests of one field share a hashed switch** (-5%): see :class:`_Switch`.

The modules (:class:`FocusedReteMatcher`, with ``PnetEngine``'s focus) saved
another 20%. This module relies on experta 1.9.4's node internals (memories,
children, matchers, conflict-set sets), which ``setup.cfg`` pins;
``tests/test_engine.py`` checks on generated cases that every firing, with the
facts it bound, is the one experta's own matcher and run loop produce.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from pnet_expert.engine._experta import (
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
    prepare_rule,
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


class _Switch(FeatureTesterNode):
    """Several literal tests of one field, side by side under one node, as one dictionary lookup.

    experta tests a fact against each of its siblings in turn (a finding
    against every ``name == ...`` of the network); here the field is read once
    and only the children whose literal equals it get the token. Their own test
    then passes, as it would have. Equality is the same: a dictionary finds a
    key that is ``==`` to the value (facts hold only hashable, frozen values).
    """

    field: str
    table: dict[Any, tuple[Callable[[Any], None], ...]]

    def activate(self, token: Any) -> None:
        (fact,) = token.data
        value = fact.get(self.field, _MISSING)
        if value is _MISSING:
            return
        try:
            callbacks = self.table.get(value, ())
        except TypeError:  # an unhashable value: test every child, as experta would
            callbacks = tuple(child.callback for child in self.children)
        for callback in callbacks:
            callback(token)


class _Join(OrdinaryMatchNode):
    """experta's two-input join, without the token copies and the per-pair logging."""

    touched: dict[Any, None]

    def activate_left(self, token: Any) -> None:
        self.touched[self] = None
        self._join(token, self.left_memory, self.right_memory, True)

    def activate_right(self, token: Any) -> None:
        self.touched[self] = None
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

    touched: dict[Any, None]

    def activate_left(self, token: Any) -> None:
        self.touched[self] = None
        self._activate_left(token)

    def activate_right(self, token: Any) -> None:
        self.touched[self] = None
        self._activate_right(token)


class _Where(WhereNode):
    """experta's TEST node, without the token copy (it never changes a token)."""

    def activate(self, token: Any) -> None:
        self._activate(token)


class _ConflictSet(ConflictSetNode):
    """A conflict-set node that tells its matcher when it has news (and does not copy tokens)."""

    dirty: dict[Any, None]
    touched: dict[Any, None]

    def activate(self, token: Any) -> None:
        self.dirty[self] = None
        self.touched[self] = None
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


class FocusedReteMatcher(ReteMatcher):
    """experta's Rete matcher with modules: one network per focus, built by experta's code on first use.

    With no focus set, the network is empty: ``PnetEngine`` sets the focus at
    the first declaration after each reset, before any fact reaches a network.
    A network is clean whenever it is not the focused one, because the engine
    resets (cleans the focused network) before it moves the focus.
    """

    def __init__(self, engine: Any) -> None:
        self.networks: dict[frozenset[str], Any] = {}
        self.focused: frozenset[str] | None = None
        self._rules: list[Any] | None = None
        self._conflict_sets: dict[int, tuple[Any, tuple[Any, ...]]] = {}
        super().__init__(engine)

    def build_network(self) -> None:
        """No network until a focus is set (experta builds one for all rules here)."""
        self.root_node = BusNode()

    def focus(self, modules: frozenset[str]) -> None:
        """Match against the network of ``modules`` (and of every module) from now on."""
        if modules == self.focused:
            return
        root = self.networks.get(modules)
        if root is None:
            root = self.networks[modules] = self.build_focus(modules)
        self.root_node = root
        self.focused = modules

    def build_focus(self, modules: frozenset[str]) -> Any:
        """Build the network of one focus, with experta's own alpha and beta builders."""
        if self._rules is None:
            self._rules = self.engine.get_rules()
        wanted = {None, *modules}
        ruleset = {prepare_rule(rule) for rule in self._rules if getattr(rule, "module", None) in wanted}
        root = BusNode()
        self.build_beta_part(ruleset, self.build_alpha_part(ruleset, root))
        return root

    def _get_conflict_set_nodes(self) -> tuple[Any, ...]:
        """experta's list of conflict-set nodes, per network (experta caches the first one for good)."""
        root = self.root_node
        known = self._conflict_sets.get(id(root))
        if known is None or known[0] is not root:  # kept with its root: an id is never reused here
            found = tuple(node for node in _nodes(root) if isinstance(node, ConflictSetNode))
            known = self._conflict_sets[id(root)] = (root, found)
        return known[1]


class PnetMatcher(FocusedReteMatcher):
    """experta's Rete matcher with modules, each network driven with less work (module docstring)."""

    def __init__(self, engine: Any) -> None:
        self.dirty: dict[Any, None] = {}
        self.touched: dict[Any, None] = {}
        super().__init__(engine)

    def build_focus(self, modules: frozenset[str]) -> Any:
        """experta's network of one focus, tuned."""
        root = super().build_focus(modules)
        self.tune(root)
        return root

    def tune(self, root: Any) -> None:
        """Switch nodes to their lean classes, rebind the callbacks, dispatch facts by class at the root."""
        nodes = _nodes(root)
        fact_types = {
            n.matcher.fact_type
            for n in nodes
            if isinstance(n, FeatureTesterNode) and isinstance(n.matcher, TypeCheck)
        }
        plain_facts = not any(getattr(t, "__fields__", None) for t in fact_types)
        for node in nodes:
            lean = _LEAN.get(type(node))
            if lean is None:
                continue
            node.__class__ = lean
            if lean is _FeatureTester:
                node.test = _fast_test(node.matcher, plain_facts)
            if lean is _ConflictSet:
                node.dirty = self.dirty
            if lean in (_Join, _Not, _ConflictSet):
                node.touched = self.touched
        for node in nodes:
            node.children[:] = [
                ChildNode(c.node, getattr(c.node, c.callback.__name__)) for c in node.children
            ]
        for node in nodes:
            _switch_literals(node)
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
        """Wipe the memories that received tokens since the last reset, in every network."""
        for node in self.touched:
            node._reset()
        self.touched.clear()
        for node in self.dirty:
            node.added = set()
            node.removed = set()
        self.dirty.clear()


def _literal(node: Any) -> tuple[str, Any] | None:
    """(field, value) when a node is a lean test ``field == literal`` that binds nothing."""
    check = getattr(node, "matcher", None)
    if type(node) is not _FeatureTester or not isinstance(check, FeatureCheck):
        return None
    how = check.how
    if not (isinstance(check.what, str) and "__" not in check.what and isinstance(how, L)):
        return None
    if how.__bind__ is not None or node.test is check:  # a binding, or facts with declared fields
        return None
    return check.what, how.value


def _switch_literals(node: Any) -> None:
    """Put a node's children that test the same field against literals behind one :class:`_Switch`."""
    by_field: dict[str, list[Any]] = {}
    for child in node.children:
        found = _literal(child.node)
        if found is not None:
            by_field.setdefault(found[0], []).append(child)
    for field, children in by_field.items():
        if len(children) < 2:
            continue
        table: dict[Any, list[Callable[[Any], None]]] = {}
        for child in children:
            table.setdefault(child.node.matcher.how.value, []).append(child.callback)
        switch = _Switch(children[0].node.matcher)
        switch.field = field
        switch.table = {value: tuple(callbacks) for value, callbacks in table.items()}
        switch.children.extend(children)
        first = node.children.index(children[0])
        kept = [c for c in node.children if c not in children]
        kept.insert(first, ChildNode(switch, switch.activate))
        node.children[:] = kept


def _nodes(root: Any) -> list[Any]:
    """Every node of a network, once each."""
    seen: dict[int, Any] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(child.node for child in node.children)
    return list(seen.values())
