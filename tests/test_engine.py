"""The engine: built once per knowledge base per process, tuned without changing what fires."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers.strategies import valid_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.core.case import validate_case
from pnet_expert.engine import session
from pnet_expert.engine._experta import NOT, TEST, KnowledgeEngine
from pnet_expert.engine.compiler import CaseFacts, encode, is_module
from pnet_expert.engine.matcher import FocusedReteMatcher
from pnet_expert.engine.session import Firing, compiled

KB = load_knowledge_base()


def _stock_engine(kb: KnowledgeBase) -> Any:
    """The same compiled rules and modules, driven by experta's own Rete matcher and run loop."""
    tuned = compiled(kb).engine_class

    def run(engine: Any) -> None:
        if not engine.focused:
            engine.declare()
        KnowledgeEngine.run(engine)

    return type("Stock", (tuned,), {"__matcher__": FocusedReteMatcher, "run": run})()


STOCK = _stock_engine(KB)


def _firings(engine: Any, kb: KnowledgeBase, case: dict[str, Any]) -> Counter[Firing]:
    patient = validate_case(case, kb)
    engine.reset()
    engine.declare(*encode(kb, patient, compiled(kb).engine_class.count_filters))
    engine.run()
    return Counter(session._read(plan, bound, engine.case_fact) for plan, bound in engine.firings)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cases())
def test_the_tuned_matcher_fires_what_experta_s_own_fires(case: dict[str, Any]) -> None:
    """Every firing, with the facts it bound, is the same under experta's ReteMatcher and ours."""
    ours = Counter(compiled(KB).run(validate_case(case, KB)))
    assert ours == _firings(STOCK, KB, case)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(valid_cases(), min_size=2, max_size=4))
def test_a_reused_engine_forgets_the_previous_case(cases: list[dict[str, Any]]) -> None:
    """reset() leaves nothing behind: each case fires on a reused engine what it fires on a new one."""
    fresh = compiled(KB).engine_class()
    for case in cases:
        patient = validate_case(case, KB)
        alone = fresh.__class__()
        alone.reset()
        alone.declare(*encode(KB, patient, compiled(KB).engine_class.count_filters))
        alone.run()
        expected = Counter(session._read(plan, bound, alone.case_fact) for plan, bound in alone.firings)
        assert Counter(compiled(KB).run(patient)) == expected


def test_no_rule_has_a_test_or_not_pattern() -> None:
    """Every compiled rule is plain patterns: counts are tested on their CountFact, not by TEST and NOT."""

    def kinds(element: Any) -> set[type]:
        found = {type(element)}
        if isinstance(element, tuple):
            for part in element:
                found |= kinds(part)
        return found

    engine_class = compiled(KB).engine_class
    used: dict[bool, set[type]] = {True: set(), False: set()}
    for name, plan in compiled(KB).plans.items():
        used[plan.finding is not None] |= kinds(engine_class.__dict__[name])
    assert not (used[False] | used[True]) & {NOT, TEST}


def test_a_case_focuses_on_the_module_of_its_type() -> None:
    """Each type section is a module; a case's engine matches it against its own type's network only."""
    assert {s.id for s in KB.sections.values() if is_module(s)} == {
        s.id for s in KB.sections.values() if s.kind == "type"
    }
    engine = compiled(KB).engine_class()
    for tumor_type in ("vipoma", "gastrinoma", "vipoma"):
        engine.reset()
        engine.declare(CaseFacts(tumor_type=tumor_type))
        assert engine.matcher.focused == {tumor_type}
    assert set(engine.matcher.networks) == {frozenset({"vipoma"}), frozenset({"gastrinoma"})}
    engine.reset()
    engine.run()  # no case fact at all: no module's condition holds
    assert engine.matcher.focused == frozenset()
    assert engine.firings == []


def test_a_firing_reports_its_section_fact() -> None:
    """A module's condition is tested by the focus, and still shows among the facts a rule rests on."""
    consultation = recommend({"tumor_type": "somatostatinoma"})
    (reason,) = consultation.option("tumor_resection").because  # type: ignore[union-attr]
    assert reason.rule == "SOM-01"
    assert dict(reason.facts) == {"tumor_type": "somatostatinoma"}


def test_the_engine_class_is_built_once_per_knowledge_base(kb_copy: Path) -> None:
    """Many consultations, from several threads, build one engine class for a knowledge base."""
    other = load_knowledge_base(kb_copy)
    before = session.builds
    first = compiled(other)
    errors: list[BaseException] = []

    def consult() -> None:
        try:
            for tumor_type in ("gastrinoma", "insulinoma", "vipoma", "other"):
                recommend({"tumor_type": tumor_type, "spread": ["liver"]}, other)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=consult) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert session.builds - before == 1
    assert compiled(other) is first
    assert compiled(other).engine_class is first.engine_class


def test_another_knowledge_base_gets_its_own_engine(kb_copy: Path) -> None:
    """A second knowledge base object (even of the same files) is compiled once for itself."""
    one, two = load_knowledge_base(kb_copy), load_knowledge_base(kb_copy)
    before = session.builds
    recommend({"tumor_type": "other"}, one)
    recommend({"tumor_type": "other"}, two)
    recommend({"tumor_type": "vipoma"}, one)
    assert session.builds - before == 2
    assert compiled(one) is not compiled(two)


@pytest.mark.slow
def test_a_process_builds_the_bundled_engine_once() -> None:
    """In a fresh process, a thousand consultations build exactly one engine class."""
    script = (
        "from pnet_expert import recommend\n"
        "from pnet_expert.engine import session\n"
        "types = ['gastrinoma', 'insulinoma', 'glucagonoma', 'vipoma', 'somatostatinoma', 'other']\n"
        "for i in range(1000):\n"
        "    recommend({'tumor_type': types[i % 6], 'recurrent': i % 2 == 0}).to_dict()\n"
        "print(session.builds)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
