"""kb diff as a library: the changes, field by field, and the kinds of case whose options change."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import append, edit

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.core.options import OptionSummary
from pnet_expert.verify.diff import Change, FieldChange, diff_knowledge_bases, touched_treatments


def test_same_knowledge_base(kb: KnowledgeBase, kb_copy: Path) -> None:
    """A fresh copy holds the same knowledge: no change, no impact."""
    diff = diff_knowledge_bases(kb, load_knowledge_base(kb_copy))
    assert diff.same
    assert diff.changes == ()
    assert diff.impact == ()


def test_offers_edited_reports_that_rule_and_the_cases_it_changes(kb: KnowledgeBase, kb_copy: Path) -> None:
    """GAS-09 drops chemoembolization: exactly that rule, and one kind of case, options before and after."""
    edit(
        kb_copy / "rules" / "gastrinoma.yaml",
        "      - treatment: ablation\n      - treatment: chemoembolization\n",
        "      - treatment: ablation\n",
    )
    diff = diff_knowledge_bases(kb, load_knowledge_base(kb_copy))
    offers = FieldChange("offers", ("chemoembolization",), ())
    assert diff.changes == (Change("rule", "GAS-09", "changed", (offers,)),)
    assert diff.treatments == ("chemoembolization",)
    (kind,) = diff.impact
    assert kind.treatment == "chemoembolization"
    assert (kind.fired_before, kind.fired_after) == (("GAS-09",), ())
    assert kind.before == OptionSummary("chemoembolization", "may include")
    assert kind.after is None
    assert kind.change == "chemoembolization is no longer offered (was: may include)"
    assert kind.example == {"tumor_type": "gastrinoma", "spread": ["liver"]}
    assert kind.confirmed
    before = [o.treatment for o in kind.options_before]
    after = [o.treatment for o in kind.options_after]
    assert before == ["supportive_care", "liver_resection", "ablation", "chemoembolization"]
    assert after == ["supportive_care", "liver_resection", "ablation"]


def test_cases_where_another_rule_still_offers_it_do_not_change(kb: KnowledgeBase, kb_copy: Path) -> None:
    """With GAS-11 (liver dominant, severe) firing, chemoembolization stays: no kind for those cases."""
    edit(
        kb_copy / "rules" / "gastrinoma.yaml",
        "      - treatment: ablation\n      - treatment: chemoembolization\n",
        "      - treatment: ablation\n",
    )
    new = load_knowledge_base(kb_copy)
    diff = diff_knowledge_bases(kb, new)
    assert all("GAS-11" not in k.fired_before and "REC-02" not in k.fired_before for k in diff.impact)
    case = {"tumor_type": "gastrinoma", "spread": ["liver"], "liver_dominant": True, "severe_symptoms": True}
    assert recommend(case, kb).is_offered("chemoembolization")
    assert recommend(case, new).is_offered("chemoembolization")


@pytest.mark.slow
def test_condition_and_strength_changes(kb: KnowledgeBase, kb_copy: Path) -> None:
    """A changed condition and a changed strength: both fields shown, each option change a kind of its own."""
    edit(
        kb_copy / "rules" / "recurrent.yaml",
        "      - finding: progressive_or_recurrent\n",
        "      - {fact: recurrent, is: true}\n",
    )
    edit(
        kb_copy / "rules" / "insulinoma.yaml",
        "      - treatment: distal_pancreatectomy\n    strength: usually",
        "      - treatment: distal_pancreatectomy\n    strength: may include",
    )
    diff = diff_knowledge_bases(kb, load_knowledge_base(kb_copy))
    assert diff.of("rule", "changed") == (
        Change("rule", "INS-03", "changed", (FieldChange("strength", ("usually",), ("may include",)),)),
        Change(
            "rule",
            "REC-01",
            "changed",
            (
                FieldChange(
                    "when",
                    (f"progressive_or_recurrent ({kb.findings['progressive_or_recurrent'].label})",),
                    ("recurrent is true (the tumor has come back)",),
                ),
            ),
        ),
    )
    changes = [(k.treatment, k.change, k.example) for k in diff.impact]
    assert changes == [
        (
            "tumor_resection",
            "tumor_resection is no longer offered (was: may include)",
            {"tumor_type": "gastrinoma", "progressing": True},
        ),
        (
            "distal_pancreatectomy",
            "distal_pancreatectomy changes from usually to may include",
            {"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "large"}]},
        ),
        (
            "chemotherapy",
            "chemotherapy is no longer offered (was: may include)",
            {"tumor_type": "gastrinoma", "progressing": True},
        ),
        (
            "hormone_therapy",
            "hormone_therapy is no longer offered (was: may include)",
            {"tumor_type": "gastrinoma", "progressing": True},
        ),
        (
            "targeted_therapy",
            "targeted_therapy is no longer offered (was: may include)",
            {"tumor_type": "gastrinoma", "progressing": True},
        ),
    ]
    assert all(k.confirmed for k in diff.impact)


def test_added_and_removed_rules(kb: KnowledgeBase, kb_copy: Path) -> None:
    """A rule removed and one added: both listed, and the option each takes away or brings."""
    rules = kb_copy / "rules" / "recurrent.yaml"
    text = rules.read_text()
    rules.write_text(text[: text.index("  - id: REC-03")])
    append(
        kb_copy / "rules" / "gastrinoma.yaml",
        "\n  - id: GAS-12\n    when:\n      - {fact: refractory, is: true}\n    offers:\n"
        "      - treatment: clinical_trial\n    strength: may include\n"
        "    quote: A clinical trial of a new therapy.\n",
    )
    diff = diff_knowledge_bases(kb, load_knowledge_base(kb_copy))
    assert [c.id for c in diff.of("rule", "removed")] == ["REC-03"]
    assert [c.id for c in diff.of("rule", "added")] == ["GAS-12"]
    assert touched_treatments(kb, load_knowledge_base(kb_copy)) == (("clinical_trial", ("REC-03", "GAS-12")),)
    kinds = [(k.fired_before, k.fired_after, k.example) for k in diff.impact]
    assert kinds == [
        (("REC-03",), (), {"tumor_type": "gastrinoma", "progressing": True}),
        ((), ("GAS-12",), {"tumor_type": "gastrinoma", "refractory": True}),
    ]


def test_changed_finding_touches_the_rules_that_read_it(kb: KnowledgeBase, kb_copy: Path) -> None:
    """distant_spread read as 'distant' only: the finding's change is listed and VIP-06's cases change."""
    edit(
        kb_copy / "findings.yaml",
        "{fact: spread, contains_any: [liver, distant]}",
        "{fact: spread, contains: distant}",
    )
    new = load_knowledge_base(kb_copy)
    diff = diff_knowledge_bases(kb, new)
    (change,) = diff.changes
    assert change == Change(
        "finding",
        "distant_spread",
        "changed",
        (
            FieldChange(
                "rule.when",
                ("spread includes liver or distant (where the cancer has spread)",),
                ("spread includes distant (where the cancer has spread)",),
            ),
        ),
    )
    examples = {(k.treatment, tuple(k.fired_before)): k.example for k in diff.impact}
    assert examples[("chemotherapy", ("VIP-06",))] == {"tumor_type": "vipoma", "spread": ["liver"]}
    assert not any(k.fired_before == ("GAS-10",) for k in diff.impact)  # GAS-10 reads spread_beyond_liver


@pytest.mark.slow
def test_strengths_ranked_otherwise_is_a_change(kb: KnowledgeBase, kb_copy: Path) -> None:
    """Swapping the strengths' order changes which strength is the strongest: reported, with its impact."""
    vocabulary = kb_copy / "vocabulary.yaml"
    text = vocabulary.read_text()
    usually = text[text.index("  - id: usually") : text.index("  - id: may include")]
    may = text[text.index("  - id: may include") : text.index("qualifiers:")]
    vocabulary.write_text(text.replace(usually + may, may + usually))
    diff = diff_knowledge_bases(kb, load_knowledge_base(kb_copy))
    assert not diff.same
    order = FieldChange("order (strongest first)", ("usually, may include",), ("may include, usually",))
    assert diff.changes == (Change("vocabulary", "strengths", "changed", (order,)),)
    assert diff.impact
    assert list(diff.treatments) == [t for t in kb.treatments if t in diff.treatments]  # the KB's order
