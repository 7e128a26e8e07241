"""The compiler and the engine: rules as data become experta rules; unknown facts are never declared."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pnet_expert import KnowledgeBase, Patient, recommend
from pnet_expert.engine.compiler import CaseFacts, CountFact, branches, encode
from pnet_expert.engine.session import compiled
from pnet_expert.engine.strategy import SafeDepthStrategy


def test_any_opens_one_branch_per_option(kb: KnowledgeBase) -> None:
    """A rule's 'any' becomes one experta rule per option (disjunctive normal form)."""
    gas10 = kb.conditions_of(kb.rules["GAS-10"])
    assert len(branches(gas10)) == 2
    assert len(branches(kb.conditions_of(kb.rules["GAS-09"]))) == 1
    plans = compiled(kb).plans
    assert sorted(p.branch for p in plans.values() if p.rule_id == "GAS-10") == [0, 1]


def test_every_rule_and_finding_is_compiled(kb: KnowledgeBase) -> None:
    """The engine class has a rule for every recommendation rule and every finding rule."""
    rule_ids = {p.rule_id for p in compiled(kb).plans.values()}
    assert rule_ids == set(kb.rules) | {f.rule.id for f in kb.findings.values()}


def test_unknown_facts_are_not_declared(kb: KnowledgeBase) -> None:
    """Only known facts enter working memory: an unknown fact has no field, so no pattern can match it
    (a known list of records is there as one count per filter, even of none, which 'exactly: 0' tests)."""
    patient = Patient.from_dict(
        {"tumor_type": "insulinoma", "resectable": None, "tumors": [{"site": "head"}]}
    )
    facts = encode(kb, patient, compiled(kb).engine_class.count_filters)
    case = next(f for f in facts if isinstance(f, CaseFacts))
    assert dict(case.as_dict()) == {"tumor_type": "insulinoma"}
    unknown = encode(
        kb, Patient.from_dict({"tumor_type": "gastrinoma"}), compiled(kb).engine_class.count_filters
    )
    assert not [f for f in unknown if isinstance(f, CountFact)]  # an unknown list: no count at all
    counted = {f["count"]: f.as_dict() for f in facts if isinstance(f, CountFact)}
    filters = {key: where for (_, where), key in compiled(kb).engine_class.count_filters.items()}
    # The one tumor in the head is counted in the pancreas (FND-01, FND-02) and in the whole list
    # (no_tumor_found's "exactly: 0"), not in the duodenum (FND-03).
    found = {filters[key]: count for key, count in counted.items() if count["matched"]}
    assert set(found) == {(("site", ("head", "body", "tail")),), ()}
    assert all(not c["indices"] for c in counted.values() if not c["matched"])
    count = found[(("site", ("head", "body", "tail")),)]
    assert {k: count[k] for k in ("matched", "indices", "first")} == {
        "matched": 1,
        "indices": (0,),
        "first": (("site", "head"),),
    }


def test_counts_cost_one_firing_whatever_the_number_of_records(kb: KnowledgeBase) -> None:
    """Ten tumors in the pancreas: "two or more" fires once (not once per pair), resting on all ten."""
    tumors = [{"site": "body"}] * 10
    patient = Patient.from_dict({"tumor_type": "glucagonoma", "tumors": tumors})
    firings = [f for f in compiled(kb).run(patient) if f.rule_id == "FND-02"]
    assert len(firings) == 1
    assert firings[0].facts == (("tumors", tuple(range(10))),)


def test_a_tumor_without_size_fires_no_size_rule() -> None:
    """INS-01 needs a small tumor: with the size unknown it does not fire, and the finding carries no size."""
    c = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "head"}], "recurrent": True})
    assert "INS-01" not in c.fired_rules
    (single,) = [f for f in c.findings if f.finding == "single_pancreatic_tumor"]
    assert single.attributes == {"site": "head"}


def test_findings_are_derived_and_chained(kb: KnowledgeBase) -> None:
    """Findings are facts that recommendation rules chain on; each is traced to its rule and facts."""
    c = recommend({"tumor_type": "gastrinoma", "spread": ["liver"], "recurrent": True})
    derived = {f.finding: f for f in c.findings}
    assert set(derived) == {"any_spread", "liver_metastases", "distant_spread", "progressive_or_recurrent"}
    assert derived["progressive_or_recurrent"].rule == "FND-10"
    assert derived["progressive_or_recurrent"].facts == {"recurrent": True}


def test_engine_instance_is_reused_per_thread(kb: KnowledgeBase) -> None:
    """One engine per thread, reused across cases with reset()."""
    engine = compiled(kb).engine()
    recommend({"tumor_type": "other"})
    recommend({"tumor_type": "vipoma"})
    assert compiled(kb).engine() is engine
    assert compiled(kb) is compiled(kb)


class _Act:
    """A stand-in activation: what the strategy reads (rule name, salience, fact ids)."""

    def __init__(self, rule: str, facts: list[int], salience: int = 0) -> None:
        self.rule = SimpleNamespace(__name__=rule, salience=salience)
        self.facts = [{"__factid__": f} for f in facts]
        self.key: Any = None

    def __lt__(self, other: _Act) -> bool:
        return bool(self.key < other.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Act) and (self.rule.__name__, self.facts) == (
            other.rule.__name__,
            other.facts,
        )

    def __hash__(self) -> int:
        return hash(self.rule.__name__)


def test_strategy_removes_an_invalidated_activation_wherever_it_stands() -> None:
    """experta's agenda bug: with several activations sharing a key, the removed one must not survive."""
    agenda = SimpleNamespace(activations=[])
    strategy = SafeDepthStrategy()
    same_key = [_Act(name, [1]) for name in ("a", "b", "c", "d")]
    strategy._update_agenda(agenda, same_key, [])
    strategy._update_agenda(agenda, [], [_Act("c", [1])])  # experta's DepthStrategy leaves "c" here
    assert [a.rule.__name__ for a in agenda.activations] == ["a", "b", "d"]


def test_strategy_order_is_deterministic() -> None:
    """Higher salience first, then newer facts, then rule name: never hash order."""
    agenda = SimpleNamespace(activations=[])
    strategy = SafeDepthStrategy()
    strategy._update_agenda(
        agenda,
        [_Act("x", [1]), _Act("y", [1]), _Act("f", [0], salience=1), _Act("z", [2])],
        [],
    )
    fired = [agenda.activations.pop().rule.__name__ for _ in range(4)]
    assert fired == ["f", "z", "y", "x"]
