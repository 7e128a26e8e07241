"""The library for a developer: recommend(case, kb=PATH_OR_KB), short reprs, a docstring with the schema."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from helpers import EXAMPLES

from pnet_expert import KnowledgeBase, KnowledgeBaseError, recommend
from pnet_expert.core import codes
from pnet_expert.explain import recommend as recommend_module
from pnet_expert.files.casefile import read_case
from pnet_expert.knowledge.loader import bundled_path

CASE = EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"


@pytest.mark.parametrize("as_given", [str, Path, lambda p: p.as_posix() + "/"])
def test_kb_may_be_a_path(as_given: object, kb: KnowledgeBase) -> None:
    """recommend(case, kb="DIR") or a Path: the knowledge base there, the same options as the loaded one."""
    case = read_case(CASE)
    by_path = recommend(case, kb=as_given(bundled_path()))  # type: ignore[operator]
    assert by_path.to_dict()["treatments"] == recommend(case, kb).to_dict()["treatments"]


def test_a_kb_path_that_is_no_knowledge_base_or_a_wrong_kind(tmp_path: Path) -> None:
    """Nothing at the path: KnowledgeBaseError with its code; a number: a TypeError saying what is taken."""
    with pytest.raises(KnowledgeBaseError) as caught:
        recommend({"tumor_type": "other"}, kb=str(tmp_path / "nowhere"))
    assert caught.value.diagnostics[0].code == codes.KB_NOT_A_DIRECTORY
    with pytest.raises(TypeError, match="kb must be a KnowledgeBase, the path of a knowledge base directory"):
        recommend({"tumor_type": "other"}, kb=3)  # type: ignore[arg-type]


def test_reprs_are_short_and_readable(kb: KnowledgeBase) -> None:
    """repr: one line; str: a few lines with the notice; an Option and a Reason say themselves in a line."""
    c = recommend(read_case(CASE), kb)
    assert repr(c) == (
        "<Consultation of gastrinoma-liver-severe: 6 options (usually 1, may include 5); "
        "fired GAS-01, GAS-07, GAS-09, GAS-11>"
    )
    text = str(c)
    assert len(text) < 600
    assert text.splitlines()[0].startswith("Treatment options for gastrinoma-liver-severe")
    assert "  usually: pancreatoduodenectomy" in text.splitlines()
    assert (
        text.splitlines()[-1] == "For teaching: options from one 2012 patient summary, never medical advice."
    )
    option = c.option("chemoembolization")
    assert option is not None
    assert (
        repr(option)
        == "<Option chemoembolization (may include; with or without systemic chemotherapy) by GAS-09, GAS-11>"
    )
    assert str(option) == (
        "Chemoembolization [chemoembolization]: may include (with or without systemic chemotherapy), "
        "by GAS-09, GAS-11"
    )
    assert str(option.because[0]) == "GAS-09: the cancer has spread to the liver"
    assert repr(option.because[0]) == "<Reason GAS-09 (may include): the cancer has spread to the liver>"


def test_a_case_with_nothing_offered_says_so_briefly(kb: KnowledgeBase) -> None:
    """The gap case: no options, the gap in the summary."""
    c = recommend(
        {"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}], "spread": []}, kb
    )
    assert repr(c) == "<Consultation of a case of insulinoma: 0 options; fired none; 1 gap>"
    assert "  none: the source offers no option for this case" in str(c).splitlines()
    assert "gap: The source's Insulinoma section offers no option" in " ".join(str(c).split())


def test_recommend_s_docstring_example_runs() -> None:
    """The example in help(recommend) is true (run as a doctest)."""
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    (test,) = [t for t in finder.find(recommend_module.recommend, "recommend") if t.examples]
    result = runner.run(test, out=lambda _: None)
    assert (result.failed, result.attempted) == (0, len(test.examples))


def test_recommend_s_docstring_names_every_fact_and_value(kb: KnowledgeBase) -> None:
    """The case schema in the docstring names every fact of the bundled knowledge base, and its values."""
    doc = recommend.__doc__ or ""
    for spec in kb.facts.values():
        assert spec.id in doc, spec.id
        for value in spec.value_ids:
            if isinstance(value, str):
                assert value in doc, (spec.id, value)
        for field in spec.fields:
            assert field.id in doc
            assert all(v in doc for v in field.value_ids)
