"""The CLIPS export: generated from the knowledge base's data; in CLIPS it fires the engine's rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import public_cases
from helpers.strategies import KB, valid_cases
from hypothesis import HealthCheck, given, settings

from pnet_expert import InputError, KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.cli import main
from pnet_expert.core.case import validate_case
from pnet_expert.engine.session import compiled
from pnet_expert.interop.clips import case_facts, check_names, knowledge_base_source, program

clips = pytest.importorskip("clips", reason="clipspy (the [clips] extra) is not installed")


class Clips:
    """The knowledge base loaded in one CLIPS environment, run case after case."""

    def __init__(self, kb: KnowledgeBase, folder: Path) -> None:
        self.kb = kb
        self.env = clips.Environment()
        path = folder / "kb.clp"
        path.write_text(knowledge_base_source(kb), encoding="utf-8")
        self.env.load(str(path))

    def run(self, case: dict[str, Any]) -> tuple[list[str], list[tuple[str, ...]]]:
        """The rules fired and the findings derived on a case, as CLIPS has them."""
        facts = " ".join(case_facts(self.kb, validate_case(case, self.kb)))
        self.env.eval(f"(progn (reset) (assert {facts}) (run))")
        return fired_and_findings(self.env)


def fired_and_findings(env: Any) -> tuple[list[str], list[tuple[str, ...]]]:
    """(fired ...) facts and (finding ...) facts (name, then known attributes) in an environment."""
    fired = sorted(str(f[0]) for f in env.facts() if f.template.name == "fired")
    findings = []
    for f in env.facts():
        if f.template.name == "finding":
            known = tuple(sorted(f"{k}={v}" for k, v in dict(f).items() if k != "name" and str(v) != "nil"))
            findings.append((str(f["name"]), *known))
    return fired, sorted(findings)


def engine_view(kb: KnowledgeBase, case: dict[str, Any]) -> tuple[list[str], list[tuple[str, ...]]]:
    """The rules the engine fires and the findings it derives, in the same shape."""
    patient = validate_case(case, kb)
    derived = {f.derived for f in compiled(kb).run(patient) if f.derived is not None}
    findings = sorted((name, *sorted(f"{k}={v}" for k, v in attributes)) for name, attributes in derived)
    return list(recommend(patient, kb).fired_rules), findings


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    """The bundled knowledge base in CLIPS."""
    return Clips(KB, tmp_path_factory.mktemp("clips"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_cases())
def test_clips_fires_exactly_the_rules_the_engine_fires(bundled: Clips, case: dict[str, Any]) -> None:
    """On generated cases, CLIPS fires the engine's rules and derives the engine's findings."""
    assert bundled.run(case) == engine_view(KB, case)


def test_the_public_cases_fire_their_expected_rules_in_clips(bundled: Clips) -> None:
    """The public cases' expected rules, from CLIPS too."""
    for public in public_cases():
        fired, _ = bundled.run(public["case"])
        assert fired == public["expected_rules"], public["id"]


def test_unknown_facts_are_absent_and_fire_nothing(bundled: Clips) -> None:
    """With only the tumor type known, there is one fact and only the unconditioned rules fire."""
    assert case_facts(KB, validate_case({"tumor_type": "vipoma"}, KB)) == ["(tumor_type (value vipoma))"]
    assert bundled.run({"tumor_type": "vipoma"}) == (["VIP-01", "VIP-02"], [])
    assert bundled.run({"tumor_type": "gastrinoma", "resectable": False})[0] == ["GAS-01"]


def test_the_case_program_loads_resets_and_runs_to_one_fired_fact_per_rule(tmp_path: Path) -> None:
    """kb export --case: (load), (reset), (run) leave one (fired ID) per recommendation rule that fired."""
    case = tmp_path / "case.yaml"
    case.write_text(
        "tumor_type: gastrinoma\ntumors: [{site: duodenum}]\nspread: [lymph_nodes, liver]\n"
        'liver_dominant: true\nsevere_symptoms: true\nrefractory: true\ntitle: "a \\"quoted\\" ; title"\n'
    )
    out = tmp_path / "case.clp"
    assert main(["kb", "export", "--format", "clips", "--case", str(case), "-o", str(out)]) == 0
    env = clips.Environment()
    env.load(str(out))
    env.reset()
    env.run()
    facts = [str(f) for f in env.facts() if f.template.name == "fired"]
    expected = ["GAS-01", "GAS-07", "GAS-09", "GAS-10", "GAS-11"]
    assert sorted(facts) == [f"(fired {r})" for r in expected]
    assert [str(r) for r in env.eval("(fired-rules)")] == expected or sorted(
        map(str, env.eval("(fired-rules)"))
    ) == expected


def test_one_defrule_per_branch_generated_from_the_data() -> None:
    """Every branch of every rule has its defrule (GAS-10 has two); each rule asserts (fired ID)."""
    source = knowledge_base_source(KB)
    assert "(defrule GAS-10/1 " in source
    assert "(defrule GAS-10/2 " in source
    for rule in KB.rules:
        assert f"(assert (fired {rule}))" in source
    records = [f for f in KB.facts.values() if f.kind == "records"]
    # one template per fact, one more per list (its count), findings, offers
    assert source.count("(deftemplate ") == len(KB.facts) + len(records) + 2
    assert "(defrule FND-04/2 " in source
    assert "   (tumors-count (value 0))" in source  # tumors: [] is "no tumor is found" (reading RD-08)
    assert "(deffacts case" not in source


def test_an_edited_rule_changes_the_export(kb_copy: Path, tmp_path: Path) -> None:
    """Edit a rule's condition in the data: the export follows, and CLIPS still agrees with the engine."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    rules.write_text(
        rules.read_text().replace("{fact: acid_symptoms, is: true}", "{fact: acid_symptoms, is: false}")
    )
    edited = load_knowledge_base(kb_copy)
    case = {"tumor_type": "gastrinoma", "acid_symptoms": False}
    assert Clips(edited, tmp_path).run(case) == engine_view(edited, case)
    assert "GAS-02" in engine_view(edited, case)[0]


def test_a_name_clips_cannot_take_is_refused(kb_copy: Path) -> None:
    """A fact named like a CLIPS keyword is refused with INPUT-E013, naming it."""
    facts = kb_copy / "facts.yaml"
    facts.write_text(facts.read_text().replace("id: recurrent", "id: test"))
    for file in (kb_copy / "findings.yaml", *(kb_copy / "rules").glob("*.yaml")):
        file.write_text(file.read_text().replace("fact: recurrent", "fact: test"))
    edited = load_knowledge_base(kb_copy)
    with pytest.raises(InputError) as caught:
        check_names(edited)
    assert caught.value.code == "INPUT-E013"
    assert caught.value.field == "facts.test"
    assert str(caught.value).startswith("facts.test: 'test' cannot be a name in CLIPS; rename it")


def test_free_text_cannot_break_out_of_its_comment_or_string(tmp_path: Path) -> None:
    """A case's text goes into comments and strings, escaped: the program loads and runs only real rules."""
    case = {
        "tumor_type": "other",
        "id": 'x" (defrule evil => (assert (fired OTH-99)))',
        "notes": "line one\n(defrule evil2 => (exit))",
    }
    path = tmp_path / "case.clp"
    path.write_text(program(KB, validate_case(case, KB)), encoding="utf-8")
    env = clips.Environment()
    env.load(str(path))
    env.reset()
    env.run()
    assert fired_and_findings(env)[0] == ["OTH-01"]
    assert not [r for r in env.rules() if "evil" in str(r.name)]
