"""Cautions (RD-09) and silences (RD-10): what raises them, what they say, and every output that shows them;
and the text view's qualifiers, each with the rule that gives it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import treatments_by_rule
from helpers.strategies import valid_cases
from hypothesis import HealthCheck, given, settings

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.core.space import facts_of
from pnet_expert.explain.reports.render import kb_html, kb_markdown
from pnet_expert.knowledge.loader import bundled_path
from pnet_expert.reasoning.silences import has_content

CAUTION_TEXT = (
    "The case says the tumor cannot be removed by surgery (resectable is false), and the passage offers "
    "this surgery without speaking of that. The option is shown because the source offers it; read the "
    "passage before taking it for this case."
)
SMALL_HEAD_UNRESECTABLE = {
    "tumor_type": "insulinoma",
    "tumors": [{"site": "head", "size": "small"}],
    "resectable": False,
}
NODES_ONLY = {"tumor_type": "gastrinoma", "spread": ["lymph_nodes"]}


# ---------------------------------------------------------------- cautions


def test_a_surgery_the_case_says_cannot_be_done_stays_offered_with_a_caution() -> None:
    """INS-01 still offers tumor_resection when resectable is false; the option carries CAU-01 (JSON too)."""
    c = recommend(SMALL_HEAD_UNRESECTABLE)
    assert c.option("tumor_resection") is not None
    assert c.to_dict()["cautions"] == [
        {
            "id": "CAU-01",
            "treatment": "tumor_resection",
            "rules": ["INS-01"],
            "facts": {"resectable": False},
            "text": CAUTION_TEXT,
            "label": "the case says the tumor cannot be removed by surgery",
            "readings": ["RD-09", "RD-02"],
        }
    ]
    assert c.cautions_on("ablation") == ()


UNRESECTABLE = {"resectable": False}
CAUTIONED: list[tuple[dict[str, Any], list[tuple[str, list[str]]]]] = [
    (
        {"tumor_type": "gastrinoma", "tumors": [{"site": "duodenum"}], **UNRESECTABLE},
        [("pancreatoduodenectomy", ["GAS-07"])],
    ),
    (
        {"tumor_type": "gastrinoma", "tumors": [{"site": "tail"}], **UNRESECTABLE},
        [("distal_pancreatectomy", ["GAS-04"])],
    ),
    (
        {"tumor_type": "insulinoma", "tumors": [{"site": "head"}, {"site": "tail"}], **UNRESECTABLE},
        [("head_tumor_resection_and_distal_pancreatectomy", ["INS-04"])],
    ),
    ({"tumor_type": "vipoma", **UNRESECTABLE}, [("tumor_and_lymph_node_resection", ["VIP-02"])]),
    ({"tumor_type": "other", "recurrent": True, **UNRESECTABLE}, [("tumor_resection", ["OTH-01", "REC-01"])]),
    (
        {"tumor_type": "somatostatinoma", "spread": ["distant"], **UNRESECTABLE},
        [("tumor_resection", ["SOM-01"])],
    ),
    ({"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "large"}], **UNRESECTABLE}, []),
    ({"tumor_type": "glucagonoma", "tumors": [{"site": "head", "size": "large"}], **UNRESECTABLE}, []),
    ({"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}]}, []),
    ({"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}], "resectable": True}, []),
]


@pytest.mark.parametrize(("case", "expected"), CAUTIONED)
def test_which_options_carry_the_caution(case: dict[str, Any], expected: list[tuple[str, list[str]]]) -> None:
    """RD-09: every surgery that removes the tumor, offered by a passage silent on resectability, when the
    case says it cannot be removed; never INS-02 or GLU-02 (exempt), nor with resectable unknown or true."""
    got = [(x["treatment"], x["rules"]) for x in recommend(case).to_dict()["cautions"]]
    assert got == expected


@pytest.fixture(scope="module")
def no_cautions(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The bundled knowledge base without cautions.yaml (which is optional); its readings name CAU-01 no
    more."""
    target = tmp_path_factory.mktemp("kb") / "kb"
    shutil.copytree(bundled_path(), target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (target / "cautions.yaml").unlink()
    readings = target / "readings.yaml"
    readings.write_text(readings.read_text().replace(", CAU-01]", "]").replace("[CAU-01, ", "["))
    return load_knowledge_base(target)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_cautions_never_change_the_options_and_mark_exactly_their_offers(
    kb: KnowledgeBase, no_cautions: KnowledgeBase, case: dict[str, Any]
) -> None:
    """On any valid case: the options are those of the same knowledge without cautions; a caution is raised
    exactly when the case says resectable is false, on each option one of its non-exempt rules offers."""
    c = recommend(case, kb)
    assert treatments_by_rule(c.to_dict()) == treatments_by_rule(recommend(case, no_cautions).to_dict())
    assert no_cautions.cautions == ()
    (spec,) = kb.cautions
    expected = []
    if case.get("resectable") is False:
        for option in c.treatments:
            rules = tuple(r for r in option.rules if r not in spec.exempt)
            if option.id in spec.treatments and rules:
                expected.append((option.id, rules))
    assert [(x.treatment, x.rules) for x in c.cautions] == expected
    assert all(x.facts == {"resectable": False} for x in c.cautions)


def test_the_text_view_marks_the_option_and_lists_the_caution() -> None:
    """recommend's text: the option line says [caution: CAU-01]; a Cautions part follows the options."""
    text = recommend(SMALL_HEAD_UNRESECTABLE).to_text()
    assert (
        "- Surgery to remove the tumor [tumor_resection] [caution: CAU-01] — INS-01: a single tumor"
        in " ".join(text.split())
    )
    part = text[text.index("Cautions (the option stays, because the source offers it):") :]
    assert " ".join(part.split()).startswith(
        "Cautions (the option stays, because the source offers it): - CAU-01 on tumor_resection (INS-01): "
        + CAUTION_TEXT
    )


def test_how_and_why_not_show_the_caution_where_it_bears() -> None:
    """HOW tumor_resection and WHY NOT tumor_resection name the caution; HOW of another option does not."""
    c = recommend(SMALL_HEAD_UNRESECTABLE)
    for text in (c.explain("tumor_resection"), c.why_not("tumor_resection")):
        assert "Caution (CAU-01, on INS-01): The case says the tumor cannot be removed" in " ".join(
            text.split()
        )
    assert "CAU-01" not in c.explain("ablation")


def test_reports_show_the_caution_beside_the_option_and_in_their_own_part() -> None:
    """Markdown and HTML reports: under the option, and a Cautions part (None when there is none)."""
    c = recommend(SMALL_HEAD_UNRESECTABLE)
    md = c.to_markdown()
    assert "- **Caution** (CAU-01, on INS-01): The case says the tumor cannot be removed" in md
    assert "## Cautions\n\n- **CAU-01** on `tumor_resection` (INS-01): The case says" in md
    html = c.to_html()
    assert '<section id="cautions">' in html
    assert 'data-caution="CAU-01" data-treatment="tumor_resection"' in html
    assert "## Cautions\n\nNone:" in recommend(NODES_ONLY).to_markdown()


def test_the_knowledge_base_report_lists_the_cautions_as_knowledge(kb: KnowledgeBase) -> None:
    """kb report: CAU-01 with its condition, treatments, the rules it marks, its exemptions and reading."""
    md = kb_markdown(kb)
    part = md[md.index("## Cautions") : md.index("## Treatments")]
    assert "### CAU-01: the case says the tumor cannot be removed by surgery" in part
    assert "- **When:** resectable is false" in part
    assert (
        "as offered by GAS-03, GAS-04, GAS-05, GAS-07, INS-01, INS-03, INS-04, GLU-01, GLU-03, VIP-02, "
        "SOM-01, OTH-01, REC-01" in part
    )
    assert "- **Exempt:** INS-02, GLU-02" in part
    assert '<article class="spec caution-spec" id="caution-CAU-01"' in kb_html(kb)


# ---------------------------------------------------------------- silences


def test_a_gastrinoma_spread_only_to_the_lymph_nodes_is_named_word_for_word() -> None:
    """Reading RD-10's example: the section says nothing specific about the lymph nodes; the JSON says so."""
    (silence,) = recommend(NODES_ONLY).to_dict()["silences"]
    assert silence == {
        "section": "gastrinoma",
        "facts": {"spread": ["lymph_nodes"]},
        "text": "the gastrinoma section says nothing specific about spread = [lymph_nodes]",
        "rules": ["GAS-09", "GAS-10"],
        "waiting_on": [],
        "readings": ["RD-10"],
    }


SILENT: list[tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]] = [
    (
        {"tumor_type": "insulinoma", "tumors": [{"site": "duodenum"}]},
        [("insulinoma", {"tumors": [{"site": "duodenum"}]})],
    ),
    (
        {"tumor_type": "gastrinoma", "severe_symptoms": True, "liver_dominant": False},
        [("gastrinoma", {"severe_symptoms": True})],
    ),
    (
        {"tumor_type": "gastrinoma", "tumors": [{"site": "head"}], "residual_after_surgery": True},
        [("gastrinoma", {"residual_after_surgery": True})],
    ),
    ({"tumor_type": "gastrinoma", "spread": ["lymph_nodes", "liver"]}, []),
    ({"tumor_type": "gastrinoma", "spread": []}, []),
    ({"tumor_type": "insulinoma", "acid_symptoms": True}, []),
    (
        {"tumor_type": "gastrinoma", "tumor_found": True, "tumors": [{"site": "head"}]},
        [("gastrinoma", {"tumor_found": True})],
    ),
    ({"tumor_type": "gastrinoma", "tumor_found": False}, []),
]


@pytest.mark.parametrize(("case", "expected"), SILENT)
def test_which_facts_are_silences(case: dict[str, Any], expected: list[tuple[str, dict[str, Any]]]) -> None:
    """A stated fact with content that the case's sections read and no fired rule used; not one that is
    used, false or [], read by no rule of the sections (acid symptoms of an insulinoma), or implied by a
    used fact (a tumor listed means a tumor was found)."""
    got = [(s["section"], s["facts"]) for s in recommend(case).to_dict()["silences"]]
    assert got == expected


def test_a_silence_names_the_rules_still_waiting_on_an_unknown_fact() -> None:
    """Severe symptoms with liver_dominant unknown: silent so far, and GAS-11 waits on liver_dominant."""
    (silence,) = recommend({"tumor_type": "gastrinoma", "severe_symptoms": True}).silences
    assert silence.waiting == (("GAS-11", ("liver_dominant",)),)
    assert silence.text == (
        "the gastrinoma section says nothing specific about severe_symptoms = true "
        "(not given, and could change this: liver_dominant (GAS-11))"
    )
    (nodes,) = recommend({"tumor_type": "insulinoma", "spread": ["lymph_nodes"]}).silences
    assert nodes.text.endswith("(not given, and could change this: resectable (INS-05, INS-06))")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_every_silence_is_a_stated_fact_its_section_reads_and_no_fired_rule_used(
    kb: KnowledgeBase, case: dict[str, Any]
) -> None:
    """On any valid case: each silence's fact is stated with content, read by a rule of its section (which
    applies to the case), and in no fired rule's facts; cautions and silences are always in the JSON."""
    c = recommend(case, kb)
    d = c.to_dict()
    assert isinstance(d["cautions"], list)
    assert isinstance(d["silences"], list)
    used = {name for option in c.treatments for reason in option.because for name in reason.facts}
    own = kb.type_section_for(c.patient.tumor_type)
    for silence in c.silences:
        ((fact, _),) = silence.facts.items()
        assert has_content(c.patient.get(fact))
        assert fact not in used
        section = kb.sections[silence.section]
        assert section is own or section.kind == "general"
        assert any(fact in facts_of(kb, kb.rules[r].when) for r in section.rules)


def test_text_reports_and_why_not_show_silences() -> None:
    """recommend's text has a Silences part; the reports one too; WHY NOT shows those its rules bear on."""
    c = recommend(NODES_ONLY)
    text = c.to_text()
    assert (
        "Silences (facts of the case the source says nothing specific about):\n"
        "  - the gastrinoma section says nothing specific about spread = [lymph_nodes]\n"
    ) in text
    assert (
        "- the gastrinoma section says nothing specific about spread = \\[lymph\\_nodes\\]" in c.to_markdown()
    )
    assert 'class="silence" data-section="gastrinoma" data-fact="spread"' in c.to_html()
    assert "says nothing specific about spread" in c.why_not("chemotherapy")
    assert "says nothing specific" not in c.why_not("acid_reducing_drug")


# ---------------------------------------------------------------- the text view's qualifiers


def test_each_reason_carries_its_own_qualifiers_and_alternatives() -> None:
    """Hormone therapy: palliative and either/or are OTH-02's; REC-01 offers it plainly (issue 11, item 6)."""
    c = recommend({"tumor_type": "other", "spread": ["distant"], "progressing": True})
    line = " ".join(c.to_text().split())
    assert (
        "- Hormone therapy [hormone_therapy] — OTH-02 (palliative; either this or debulking_surgery): the "
        "cancer has spread to other (distant) parts of the body | REC-01: the tumor continues to grow during "
        "treatment or has come back"
    ) in line
    assert "Hormone therapy (palliative)" not in line
    md = c.to_markdown()
    assert "- *palliative* (OTH-02): the source calls the option palliative" in md
    assert "- **Either/or** (OTH-02): the source gives this as an alternative to" in md


def test_qualifiers_of_one_rule_only_stay_with_it() -> None:
    """Chemoembolization: GAS-09 plainly, GAS-11 with or without systemic chemotherapy."""
    c = recommend(
        {"tumor_type": "gastrinoma", "spread": ["liver"], "liver_dominant": True, "severe_symptoms": True}
    )
    line = " ".join(c.to_text().split())
    assert (
        "- Chemoembolization [chemoembolization] — GAS-09: the cancer has spread to the liver | "
        "GAS-11 (with or "
        "without systemic chemotherapy): the cancer mostly affects the liver and the symptoms are severe"
    ) in line


def test_distal_pancreatectomy_is_said_in_the_source_words(kb: KnowledgeBase) -> None:
    """Issue 11, item 7: 'body or tail', never 'body and/or tail', which the source never says."""
    label = kb.treatments["distal_pancreatectomy"].label
    assert "and/or" not in label
    assert label == (
        "Surgery to remove the body or tail of the pancreas (distal pancreatectomy); "
        "each rule's quote says which"
    )


def test_the_repl_shows_cautions_and_silences_with_the_options(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A scripted session ends with the options, the caution and the silence (from the same text view)."""
    import io

    from pnet_expert.consult.interview import Interview
    from pnet_expert.consult.repl import PlainReader, Repl

    answers = "insulinoma\n1\nhead\nsmall\nlymph_nodes\nno\nno\nno\n"
    out = io.StringIO()
    Repl(Interview(kb), PlainReader(io.StringIO(answers), out), out).run()
    assert "[tumor_resection] [caution: CAU-01]" in out.getvalue()
    assert "CAU-01 on tumor_resection (INS-01):" in out.getvalue()
    out = io.StringIO()
    Repl(
        Interview(kb), PlainReader(io.StringIO("gastrinoma\n?\n?\nlymph_nodes\n?\n?\n?\n?\n?\n"), out), out
    ).run()
    assert "the gastrinoma section says nothing specific about spread = [lymph_nodes]" in out.getvalue()
