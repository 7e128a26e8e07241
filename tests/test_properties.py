"""Properties over generated cases: order does not matter, unknown never fires, every option is explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from helpers import SOURCE_TEXT, fold
from helpers.strategies import seeded_cases, valid_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from pnet_expert import Patient, load_knowledge_base, recommend
from pnet_expert.core.logic import Evaluator, Truth

KB = load_knowledge_base()
SOURCE = fold(SOURCE_TEXT.read_text())


def outcome(case: dict[str, Any]) -> tuple[Any, ...]:
    """What a consultation concludes, tumor lists sorted (their order is the user's, not the system's)."""
    d = recommend(case).to_dict()

    def norm(facts: dict[str, Any]) -> dict[str, Any]:
        return {k: sorted(v, key=json.dumps) if k == "tumors" else v for k, v in facts.items()}

    treatments = [
        (t["id"], t["strength"], t["qualifiers"], [(b["rule"], norm(b["facts"])) for b in t["because"]])
        for t in d["treatments"]
    ]
    return (treatments, d["fired_rules"], d["gaps"])


@pytest.mark.slow
@given(valid_cases(), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_order_of_tumors_and_spread_does_not_matter(case: dict[str, Any], rnd: Any) -> None:
    """Shuffling the tumors, the spread sites and the keys gives the same options, reasons and gaps."""
    shuffled = dict(case)
    for key in ("tumors", "spread"):
        if key in shuffled:
            shuffled[key] = rnd.sample(shuffled[key], len(shuffled[key]))
    keys = list(shuffled)
    rnd.shuffle(keys)
    shuffled = {k: shuffled[k] for k in keys}
    assert outcome(shuffled) == outcome(case)


@pytest.mark.slow
@given(valid_cases(), st.data())
@settings(max_examples=150, deadline=None)
def test_removing_a_fact_never_adds_an_option(case: dict[str, Any], data: st.DataObject) -> None:
    """Unknown is not false: forgetting a fact never makes a rule fire, nor adds an option."""
    removable = [k for k in case if k != "tumor_type"]
    if not removable:
        return
    fact = data.draw(st.sampled_from(removable))
    smaller = {k: v for k, v in case.items() if k != fact}
    before, after = recommend(case), recommend(smaller)
    assert set(after.fired_rules) <= set(before.fired_rules)
    assert {o.id for o in after.treatments} <= {o.id for o in before.treatments}


@given(valid_cases())
@settings(max_examples=150, deadline=None)
def test_reasons_rest_on_known_facts_only(case: dict[str, Any]) -> None:
    """Every fact a reason rests on was stated in the case, with that value."""
    consultation = recommend(case)
    stated = consultation.patient.to_dict()
    for option in consultation.treatments:
        for reason in option.because:
            for name, value in reason.facts.items():
                assert name in stated
                if isinstance(value, list):
                    assert all(v in stated[name] for v in value)
                else:
                    assert stated[name] == value


@given(valid_cases())
@settings(max_examples=150, deadline=None)
def test_every_option_is_explained_in_the_sources_words(case: dict[str, Any]) -> None:
    """Every option has a reason; every reason is a fired rule that offers it, with its verbatim quote."""
    consultation = recommend(case)
    for option in consultation.treatments:
        assert option.because
        for reason in option.because:
            rule = KB.rules[reason.rule]
            assert reason.rule in consultation.fired_rules
            assert rule.offers_treatment(option.id) is not None
            assert reason.quote == rule.quote
            assert fold(reason.quote) in SOURCE


@pytest.mark.slow
@given(valid_cases())
@settings(max_examples=200, deadline=None)
def test_engine_agrees_with_three_valued_logic(case: dict[str, Any]) -> None:
    """A rule fires in experta exactly when the three-valued evaluation of its conditions is TRUE."""
    consultation = recommend(case)
    evaluator = Evaluator(KB, Patient.from_dict(case))
    for rule in KB.rules.values():
        truth, _ = evaluator.all(KB.conditions_of(rule))
        assert (truth is Truth.TRUE) == (rule.id in consultation.fired_rules), rule.id


@given(valid_cases())
@settings(max_examples=100, deadline=None)
def test_deterministic_and_plain_json(case: dict[str, Any]) -> None:
    """The same case gives the same JSON, twice; and it is plain JSON."""
    first = recommend(case).to_dict()
    assert recommend(case).to_dict() == first
    assert json.loads(json.dumps(first)) == first


@pytest.mark.slow
def test_threads_give_the_same_results() -> None:
    """recommend is safe to call from several threads: each result equals the sequential one."""
    cases = seeded_cases(60, seed=11)
    expected = [recommend(c).to_dict() for c in cases]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda c: recommend(c).to_dict(), cases * 3))
    assert got == expected * 3


@pytest.mark.slow
def test_same_output_in_every_process() -> None:
    """Results never depend on hash seeds (firing order among equal keys varies between processes)."""
    script = (
        "import json, sys\n"
        "from pnet_expert import recommend\n"
        "cases = json.loads(sys.stdin.read())\n"
        "print(json.dumps([recommend(c).to_dict() for c in cases]))\n"
    )
    cases = [
        {
            "tumor_type": "gastrinoma",
            "tumors": [{"site": "head"}, {"site": "duodenum"}, {"site": "duodenum"}],
            "spread": ["liver", "distant", "lymph_nodes"],
            "liver_dominant": True,
            "severe_symptoms": True,
            "refractory": True,
            "recurrent": True,
            "progressing": True,
            "acid_symptoms": True,
        },
        {"tumor_type": "vipoma", "spread": ["liver"], "resectable": False, "progressing": True},
    ]
    outputs = set()
    for seed in ("0", "1", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
